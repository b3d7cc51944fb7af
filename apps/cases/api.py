"""API of the cases app: cases and their life cycle, lab batches, contact suggestions, links, clusters."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import StringConstraints

from apps.accounts.choices import Perm
from apps.accounts.http import AuthedRequest
from apps.accounts.scoping import has_perm_anywhere, has_perm_at
from apps.cases import lifecycle, selectors, services
from apps.cases.models import Case, Cluster, Contact, LabBatch
from apps.cases.tracing import trace_case
from apps.common.apitypes import (
    Day,
    Finite,
    Id,
    InSchema,
    Moment,
    NoteText,
    PageNumber,
    PageSize,
    Temperature,
)
from apps.common.errors import Forbidden, NotFound, ValidationFailed
from apps.common.pagination import Page, paginate
from apps.people.selectors import person_get

router = Router(tags=["cases"])


class CaseOut(Schema):
    id: int
    person_id: int
    person_name: str
    area_code: str
    status: str
    origin: str
    onset_date: dt.date | None
    first_visit_at: dt.datetime | None
    reported_at: dt.datetime | None
    quarantined_at: dt.datetime | None
    isolated_at: dt.datetime | None  # the first of quarantine and admission (早隔离)
    sampled_at: dt.datetime | None
    lab_confirmed_at: dt.datetime | None
    confirmed_at: dt.datetime | None
    admitted_at: dt.datetime | None
    discharged_at: dt.datetime | None
    closed_at: dt.datetime | None
    hospital: str
    cluster_id: int | None

    @staticmethod
    def resolve_person_name(obj: Case) -> str:
        return obj.person.name_masked

    @staticmethod
    def resolve_area_code(obj: Case) -> str:
        return obj.area_id


class CaseIn(InSchema):
    person_id: Id
    status: str = "fever"
    origin: str = "local"
    onset_date: Day | None = None
    first_visit_at: Moment | None = None
    note: str = ""


class CasePatch(InSchema):
    """The corrections PATCH /api/cases/{id} accepts; a field left out is left as it is."""

    onset_date: Day | None = None
    origin: str | None = None
    hospital: Annotated[str, StringConstraints(max_length=120)] | None = None
    note: NoteText | None = None
    first_visit_at: Moment | None = None
    reported_at: Moment | None = None
    isolated_at: Moment | None = None
    sampled_at: Moment | None = None
    lab_confirmed_at: Moment | None = None
    confirmed_at: Moment | None = None
    admitted_at: Moment | None = None
    discharged_at: Moment | None = None


class CaseTransitionIn(InSchema):
    to: str
    note: str = ""
    hospital: str = ""


class EventOut(Schema):
    from_status: str
    to_status: str
    at: dt.datetime
    actor: str | None
    note: str

    @staticmethod
    def resolve_actor(obj: Any) -> str | None:
        return obj.actor.username if obj.actor_id else None


class CaseDetailOut(CaseOut):
    events: list[EventOut]
    delays: dict[str, float | None]
    allowed_next: list[str]

    @staticmethod
    def resolve_events(obj: Case) -> list[Any]:
        return list(obj.events.select_related("actor"))

    @staticmethod
    def resolve_delays(obj: Case) -> dict[str, float | None]:
        return dict(selectors.case_delays(case=obj))

    @staticmethod
    def resolve_allowed_next(obj: Case) -> list[str]:
        return lifecycle.allowed_next(obj.status)


class LabResultIn(InSchema):
    sample_id: str
    sampled_at: str
    result: str
    ct_value: Finite | None = None
    reported_at: str | None = None
    person_id: Id | None = None
    doc_type: str = "resident_id"
    doc_number: str = ""


class LabBatchIn(InSchema):
    lab: str
    client_batch_id: str
    results: list[LabResultIn]


class LabBatchOut(Schema):
    id: int
    lab: str
    client_batch_id: str
    total_rows: int
    created_rows: int
    existing_rows: int
    error_rows: int
    positives: int
    errors: list[dict[str, Any]]


class ContactOut(Schema):
    id: int
    case_id: int
    person_id: int
    person_name: str
    degree: int
    via_id: int | None
    kinds: list[str]
    first_exposed_at: dt.datetime
    last_exposed_at: dt.datetime
    status: str
    evidence: list[dict[str, Any]]
    evidence_count: int

    @staticmethod
    def resolve_person_name(obj: Contact) -> str:
        return obj.person.name_masked


class DecideIn(InSchema):
    decision: str  # "confirm" | "dismiss"
    note: str = ""


class LinkIn(InSchema):
    infector_id: Id
    infectee_id: Id
    note: str = ""


class LinkOut(Schema):
    id: int
    infector_id: int
    infectee_id: int
    source: str
    venue_id: int | None


class ClusterOut(Schema):
    id: int
    ref: str
    area_code: str
    size: int
    first_day: dt.date
    last_day: dt.date
    venue_ids: list[int]
    districts: list[str]

    @staticmethod
    def resolve_area_code(obj: Cluster) -> str:
        return obj.area_id


class FollowUpOut(Schema):
    id: int
    person_id: int
    person_name: str
    contact_id: int
    case_id: int
    status: str
    started_at: dt.datetime
    until: dt.date
    closed_at: dt.datetime | None
    closed_early: bool
    close_reason: str

    @staticmethod
    def resolve_person_name(obj: Any) -> str:
        return str(obj.person.name_masked)

    @staticmethod
    def resolve_case_id(obj: Any) -> int:
        return int(obj.contact.case_id)


class FollowUpEntryIn(InSchema):
    temperature: Temperature | None = None
    symptoms: bool = False
    note: str = ""
    close: bool = False
    close_reason: str = ""  # required to close before the end date


class FollowUpEntryOut(Schema):
    id: int
    at: dt.datetime
    temperature: float | None
    symptoms: bool
    note: str


@router.get("", response=Page[CaseOut])
def case_list(
    request: AuthedRequest,
    klass: str = "",
    status: str = "",
    origin: str = "",
    area: str = "",
    reported_from: Day | None = None,
    reported_to: Day | None = None,
    onset_from: Day | None = None,
    onset_to: Day | None = None,
    cluster: Id | None = None,
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> Any:
    """Cases in your jurisdiction, newest first (`klass`: fever, suspected, confirmed, asymptomatic, excluded)."""
    filters = selectors.CaseFilters(
        klass, status, origin, area, reported_from, reported_to, onset_from, onset_to, cluster
    )
    return paginate(selectors.cases_list(user=request.user, filters=filters), page, page_size)


@router.post("", response={201: CaseOut})
def case_report(request: AuthedRequest, body: CaseIn) -> Any:
    person = person_get(user=request.user, pk=body.person_id, perm=Perm.CASE_CHANGE)
    case = services.case_report(
        actor=request.user,
        person=person,
        status=body.status,
        origin=body.origin,
        onset_date=body.onset_date,
        first_visit_at=body.first_visit_at,
        note=body.note,
        request=request,
    )
    return Status(201, case)


@router.post("/labs", response={201: LabBatchOut})
def lab_batch(request: AuthedRequest, body: LabBatchIn) -> Any:
    """A lab's batch of results; resending the same `client_batch_id` returns the first batch unchanged."""
    _need_lab(request)
    rows = [(i, r.dict()) for i, r in enumerate(body.results, start=1)]
    batch = services.labs_import(
        actor=request.user,
        lab=body.lab,
        rows=rows,
        client_batch_id=body.client_batch_id,
        request=request,
    )
    return Status(201, batch)


@router.post("/labs/file", response={201: LabBatchOut})
def lab_file(
    request: AuthedRequest, lab: Form[str], file: File[UploadedFile], client_batch_id: Form[str] = ""
) -> Any:
    """A lab's CSV or XLSX file (columns sample_id, sampled_at, result, ct_value, doc_number or person_id)."""
    _need_lab(request)
    batch = services.labs_import_file(
        actor=request.user,
        lab=lab,
        data=file.read(),
        filename=file.name or "labs.csv",
        client_batch_id=client_batch_id,
        request=request,
    )
    return Status(201, batch)


def _need_lab(request: AuthedRequest) -> None:
    if not has_perm_anywhere(request.user, Perm.LAB_IMPORT):
        raise Forbidden("forbidden", "you may not import lab results")


@router.get("/labs/{batch_id}", response=LabBatchOut)
def lab_batch_get(request: AuthedRequest, batch_id: Id) -> Any:
    batch = LabBatch.objects.filter(pk=batch_id, uploaded_by=request.user).first()
    if batch is None:
        raise NotFound("batch_not_found", "no such batch of yours")
    return batch


@router.get("/contacts", response=Page[ContactOut])
def contact_list(
    request: AuthedRequest,
    status: str = "suggested",
    case: Id | None = None,
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> Any:
    """Contact suggestions (or confirmed/dismissed contacts) of the cases in your jurisdiction."""
    return paginate(
        selectors.contact_suggestions(user=request.user, status=status, case=case), page, page_size
    )


@router.post("/contacts/{contact_id}/decide", response=ContactOut)
def contact_decide(request: AuthedRequest, contact_id: Id, body: DecideIn) -> Any:
    if body.decision not in ("confirm", "dismiss"):
        raise ValidationFailed("invalid_decision", "decision is confirm or dismiss")
    contact = selectors.contact_get(user=request.user, pk=contact_id)
    return services.contact_decide(
        actor=request.user,
        contact=contact,
        confirm=body.decision == "confirm",
        note=body.note,
        request=request,
    )


@router.get("/followups", response=Page[FollowUpOut])
def follow_up_list(request: AuthedRequest, status: str = "open", page: PageNumber = 1, page_size: PageSize = 50) -> Any:
    """Confirmed contacts under medical observation: the quarantine candidates, by end date."""
    return paginate(selectors.follow_ups(user=request.user, status=status), page, page_size)


@router.post("/followups/{follow_up_id}/entries", response={201: FollowUpEntryOut})
def follow_up_entry(request: AuthedRequest, follow_up_id: Id, body: FollowUpEntryIn) -> Any:
    follow_up = selectors.follow_up_get(user=request.user, pk=follow_up_id)
    entry = services.follow_up_record(
        actor=request.user,
        follow_up=follow_up,
        temperature=body.temperature,
        symptoms=body.symptoms,
        note=body.note,
        close=body.close,
        close_reason=body.close_reason,
    )
    return Status(201, entry)


@router.post("/links", response={201: LinkOut})
def link_create(request: AuthedRequest, body: LinkIn) -> Any:
    infector = selectors.case_get(user=request.user, pk=body.infector_id)
    infectee = selectors.case_get(user=request.user, pk=body.infectee_id)
    link = services.link_create(
        actor=request.user, infector=infector, infectee=infectee, note=body.note, request=request
    )
    return Status(201, link)


@router.get("/clusters", response=Page[ClusterOut])
def cluster_list(request: AuthedRequest, area: str = "", page: PageNumber = 1, page_size: PageSize = 50) -> Any:
    return paginate(selectors.clusters_list(user=request.user, area=area), page, page_size)


@router.get("/{case_id}", response=CaseDetailOut)
def case_detail(request: AuthedRequest, case_id: Id) -> Any:
    return selectors.case_get(user=request.user, pk=case_id)


@router.patch("/{case_id}", response=CaseOut)
def case_update(request: AuthedRequest, case_id: Id, body: CasePatch) -> Any:
    case = selectors.case_get(user=request.user, pk=case_id)
    data = body.model_dump(exclude_unset=True)
    return services.case_update(actor=request.user, case=case, data=data, request=request)


@router.post("/{case_id}/transition", response=CaseOut)
def case_transition(request: AuthedRequest, case_id: Id, body: CaseTransitionIn) -> Any:
    case = selectors.case_get(user=request.user, pk=case_id)
    return services.case_transition(
        actor=request.user,
        case=case,
        to=body.to,
        note=body.note,
        hospital=body.hospital,
        request=request,
    )


@router.get("/{case_id}/contacts", response=list[ContactOut])
def case_contacts(request: AuthedRequest, case_id: Id) -> Any:
    case = selectors.case_get(user=request.user, pk=case_id)
    return list(selectors.contacts_of_case(case=case)[:2000])


@router.post("/{case_id}/trace")
def case_trace(request: AuthedRequest, case_id: Id) -> Any:
    """Run contact tracing for the case now (it also runs by itself when a case is confirmed)."""
    case = selectors.case_get(user=request.user, pk=case_id)
    if not has_perm_at(request.user, Perm.CONTACT_DECIDE, case.area_id):
        raise Forbidden("forbidden", "you may not trace this case")
    return trace_case(case)

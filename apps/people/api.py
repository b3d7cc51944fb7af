"""API of the people app: search, detail, create, change, reveal, import, export, merge."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpResponse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from apps.accounts.choices import Perm
from apps.accounts.http import AuthedRequest
from apps.common.apitypes import Id, InSchema, NoteText, PageNumber, PageSize, column_mapping
from apps.common.errors import NotFound
from apps.common.pagination import Page, paginate
from apps.people import selectors, services
from apps.people.exports import persons_export
from apps.people.models import Person

router = Router(tags=["persons"])


class PersonOut(Schema):
    """A person as lists show it: personal data masked."""

    id: int
    name: str
    doc_type: str
    doc_number: str
    phone: str
    sex: str
    birth_date: dt.date | None
    nationality: str
    area_code: str
    household_id: int | None
    relation: str
    tags: list[str]
    merged_into_id: int | None

    @staticmethod
    def resolve_name(obj: Person) -> str:
        return obj.name_masked

    @staticmethod
    def resolve_doc_number(obj: Person) -> str:
        return obj.doc_masked

    @staticmethod
    def resolve_phone(obj: Person) -> str:
        return obj.phone_masked

    @staticmethod
    def resolve_area_code(obj: Person) -> str:
        return obj.area_id


class PersonIn(InSchema):
    name: str
    doc_type: str = "resident_id"
    doc_number: str = ""
    sex: str = ""
    birth_date: str = ""
    phone: str = ""
    area_code: str
    address: str = ""
    nationality: str = "CHN"
    household_ref: str = ""
    relation: str = ""
    tags: str = ""


class PersonPatch(InSchema):
    name: str | None = None
    doc_type: str | None = None
    doc_number: str | None = None
    sex: str | None = None
    birth_date: str | None = None
    phone: str | None = None
    area_code: str | None = None
    address: str | None = None
    nationality: str | None = None
    household_ref: str | None = None
    relation: str | None = None
    tags: str | None = None


class PersonRevealIn(InSchema):
    fields: list[str]
    reason: str = ""


class PersonImportOut(Schema):
    id: int
    total_rows: int
    created_rows: int
    existing_rows: int
    elsewhere_rows: int  # registered in another jurisdiction: counted, not named, referred to that district
    error_rows: int
    errors: list[dict[str, Any]]


class DuplicateReferralOut(Schema):
    id: int
    person_id: int
    area_code: str
    claimed_area_code: str | None
    referred_by: str | None
    source: str
    created_at: dt.datetime

    @staticmethod
    def resolve_area_code(obj: Any) -> str:
        return str(obj.area_id)

    @staticmethod
    def resolve_claimed_area_code(obj: Any) -> str | None:
        return obj.claimed_area_id

    @staticmethod
    def resolve_referred_by(obj: Any) -> str | None:
        return obj.referred_by.username if obj.referred_by else None

    decision: str
    decision_note: str
    decided_by: str | None
    decided_at: dt.datetime | None

    @staticmethod
    def resolve_decided_by(obj: Any) -> str | None:
        return obj.decided_by.username if obj.decided_by else None


class ReferralDecisionIn(InSchema):
    decision: str  # moved, mistake, fraud or other
    note: NoteText = ""


class PersonImportJobOut(Schema):
    """A person import, queued, running or finished: how far it got and, once done, the full report."""

    id: int
    status: str
    expected_rows: int
    processed_rows: int
    total_rows: int
    created_rows: int
    existing_rows: int
    error_rows: int
    errors: list[dict[str, Any]]
    finished_at: dt.datetime | None


class MergeIn(InSchema):
    winner_id: Id
    loser_id: Id


class MergeCandidateOut(Schema):
    id: int
    person_a: PersonOut
    person_b: PersonOut
    reason: str


@router.get("", response=Page[PersonOut])
def person_list(request: AuthedRequest, q: str = "", area: str = "", page: PageNumber = 1, page_size: PageSize = 50) -> Any:
    """Search persons in your jurisdiction: `q` is an exact ID or document number, a phone, an area code or a
    full name (personal data is encrypted, so matching is exact)."""
    return paginate(selectors.persons_list(user=request.user, query=q, area=area), page, page_size)


@router.get("/referrals", response=Page[DuplicateReferralOut])
def referral_list(
    request: AuthedRequest, open_only: bool = False, page: PageNumber = 1, page_size: PageSize = 50
) -> Any:
    """Registrations attempted elsewhere of persons of your jurisdiction (the other side learnt no id);
    `open_only` leaves out those your district has decided."""
    return paginate(selectors.referrals_list(user=request.user, open_only=open_only), page, page_size)


@router.post("/referrals/{referral_id}/decision", response=DuplicateReferralOut)
def referral_decide(request: AuthedRequest, referral_id: Id, body: ReferralDecisionIn) -> Any:
    """Record what the attempted registration was: `moved`, `mistake`, `fraud` or `other` (with a note)."""
    referral = selectors.referral_get(user=request.user, pk=referral_id)
    return services.referral_decide(
        actor=request.user, referral=referral, decision=body.decision, note=body.note, request=request
    )


@router.post("", response={201: PersonOut})
def person_create(request: AuthedRequest, body: PersonIn) -> Any:
    return Status(201, services.person_create(actor=request.user, data=body.dict(), request=request))


@router.get("/export")
def person_export(request: AuthedRequest, q: str = "", area: str = "", format: str = "csv") -> HttpResponse:
    """Export the persons you may export, masked, as CSV or XLSX."""
    return persons_export(user=request.user, query=q, area=area, fmt=format, request=request)


@router.post("/import", response={200: PersonImportOut, 202: PersonImportJobOut})
def person_import(
    request: AuthedRequest, file: File[UploadedFile], mapping: Form[str] = ""
) -> Any:
    """Import a CSV or XLSX list. `mapping` is optional JSON {our_field: their_column}. Every bad row is
    reported with its line; good rows are kept; rows already registered are not duplicated. A file of more
    than TONGCHOU_IMPORT_BACKGROUND_ROWS rows is imported in the background: the answer is 202 with the job,
    to follow at `GET /api/persons/imports/{id}` (sending the same file again returns the same job)."""
    columns = column_mapping(mapping)
    batch, queued = services.persons_import_start(actor=request.user, data=file.read(),
                                                 filename=file.name or "upload.csv", mapping=columns, request=request)
    return Status(202, batch) if queued else batch


@router.get("/imports/{batch_id}", response=PersonImportJobOut)
def person_import_job(request: AuthedRequest, batch_id: Id) -> Any:
    """A person import you uploaded: its status, progress (rows processed of those expected) and report."""
    return selectors.person_import_get(user=request.user, pk=batch_id)


@router.get("/merge-candidates", response=list[MergeCandidateOut])
def merge_candidate_list(request: AuthedRequest) -> Any:
    return list(selectors.merge_candidates_open(user=request.user)[:200])


@router.post("/merge", response=PersonOut)
def person_merge(request: AuthedRequest, body: MergeIn) -> Any:
    winner = selectors.person_get(user=request.user, pk=body.winner_id, perm=Perm.PERSON_MERGE)
    loser = selectors.person_get(user=request.user, pk=body.loser_id, perm=Perm.PERSON_MERGE)
    return services.person_merge(actor=request.user, winner=winner, loser=loser, request=request)


@router.post("/merge-candidates/{candidate_id}/dismiss", response={204: None})
def merge_candidate_dismiss(request: AuthedRequest, candidate_id: Id) -> Any:
    candidate = selectors.merge_candidates_open(user=request.user).filter(pk=candidate_id).first()
    if candidate is None:
        raise NotFound("candidate_not_found", "no such open merge candidate in your jurisdiction")
    services.merge_candidate_dismiss(actor=request.user, candidate=candidate, request=request)
    return Status(204, None)


@router.get("/{person_id}", response=PersonOut)
def person_detail(request: AuthedRequest, person_id: Id) -> Any:
    return selectors.person_get(user=request.user, pk=person_id)


@router.patch("/{person_id}", response=PersonOut)
def person_update(request: AuthedRequest, person_id: Id, body: PersonPatch) -> Any:
    person = selectors.person_get(user=request.user, pk=person_id)
    data = {k: v for k, v in body.dict().items() if v is not None}
    return services.person_update(actor=request.user, person=person, data=data, request=request)


@router.post("/{person_id}/reveal", response=dict[str, str])
def person_reveal(request: AuthedRequest, person_id: Id, body: PersonRevealIn) -> Any:
    """Show personal data in clear. Needs the reveal permission at the person's area; always audited."""
    person = selectors.person_get(user=request.user, pk=person_id)
    return services.person_reveal(actor=request.user, person=person, fields=body.fields, reason=body.reason,
                                  request=request)

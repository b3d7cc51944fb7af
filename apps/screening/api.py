"""API of the screening app: sources, lists, imports, reconciliation and coverage, link candidates, work items,
visits. Every read is scoped to the caller's jurisdiction; every write is audited by its service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from apps.accounts.http import AuthedRequest
from apps.common.apitypes import (
    AreaCodeLength,
    Id,
    InSchema,
    NoteText,
    PageNumber,
    PageSize,
    ShortText,
    Temperature,
    column_mapping,
)
from apps.common.errors import ValidationFailed
from apps.common.pagination import Page, paginate
from apps.screening import selectors, services
from apps.screening.choices import HealthStatus, ListPurpose, SourceKind, VisitAction, VisitOutcome, VisitRule

router = Router(tags=["screening"])


class ScreeningSourceOut(Schema):
    id: int
    name: str
    kind: str
    area_code: str
    mapping: dict[str, str]

    @staticmethod
    def resolve_area_code(obj: Any) -> str:
        return str(obj.area_id)


class ScreeningSourceIn(InSchema):
    name: ShortText
    kind: SourceKind
    area_code: ShortText
    mapping: dict[str, ShortText] = {}


class ScreeningListOut(Schema):
    id: int
    source_id: int
    name: str
    purpose: str
    area_code: str
    visit_rule: str
    visit_within_hours: int
    urgency: int

    @staticmethod
    def resolve_area_code(obj: Any) -> str:
        return str(obj.area_id)


class ScreeningListIn(InSchema):
    source_id: Id
    name: ShortText
    purpose: ListPurpose
    area_code: ShortText
    visit_rule: VisitRule = VisitRule.EVERYONE
    visit_within_hours: int = 48
    urgency: int = 3


class ScreeningImportOut(Schema):
    id: int
    list_id: int
    status: str
    expected_rows: int
    processed_rows: int
    total_rows: int
    new_rows: int
    existing_rows: int
    matched_rows: int
    error_rows: int
    errors: list[dict[str, Any]]
    finished_at: dt.datetime | None


class ScreeningTallyOut(Schema):
    list_id: int
    list_name: str
    area: str
    rows: int
    matched: int
    open: int
    resolved: int
    rejected: int
    balances: bool
    coverage: float


class ScreeningCandidateOut(Schema):
    id: int
    row_id: int
    row_line: int
    row_name: str
    person_id: int
    person_name: str
    probability: float
    evidence: dict[str, Any]

    @staticmethod
    def resolve_row_line(obj: Any) -> int:
        return int(obj.row.line)

    @staticmethod
    def resolve_row_name(obj: Any) -> str:
        return str(obj.row.name_masked)

    @staticmethod
    def resolve_person_name(obj: Any) -> str:
        return str(obj.person.name_masked)


class ScreeningDecisionIn(InSchema):
    same: bool


class ScreeningWorkItemOut(Schema):
    id: int
    list_id: int
    area_code: str
    name: str
    phone: str
    reason: str
    urgency: int
    level: int
    status: str
    due_at: dt.datetime
    pending_action: str

    @staticmethod
    def resolve_area_code(obj: Any) -> str:
        return str(obj.area_id)

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.row.name_masked)

    @staticmethod
    def resolve_phone(obj: Any) -> str:
        return str(obj.row.phone_masked)


class ScreeningVisitIn(InSchema):
    outcome: VisitOutcome
    health: HealthStatus = HealthStatus.UNKNOWN
    temperature: Temperature | None = None
    action: VisitAction = VisitAction.NONE
    moved_to: ShortText = ""
    note: NoteText = ""


class ScreeningVisitOut(Schema):
    id: int
    item_id: int
    outcome: str
    action: str
    visited_at: dt.datetime


class ScreeningReassignIn(InSchema):
    area_code: ShortText
    reason: ShortText


@router.get("/sources", response=list[ScreeningSourceOut])
def sources(request: AuthedRequest) -> Any:
    return list(selectors.sources_list(user=request.user)[:500])


@router.post("/sources", response={201: ScreeningSourceOut})
def source_create(request: AuthedRequest, body: ScreeningSourceIn) -> Any:
    """A source of lists with its saved column mapping ({our_field: their_column})."""
    source = services.source_create(
        actor=request.user,
        name=body.name,
        kind=body.kind,
        area_code=body.area_code,
        mapping=body.mapping,
        request=request,
    )
    return Status(201, source)


@router.get("/lists", response=Page[ScreeningListOut])
def lists(request: AuthedRequest, page: PageNumber = 1, page_size: PageSize = 50) -> Any:
    return paginate(selectors.lists_list(user=request.user), page, page_size)


@router.post("/lists", response={201: ScreeningListOut})
def list_create(request: AuthedRequest, body: ScreeningListIn) -> Any:
    source = selectors.source_get(user=request.user, pk=body.source_id)
    if not 1 <= body.visit_within_hours <= 24 * 30 or not 1 <= body.urgency <= 5:
        raise ValidationFailed("out_of_range", "visit within 1 hour to 30 days, urgency 1 to 5")
    lst = services.list_create(
        actor=request.user,
        source=source,
        name=body.name,
        purpose=body.purpose,
        area_code=body.area_code,
        visit_rule=body.visit_rule,
        visit_within_hours=body.visit_within_hours,
        urgency=body.urgency,
        request=request,
    )
    return Status(201, lst)


@router.post("/lists/{list_id}/imports", response={200: ScreeningImportOut, 202: ScreeningImportOut})
def list_import(
    request: AuthedRequest, list_id: Id, file: File[UploadedFile], mapping: Form[str] = ""
) -> Any:
    """Upload a CSV/XLSX into a list. `mapping` (JSON {our_field: their_column}) overrides the source's saved one.
    Bad rows come back with line, field and reason; a big file answers 202 and runs in the background."""
    lst = selectors.list_get(user=request.user, pk=list_id)
    report, queued = services.list_import_start(
        actor=request.user,
        lst=lst,
        data=file.read(),
        filename=file.name or "upload.csv",
        mapping=column_mapping(mapping),
        request=request,
    )
    return Status(202, report) if queued else report


@router.get("/imports/{import_id}", response=ScreeningImportOut)
def import_get(request: AuthedRequest, import_id: Id) -> Any:
    return selectors.import_get(user=request.user, pk=import_id)


@router.get("/reconciliation", response=list[ScreeningTallyOut])
def reconciliation(
    request: AuthedRequest, area: ShortText = "", depth: AreaCodeLength = 6, list_id: Id | None = None
) -> Any:
    """底数清: per list and area (cut to `depth` digits), rows = matched + resolved + open + rejected."""
    return selectors.reconciliation(user=request.user, area=area, depth=depth, list_id=list_id)


@router.get("/candidates", response=Page[ScreeningCandidateOut])
def candidates(
    request: AuthedRequest, list_id: Id | None = None, page: PageNumber = 1, page_size: PageSize = 50
) -> Any:
    return paginate(selectors.candidates_open(user=request.user, list_id=list_id), page, page_size)


@router.post("/candidates/{candidate_id}/decision", response=ScreeningCandidateOut)
def candidate_decide(request: AuthedRequest, candidate_id: Id, body: ScreeningDecisionIn) -> Any:
    return services.candidate_decide(
        actor=request.user, candidate_id=candidate_id, same=body.same, request=request
    )


@router.get("/work-items", response=Page[ScreeningWorkItemOut])
def work_items(
    request: AuthedRequest,
    status: ShortText = "open",
    area: ShortText = "",
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> Any:
    """Work items of the caller's communities, most urgent and earliest deadline first."""
    return paginate(selectors.work_items(user=request.user, status=status, area=area), page, page_size)


@router.post("/work-items/{item_id}/visits", response={201: ScreeningVisitOut})
def visit_record(request: AuthedRequest, item_id: Id, body: ScreeningVisitIn) -> Any:
    visit = services.visit_record(
        actor=request.user,
        item_id=item_id,
        outcome=body.outcome,
        health=body.health,
        temperature=body.temperature,
        action=body.action,
        moved_to=body.moved_to,
        note=body.note,
        request=request,
    )
    return Status(201, visit)


@router.post("/work-items/{item_id}/reassign", response=ScreeningWorkItemOut)
def work_item_reassign(request: AuthedRequest, item_id: Id, body: ScreeningReassignIn) -> Any:
    return services.work_item_reassign(
        actor=request.user, item_id=item_id, area_code=body.area_code, reason=body.reason, request=request
    )

"""API of schools' reopening readiness and of disputes (parties masked; reveal is audited)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from ninja import Router, Schema

from apps.accounts.http import AuthedRequest
from apps.common.apitypes import Amount, Count, Day, Id, InSchema, PageNumber, PageSize, SmallCount
from apps.common.pagination import Page, paginate
from apps.society import selectors, services
from apps.society.exports import disputes_export, schools_export
from apps.society.models import ChecklistItem, Dispute, School

router = Router(tags=["society"])


class SchoolOut(Schema):
    id: int
    code: str
    name: str
    area_code: str
    level: str
    students: int
    planned_reopen: dt.date | None
    actual_reopen: dt.date | None
    items_done: int

    # Lists pass School rows (annotated with `done`); the detail passes a dict built by _detail().
    @staticmethod
    def resolve_area_code(obj: School | dict[str, Any]) -> str:
        return obj["area_code"] if isinstance(obj, dict) else obj.area_id

    @staticmethod
    def resolve_items_done(obj: School | dict[str, Any]) -> int:
        return obj["items_done"] if isinstance(obj, dict) else getattr(obj, "done", 0)


class CheckOut(Schema):
    group: str
    item: str
    text: str
    done: bool
    evidence: str


class SchoolGradeOut(Schema):
    grade: int
    name: str
    graduating: bool
    students: int
    planned_reopen: dt.date | None
    actual_reopen: dt.date | None


class SchoolGradeIn(Schema):
    students: int | None = None
    planned_reopen: dt.date | None = None
    actual_reopen: dt.date | None = None


class SchoolDetailOut(SchoolOut):
    plan_note: str
    items_total: int
    readiness: float | None
    checklist: list[CheckOut]
    grades: list[SchoolGradeOut]  # graduating year first (分年级复学)
    grades_back: int
    students_back: int
    fully_reopened: bool


class SchoolIn(InSchema):
    code: str
    name: str
    area_code: str
    level: str
    students: Count = 0
    planned_reopen: Day | None = None
    plan_note: str = ""


class SchoolPatch(InSchema):
    planned_reopen: Day | None = None
    actual_reopen: Day | None = None
    plan_note: str | None = None
    students: Count | None = None


class CheckIn(InSchema):
    done: bool
    evidence: str = ""


class DisputeOut(Schema):
    id: int
    ref: str
    area_code: str
    kind: str
    summary: str
    claimant: str
    respondent: str
    amount: Decimal | None
    owner_name: str
    status: str
    resolution: str
    opened_on: dt.date
    closed_on: dt.date | None
    days_to_resolve: int | None

    @staticmethod
    def resolve_area_code(obj: Dispute) -> str:
        return obj.area_id

    @staticmethod
    def resolve_claimant(obj: Dispute) -> str:
        return obj.claimant_masked

    @staticmethod
    def resolve_respondent(obj: Dispute) -> str:
        return obj.respondent_masked


class DisputeIn(InSchema):
    area_code: str
    kind: str
    summary: str
    claimant: str
    respondent: str
    owner_name: str
    amount: Amount(14, 2, ge=0) | None = None  # type: ignore[valid-type]
    opened_on: Day | None = None


class DisputeTransitionIn(InSchema):
    status: str
    resolution: str = ""
    on: Day | None = None


class DisputeRevealIn(InSchema):
    reason: str = ""


class ChecklistItemIO(InSchema):
    code: str
    group: str
    text_zh: str
    text_en: str = ""
    order: SmallCount = 0
    active: bool = True


def _detail(school: School) -> dict[str, Any]:
    r = selectors.school_readiness(school=school)
    checklist = [
        {
            "group": g["group"],
            "item": i.code,
            "text": i.text,
            "done": bool(c and c.done),
            "evidence": c.evidence if c else "",
        }
        for g in r["groups"]
        for i, c in g["items"]
    ]
    fields = ["id", "code", "name", "level", "students", "planned_reopen", "actual_reopen", "plan_note"]
    return {
        **{f: getattr(school, f) for f in fields},
        "area_code": school.area_id,
        "items_done": r["done"],
        "items_total": r["total"],
        "readiness": r["share"],
        "checklist": checklist,
        **selectors.school_grades(school=school),
    }


@router.get("/checklist", response=list[ChecklistItemIO])
def checklist(request: AuthedRequest) -> Any:
    """The readiness checklist (一校一方案, 一校两预案, 一校三专班, 十个到位), retired items included."""
    services.checklist_ensure_defaults()
    return list(ChecklistItem.objects.all())


@router.post("/checklist", response={201: ChecklistItemIO})
def checklist_upsert(request: AuthedRequest, body: ChecklistItemIO) -> Any:
    """Add or change an item (active=false retires it); headquarters only."""
    return 201, services.checklist_item_upsert(actor=request.user, request=request, **body.dict())


@router.get("/schools", response=Page[SchoolOut])
def school_list(
    request: AuthedRequest,
    area: str = "",
    level: str = "",
    readiness: str = "",
    q: str = "",
    page: PageNumber = 1,
    page_size: PageSize = 100,
) -> Any:
    qs = selectors.schools_list(user=request.user, area=area, level=level, readiness=readiness, query=q)
    return paginate(qs, page, page_size)


@router.post("/schools", response={201: SchoolDetailOut})
def school_create(request: AuthedRequest, body: SchoolIn) -> Any:
    return 201, _detail(services.school_create(actor=request.user, request=request, **body.dict()))


@router.get("/schools/readiness", response=list[dict[str, Any]])
def readiness_by_district(request: AuthedRequest) -> Any:
    """Readiness by district: schools, fully ready, reopened, mean share of items done."""
    return selectors.school_readiness_by_district(user=request.user)


@router.get("/schools/export")
def school_export(
    request: AuthedRequest,
    area: str = "",
    level: str = "",
    readiness: str = "",
    q: str = "",
    format: str = "csv",
) -> HttpResponse:
    filters = {"area": area, "level": level, "readiness": readiness, "query": q}
    return schools_export(user=request.user, filters=filters, fmt=format, request=request)


@router.get("/schools/{school_id}", response=SchoolDetailOut)
def school_detail(request: AuthedRequest, school_id: Id) -> Any:
    return _detail(selectors.school_get(user=request.user, pk=school_id))


@router.patch("/schools/{school_id}", response=SchoolDetailOut)
def school_update(request: AuthedRequest, school_id: Id, body: SchoolPatch) -> Any:
    school = selectors.school_get(user=request.user, pk=school_id)
    data = {k: v for k, v in body.dict().items() if v is not None}
    return _detail(services.school_update(actor=request.user, school=school, data=data, request=request))


@router.put("/schools/{school_id}/grades/{grade}", response=SchoolDetailOut)
def school_grade(request: AuthedRequest, school_id: int, grade: int, body: SchoolGradeIn) -> Any:
    """Set one grade's students and reopening dates: a school reopens grade by grade, the graduating year first."""
    school = selectors.school_get(user=request.user, pk=school_id)
    services.grade_set(
        actor=request.user,
        school=school,
        grade=grade,
        data=body.dict(exclude_unset=True),
        request=request,
    )
    return _detail(selectors.school_get(user=request.user, pk=school_id))


@router.put("/schools/{school_id}/checklist/{item}", response=SchoolDetailOut)
def school_check(request: AuthedRequest, school_id: Id, item: str, body: CheckIn) -> Any:
    """Tick or untick a readiness item; ticking needs evidence."""
    school = selectors.school_get(user=request.user, pk=school_id)
    services.check_set(
        actor=request.user,
        school=school,
        item_code=item,
        done=body.done,
        evidence=body.evidence,  # type: ignore[arg-type]
        request=request,
    )
    return _detail(school)


@router.get("/disputes", response=Page[DisputeOut])
def dispute_list(
    request: AuthedRequest,
    area: str = "",
    kind: str = "",
    status: str = "",
    party: str = "",
    page: PageNumber = 1,
    page_size: PageSize = 100,
) -> Any:
    """`party` is a full name, matched exactly (parties are encrypted)."""
    qs = selectors.disputes_list(user=request.user, area=area, kind=kind, status=status, party=party)
    return paginate(qs, page, page_size)


@router.post("/disputes", response={201: DisputeOut})
def dispute_create(request: AuthedRequest, body: DisputeIn) -> Any:
    return 201, services.dispute_create(actor=request.user, request=request, **body.dict())


@router.get("/disputes/stats", response=list[dict[str, Any]])
def dispute_stats(request: AuthedRequest) -> Any:
    """Per type: count, closed, amount at stake, median days to resolve."""
    return selectors.dispute_stats(user=request.user)


@router.get("/disputes/export")
def dispute_export(
    request: AuthedRequest, area: str = "", kind: str = "", status: str = "", format: str = "csv"
) -> HttpResponse:
    filters = {"area": area, "kind": kind, "status": status}
    return disputes_export(user=request.user, filters=filters, fmt=format, request=request)


@router.get("/disputes/{dispute_id}", response=DisputeOut)
def dispute_detail(request: AuthedRequest, dispute_id: Id) -> Any:
    return selectors.dispute_get(user=request.user, pk=dispute_id)


@router.post("/disputes/{dispute_id}/transition", response=DisputeOut)
def dispute_transition(request: AuthedRequest, dispute_id: Id, body: DisputeTransitionIn) -> Any:
    dispute = selectors.dispute_get(user=request.user, pk=dispute_id)
    return services.dispute_transition(actor=request.user, dispute=dispute, request=request, **body.dict())


@router.post("/disputes/{dispute_id}/reveal", response=dict[str, str])
def dispute_reveal(request: AuthedRequest, dispute_id: Id, body: DisputeRevealIn) -> Any:
    """The parties in clear; needs the reveal permission; always audited."""
    dispute = selectors.dispute_get(user=request.user, pk=dispute_id)
    return services.dispute_reveal(actor=request.user, dispute=dispute, reason=body.reason, request=request)

"""API of the enterprises app: registry, filing, status, the non-resumed list, policies, electricity, hotline,
rates and the economic dashboard. Thin: parse, call one service or selector, return."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from apps.accounts.choices import Perm
from apps.accounts.http import AuthedRequest
from apps.accounts.models import User
from apps.accounts.scoping import has_perm_anywhere
from apps.common.apitypes import Count, Day, Finite, Id, InSchema, PageNumber, PageSize, column_mapping
from apps.common.errors import Forbidden, NotFound, ValidationFailed
from apps.common.pagination import Page, paginate
from apps.enterprises import dashboard, hotline, selectors, services
from apps.enterprises.exports import ENTERPRISE_HEADER, ENTERPRISE_VALUES, EXPORT_LIMIT, table_response
from apps.enterprises.models import (
    Commitment,
    Enterprise,
    Inspection,
    Policy,
    PolicyDelivery,
    PowerReading,
    StatusChange,
    Ticket,
    TicketCategory,
)

router = Router(tags=["enterprises"])
policy_router = Router(tags=["policies"])
hotline_router = Router(tags=["hotline"])


def _mapping(text: str) -> dict[str, str] | None:
    return column_mapping(text)


class EnterpriseOut(Schema):
    """An enterprise as lists show it: the contact person masked."""

    id: int
    credit_code: str
    name: str
    industry_section: str
    area_code: str
    district: str
    size_class: str
    above_designated: bool
    employees: int
    annual_revenue: Decimal | None
    contact_name: str
    contact_phone: str
    status: str
    staff_share_back: float
    capacity_used: float
    status_at: dt.datetime | None
    liaison: str | None

    @staticmethod
    def resolve_area_code(obj: Enterprise) -> str:
        return obj.area_id

    @staticmethod
    def resolve_contact_name(obj: Enterprise) -> str:
        return obj.contact_name_masked

    @staticmethod
    def resolve_contact_phone(obj: Enterprise) -> str:
        return obj.contact_phone_masked

    @staticmethod
    def resolve_liaison(obj: Enterprise) -> str | None:
        return obj.liaison.get_username() if obj.liaison_id else None  # type: ignore[union-attr]


class EnterpriseIn(InSchema):
    credit_code: str
    name: str
    industry_section: str
    area_code: str
    size_class: str
    above_designated: bool = False
    employees: Count = 0
    annual_revenue: str = ""
    contact_name: str = ""
    contact_phone: str = ""


class EnterprisePatch(InSchema):
    name: str | None = None
    industry_section: str | None = None
    area_code: str | None = None
    size_class: str | None = None
    above_designated: bool | None = None
    employees: Count | None = None
    annual_revenue: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None


class EnterpriseImportOut(Schema):
    id: int
    total_rows: int
    created_rows: int
    existing_rows: int
    error_rows: int
    errors: list[dict[str, Any]]


class StatusIn(InSchema):
    status: str
    staff_share_back: Finite | None = None
    capacity_used: Finite | None = None
    note: str = ""


class StatusChangeOut(Schema):
    id: int
    day: dt.date
    at: dt.datetime
    previous_status: str
    status: str
    staff_share_back: float
    capacity_used: float
    source: str
    note: str


class CommitmentIn(InSchema):
    planned_date: str
    employees_returning: Count
    employees_from_outside: Count = 0
    measures: list[str]
    text: str
    capacity_used: Finite | None = None
    client_id: str = ""


class CommitmentOut(Schema):
    id: int
    enterprise_id: int
    filed_at: dt.datetime
    planned_date: dt.date
    declared_status: str
    employees_returning: int
    employees_from_outside: int
    measures: list[str]
    text: str
    opened_at: dt.datetime | None  # empty while the planned date is ahead: not yet counted as resumed


class InspectionIn(InSchema):
    kind: str = "inspection"
    result: str
    findings: str = ""
    follow_up: str = ""
    follow_up_due: str = ""
    commitment_id: Id | None = None


class InspectionOut(Schema):
    id: int
    enterprise_id: int
    commitment_id: int | None
    kind: str
    at: dt.datetime
    result: str
    findings: str
    follow_up: str
    follow_up_due: dt.date | None
    follow_up_done_at: dt.datetime | None


class ReasonsIn(InSchema):
    reasons: list[str]
    note: str = ""


class LiaisonIn(InSchema):
    username: str | None = None


class TextIn(InSchema):
    text: str


class VisitIn(InSchema):
    visited_on: str
    notes: str


class VisitOut(Schema):
    id: int
    visited_on: dt.date
    notes: str


class MemberIn(InSchema):
    username: str


class EnterpriseRevealIn(InSchema):
    reason: str = ""


class PolicyIn(InSchema):
    code: str
    title: str
    category: str
    issuer: str = ""
    summary: str = ""
    rule: dict[str, Any]
    active: bool = True
    valid_until: str = ""


class PolicyPatch(InSchema):
    title: str | None = None
    category: str | None = None
    issuer: str | None = None
    summary: str | None = None
    rule: dict[str, Any] | None = None
    active: bool | None = None
    valid_until: str | None = None


class PolicyOut(Schema):
    id: int
    code: str
    title: str
    category: str
    issuer: str
    summary: str
    rule: dict[str, Any]
    active: bool
    valid_until: dt.date | None


class ExplanationOut(Schema):
    path: str
    depth: int
    passed: bool
    en: str
    zh: str


class MatchOut(Schema):
    policy: PolicyOut
    eligible: bool
    explanations: list[ExplanationOut]


class DeliveryIn(InSchema):
    policy_id: Id
    channel: str = ""
    note: str = ""


class UptakeIn(InSchema):
    uptake: str
    amount: str = ""
    note: str = ""


class DeliveryOut(Schema):
    id: int
    policy_id: int
    enterprise_id: int
    delivered_at: dt.datetime
    channel: str
    uptake: str
    amount: Decimal | None
    note: str


class PowerOut(Schema):
    id: int
    enterprise_id: int
    credit_code: str
    enterprise_name: str
    period: str
    period_start: dt.date
    kwh: float
    kwh_last_year: float | None
    ratio: float | None
    checked_status: str
    outcome: str

    @staticmethod
    def resolve_credit_code(obj: PowerReading) -> str:
        return obj.enterprise.credit_code

    @staticmethod
    def resolve_enterprise_name(obj: PowerReading) -> str:
        return obj.enterprise.name


class RatesOut(Schema):
    key: list[Any]
    active: int
    fully: int
    partly: int
    not_resumed: int
    filed_not_open: int  # of the not resumed: a commitment filed, its planned date still ahead
    resumed_rate: float | None
    fully_rate: float | None
    staff_weighted_rate: float | None
    mean_capacity_resumed: float | None


class NonResumedOut(EnterpriseOut):
    reasons: list[str]

    @staticmethod
    def resolve_reasons(obj: Enterprise) -> list[str]:
        return [r.reason for r in obj.reasons.all()]


class TicketIn(InSchema):
    category: str
    title: str
    description: str
    enterprise_id: Id | None = None
    client_id: str = ""


class TicketOut(Schema):
    id: int
    enterprise_id: int
    enterprise_name: str
    category: str
    department: str
    title: str
    description: str
    opened_at: dt.datetime
    due_at: dt.datetime
    status: str
    level: int
    reply: str
    resolved_at: dt.datetime | None
    satisfaction: int | None

    @staticmethod
    def resolve_enterprise_name(obj: Ticket) -> str:
        return obj.enterprise.name

    @staticmethod
    def resolve_category(obj: Ticket) -> str:
        return obj.category.code

    @staticmethod
    def resolve_department(obj: Ticket) -> str:
        return obj.department.code


class ReplyIn(InSchema):
    reply: str


class RateIn(InSchema):
    satisfaction: int
    comment: str = ""


class CategoryOut(Schema):
    code: str
    name: str
    department: str
    sla_hours: int
    working_time: bool

    @staticmethod
    def resolve_department(obj: TicketCategory) -> str:
        return obj.department.code


# --- enterprises ---


@router.get("", response=Page[EnterpriseOut])
def enterprise_list(
    request: AuthedRequest,
    q: str = "",
    area: str = "",
    industry: str = "",
    size: str = "",
    status: str = "",
    above: str = "",
    reason: str = "",
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> Any:
    """Enterprises in your jurisdiction; `q` is a credit code or part of a name; `status=not_fully` too."""
    qs = selectors.enterprises_list(
        user=request.user,
        query=q,
        area=area,
        industry=industry,
        size=size,
        status=status,
        above=above,
        reason=reason,
    ).select_related("liaison")
    return paginate(qs, page, page_size)


@router.post("", response={201: EnterpriseOut})
def enterprise_create(request: AuthedRequest, body: EnterpriseIn) -> Any:
    data = body.dict()
    data["above_designated"] = "yes" if body.above_designated else "no"
    return Status(201, services.enterprise_create(actor=request.user, data=data, request=request))


@router.get("/export")
def enterprise_export(
    request: AuthedRequest,
    q: str = "",
    area: str = "",
    industry: str = "",
    size: str = "",
    status: str = "",
    above: str = "",
    reason: str = "",
    format: str = "csv",
) -> HttpResponse:
    """Export enterprises (contacts masked) as CSV or XLSX, in the format the import reads back."""
    return enterprises_export(
        request.user,
        request,
        {
            "q": q,
            "area": area,
            "industry": industry,
            "size": size,
            "status": status,
            "above": above,
            "reason": reason,
        },
        format,
    )


def enterprises_export(user: User, request: HttpRequest, f: dict[str, str], fmt: str) -> HttpResponse:
    qs = selectors.enterprises_list(
        user=user,
        query=f.get("q", ""),
        area=f.get("area", ""),
        industry=f.get("industry", ""),
        size=f.get("size", ""),
        status=f.get("status", ""),
        above=f.get("above", ""),
        reason=f.get("reason", ""),
        perm=Perm.ENTERPRISE_EXPORT,
    )
    rows = (
        ["yes" if v is True else "no" if v is False else v for v in r]
        for r in qs.values_list(*ENTERPRISE_VALUES)[:EXPORT_LIMIT].iterator(chunk_size=5000)
    )
    return table_response(
        user=user,
        header=ENTERPRISE_HEADER,
        rows=rows,
        name="enterprises",
        fmt=fmt,
        object_type="enterprises.enterprise",
        filters=f,
        request=request,
    )


@router.post("/import", response=EnterpriseImportOut)
def enterprise_import(request: AuthedRequest, file: File[UploadedFile], mapping: Form[str] = "") -> Any:
    """Import a registry list (CSV/XLSX). Every bad row is reported with line, field and reason (credit codes
    are checked by GB 32100); good rows are kept; importing the same file again changes nothing."""
    return services.enterprises_import(
        actor=request.user,
        data=file.read(),
        filename=file.name or "upload.csv",
        mapping=_mapping(mapping),
        request=request,
    )


@router.post("/power/import", response=EnterpriseImportOut)
def power_import(request: AuthedRequest, file: File[UploadedFile], mapping: Form[str] = "") -> Any:
    """Import daily or dekad electricity consumption with last year's figure; each is cross-checked."""
    return services.power_import(
        actor=request.user,
        data=file.read(),
        filename=file.name or "upload.csv",
        mapping=_mapping(mapping),
        request=request,
    )


@router.get("/power/flags", response=Page[PowerOut])
def power_flag_list(request: AuthedRequest, area: str = "", page: PageNumber = 1, page_size: PageSize = 50) -> Any:
    """Enterprises whose reported status and electricity use disagree."""
    return paginate(selectors.power_flags(user=request.user, area=area), page, page_size)


@router.get("/rates", response=list[RatesOut])
def rates(request: AuthedRequest, by: str = "", above: bool = False, area: str = "") -> Any:
    """Resumption rates (开工复工率) grouped by any of district, industry_section, size_class,
    above_designated_size (comma-separated); `above=true` for 四上 enterprises only."""
    fields = [f for f in by.split(",") if f]
    unknown = [f for f in fields if f not in selectors.GROUP_COLUMNS]
    if unknown:
        raise ValidationFailed("bad_grouping", f"cannot group by {unknown}")
    result = selectors.resumption_rates(
        user=request.user,
        by=fields,
        above_designated_only=above,  # type: ignore[arg-type]
        area=area,
    )
    return [
        {
            "key": list(k),
            "active": r.active,
            "fully": r.fully,
            "partly": r.partly,
            "not_resumed": r.not_resumed,
            "filed_not_open": r.filed_not_open,
            "resumed_rate": r.resumed_rate,
            "fully_rate": r.fully_rate,
            "staff_weighted_rate": r.staff_weighted_rate,
            "mean_capacity_resumed": r.mean_capacity_resumed,
        }
        for k, r in sorted(result.items(), key=lambda kv: [str(x) for x in kv[0]])
    ]


@router.get("/curve", response=list[dict[str, Any]])
def curve(
    request: AuthedRequest, start: Day | None = None, end: Day | None = None, area: str = ""
) -> Any:
    """Resumption counts and rates per day (all and 四上)."""
    return selectors.resumption_curve(user=request.user, start=start, end=end, area=area)


@router.get("/nonresumed", response=Page[NonResumedOut])
def nonresumed(
    request: AuthedRequest,
    reason: str = "",
    area: str = "",
    liaison: str = "",
    no_plan: bool = False,
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> Any:
    """Enterprises not fully resumed, with their reasons and responsible official (包联)."""
    qs = selectors.nonresumed_list(
        user=request.user, reason=reason, area=area, liaison=liaison, no_plan=no_plan
    )
    return paginate(qs, page, page_size)


@router.get("/nonresumed/reasons", response=list[dict[str, Any]])
def nonresumed_reasons(request: AuthedRequest, area: str = "") -> Any:
    return selectors.reasons_summary(user=request.user, area=area)


@router.get("/mine", response=EnterpriseOut)
def my_enterprise(request: AuthedRequest) -> Any:
    """The enterprise an enterprise user's account acts for."""
    return services.enterprise_of(request.user)


@router.post("/mine/commitments", response={201: CommitmentOut})
def commitment_file(request: AuthedRequest, body: CommitmentIn) -> Any:
    """File a resumption commitment (变审批为承诺) for your own enterprise: accepted at once."""
    return Status(201, services.commitment_file(actor=request.user, data=body.dict(), request=request))


@router.get("/commitments", response=Page[CommitmentOut])
def commitment_list(request: AuthedRequest, area: str = "", page: PageNumber = 1, page_size: PageSize = 50) -> Any:
    visible = selectors.enterprises_list(user=request.user, area=area)
    return paginate(
        Commitment.objects.filter(enterprise__in=visible).order_by("-filed_at", "-id"), page, page_size
    )


def _export_perm(user: User) -> None:
    if not has_perm_anywhere(user, Perm.ENTERPRISE_EXPORT):
        raise Forbidden("forbidden", "your role may not export")


@router.get("/commitments/export")
def commitment_export(request: AuthedRequest, area: str = "", format: str = "csv") -> HttpResponse:
    """Resumption commitments as CSV or XLSX."""
    user = request.user
    _export_perm(user)
    visible = selectors.enterprises_list(user=user, area=area, perm=Perm.ENTERPRISE_EXPORT)
    rows = (
        [r[0], r[1], r[2], r[3].isoformat(), r[4].isoformat(), r[5], r[6], r[7], ",".join(r[8] or [])]
        for r in Commitment.objects.filter(enterprise__in=visible)
        .order_by("-filed_at", "-id")
        .values_list(
            "id",
            "enterprise__credit_code",
            "enterprise__name",
            "filed_at",
            "planned_date",
            "declared_status",
            "employees_returning",
            "employees_from_outside",
            "measures",
        )[:EXPORT_LIMIT]
    )
    header = [
        "id",
        "credit_code",
        "enterprise",
        "filed_at",
        "planned_date",
        "declared_status",
        "employees_returning",
        "employees_from_outside",
        "measures",
    ]
    return table_response(
        user=user,
        header=header,
        rows=rows,
        name="commitments",
        fmt=format,
        object_type="enterprises.commitment",
        filters={"area": area},
        request=request,
    )


@router.get("/power/export")
def power_export(
    request: AuthedRequest, area: str = "", flagged: bool = False, format: str = "csv"
) -> HttpResponse:
    """Electricity readings with their cross-check, as CSV or XLSX (`flagged=true`: only disagreements)."""
    user = request.user
    _export_perm(user)
    visible = selectors.enterprises_list(user=user, area=area, perm=Perm.ENTERPRISE_EXPORT)
    qs = PowerReading.objects.filter(enterprise__in=visible)
    if flagged:
        qs = qs.filter(outcome__in=selectors.FLAGGED)
    header = [
        "credit_code",
        "enterprise",
        "period",
        "period_start",
        "kwh",
        "kwh_last_year",
        "ratio",
        "checked_status",
        "outcome",
    ]
    rows = (
        [r[0], r[1], r[2], r[3].isoformat(), *r[4:]]
        for r in qs.order_by("-period_start", "enterprise_id").values_list(
            "enterprise__credit_code",
            "enterprise__name",
            "period",
            "period_start",
            "kwh",
            "kwh_last_year",
            "ratio",
            "checked_status",
            "outcome",
        )[:EXPORT_LIMIT]
    )
    return table_response(
        user=user,
        header=header,
        rows=rows,
        name="power",
        fmt=format,
        object_type="enterprises.powerreading",
        filters={"area": area},
        request=request,
    )


@router.get("/deliveries", response=Page[DeliveryOut])
def delivery_list(
    request: AuthedRequest,
    policy: str = "",
    uptake: str = "",
    area: str = "",
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> Any:
    """Policies delivered to enterprises (送政策上门) and their uptake; filter by policy code or uptake."""
    qs = selectors.deliveries_list(user=request.user, policy=policy, uptake=uptake, area=area)
    return paginate(qs, page, page_size)


@router.get("/deliveries/export")
def delivery_export(
    request: AuthedRequest, policy: str = "", uptake: str = "", area: str = "", format: str = "csv"
) -> HttpResponse:
    user = request.user
    _export_perm(user)
    qs = selectors.deliveries_list(user=user, policy=policy, uptake=uptake, area=area)
    header = ["policy", "credit_code", "enterprise", "delivered_at", "channel", "uptake", "amount"]
    rows = (
        [r[0], r[1], r[2], r[3].isoformat(), r[4], r[5], r[6]]
        for r in qs.values_list(
            "policy__code",
            "enterprise__credit_code",
            "enterprise__name",
            "delivered_at",
            "channel",
            "uptake",
            "amount",
        )[:EXPORT_LIMIT]
    )
    return table_response(
        user=user,
        header=header,
        rows=rows,
        name="deliveries",
        fmt=format,
        object_type="enterprises.policydelivery",
        filters={"policy": policy, "uptake": uptake},
        request=request,
    )


@router.post("/inspections/{inspection_id}/done", response=InspectionOut)
def inspection_done(request: AuthedRequest, inspection_id: Id) -> Any:
    inspection = (
        Inspection.objects.select_related("enterprise")
        .filter(pk=inspection_id, enterprise__in=Enterprise.objects.visible_to(request.user))
        .first()
    )
    if inspection is None:
        raise NotFound("inspection_not_found", "no such inspection in your jurisdiction")
    return services.inspection_follow_up_done(actor=request.user, inspection=inspection, request=request)


@router.patch("/deliveries/{delivery_id}", response=DeliveryOut)
def delivery_uptake(request: AuthedRequest, delivery_id: Id, body: UptakeIn) -> Any:
    delivery = (
        PolicyDelivery.objects.select_related("enterprise")
        .filter(pk=delivery_id, enterprise__in=Enterprise.objects.visible_to(request.user))
        .first()
    )
    if delivery is None:
        raise NotFound("delivery_not_found", "no such delivery in your jurisdiction")
    return services.delivery_uptake(
        actor=request.user,
        delivery=delivery,
        uptake=body.uptake,
        amount=body.amount or None,
        note=body.note,
        request=request,
    )


@router.get("/dashboard", response=dict[str, Any])
def dashboard_data(request: AuthedRequest) -> Any:
    """The economic dashboard's figures as JSON (the page draws from the same function)."""
    user = request.user
    if not has_perm_anywhere(user, Perm.ECONOMY_DASHBOARD):
        raise Forbidden("forbidden", "your role does not see the economic dashboard")
    return dashboard.dashboard_json(user=user)


@router.get("/{enterprise_id}", response=EnterpriseOut)
def enterprise_detail(request: AuthedRequest, enterprise_id: Id) -> Any:
    return selectors.enterprise_get(user=request.user, pk=enterprise_id)


@router.patch("/{enterprise_id}", response=EnterpriseOut)
def enterprise_update(request: AuthedRequest, enterprise_id: Id, body: EnterprisePatch) -> Any:
    enterprise = selectors.enterprise_get(user=request.user, pk=enterprise_id)
    data: dict[str, Any] = {k: v for k, v in body.dict().items() if v is not None}
    if "above_designated" in data:
        data["above_designated"] = "yes" if data["above_designated"] else "no"
    return services.enterprise_update(actor=request.user, enterprise=enterprise, data=data, request=request)


@router.get("/{enterprise_id}/history", response=list[StatusChangeOut])
def enterprise_history(request: AuthedRequest, enterprise_id: Id) -> Any:
    enterprise = selectors.enterprise_get(user=request.user, pk=enterprise_id)
    return list(StatusChange.objects.filter(enterprise=enterprise)[:200])


@router.post("/{enterprise_id}/status", response=StatusChangeOut)
def enterprise_status(request: AuthedRequest, enterprise_id: Id, body: StatusIn) -> Any:
    enterprise = selectors.enterprise_get(user=request.user, pk=enterprise_id)
    return services.enterprise_status_set(
        actor=request.user,
        enterprise=enterprise,
        status=body.status,
        staff_share_back=body.staff_share_back,
        capacity_used=body.capacity_used,
        note=body.note,
        request=request,
    )


@router.post("/{enterprise_id}/reveal", response=dict[str, str])
def enterprise_reveal(request: AuthedRequest, enterprise_id: Id, body: EnterpriseRevealIn) -> Any:
    """The contact person in clear: needs the reveal permission at the enterprise's area; always audited."""
    enterprise = selectors.enterprise_get(user=request.user, pk=enterprise_id)
    return services.enterprise_reveal_contact(
        actor=request.user, enterprise=enterprise, reason=body.reason, request=request
    )


@router.post("/{enterprise_id}/members", response={204: None})
def enterprise_member(request: AuthedRequest, enterprise_id: Id, body: MemberIn) -> Any:
    """Link an enterprise user's account to this enterprise."""
    enterprise = selectors.enterprise_get(user=request.user, pk=enterprise_id)
    member = User.objects.filter(username=body.username).first()
    if member is None:
        raise NotFound("user_not_found", "no such account")
    services.enterprise_member_link(actor=request.user, enterprise=enterprise, user=member, request=request)
    return Status(204, None)


@router.get("/{enterprise_id}/inspections", response=list[InspectionOut])
def inspection_list(request: AuthedRequest, enterprise_id: Id) -> Any:
    enterprise = selectors.enterprise_get(user=request.user, pk=enterprise_id)
    return list(enterprise.inspections.all()[:200])


@router.post("/{enterprise_id}/inspections", response={201: InspectionOut})
def inspection_create(request: AuthedRequest, enterprise_id: Id, body: InspectionIn) -> Any:
    enterprise = selectors.enterprise_get(user=request.user, pk=enterprise_id)
    return Status(
        201,
        services.inspection_record(
            actor=request.user, enterprise=enterprise, data=body.dict(), request=request
        ),
    )


@router.put("/{enterprise_id}/reasons", response=list[str])
def enterprise_reasons(request: AuthedRequest, enterprise_id: Id, body: ReasonsIn) -> Any:
    enterprise = selectors.enterprise_get(user=request.user, pk=enterprise_id)
    return services.reasons_set(
        actor=request.user, enterprise=enterprise, reasons=body.reasons, note=body.note, request=request
    )


@router.put("/{enterprise_id}/liaison", response=EnterpriseOut)
def enterprise_liaison(request: AuthedRequest, enterprise_id: Id, body: LiaisonIn) -> Any:
    enterprise = selectors.enterprise_get(user=request.user, pk=enterprise_id)
    official = None
    if body.username:
        official = User.objects.filter(username=body.username).first()
        if official is None:
            raise NotFound("user_not_found", "no such official")
    return services.liaison_assign(
        actor=request.user, enterprise=enterprise, official=official, request=request
    )


@router.put("/{enterprise_id}/plan", response=dict[str, Any])
def enterprise_plan(request: AuthedRequest, enterprise_id: Id, body: TextIn) -> Any:
    enterprise = selectors.enterprise_get(user=request.user, pk=enterprise_id)
    plan = services.service_plan_save(
        actor=request.user, enterprise=enterprise, text=body.text, request=request
    )
    return {"text": plan.text, "updated_at": plan.updated_at.isoformat()}


@router.post("/{enterprise_id}/visits", response={201: VisitOut})
def enterprise_visit(request: AuthedRequest, enterprise_id: Id, body: VisitIn) -> Any:
    enterprise = selectors.enterprise_get(user=request.user, pk=enterprise_id)
    return Status(
        201,
        services.visit_record(
            actor=request.user,
            enterprise=enterprise,
            visited_on=body.visited_on,
            notes=body.notes,
            request=request,
        ),
    )


@router.get("/{enterprise_id}/policies", response=list[MatchOut])
def enterprise_policies(request: AuthedRequest, enterprise_id: Id) -> Any:
    """Every active policy with whether this enterprise qualifies, and why (each condition met or not)."""
    enterprise = selectors.enterprise_get(user=request.user, pk=enterprise_id)
    return selectors.policy_matches(enterprise=enterprise)


@router.post("/{enterprise_id}/deliveries", response={201: DeliveryOut})
def enterprise_delivery(request: AuthedRequest, enterprise_id: Id, body: DeliveryIn) -> Any:
    """送政策上门: record a policy brought to the enterprise (only one it qualifies for)."""
    enterprise = selectors.enterprise_get(user=request.user, pk=enterprise_id)
    policy = Policy.objects.filter(pk=body.policy_id, active=True).first()
    if policy is None:
        raise NotFound("policy_not_found", "no such active policy")
    return Status(
        201,
        services.policy_deliver(
            actor=request.user,
            enterprise=enterprise,
            policy=policy,
            channel=body.channel,
            note=body.note,
            request=request,
        ),
    )


# --- policies ---


@policy_router.get("", response=list[PolicyOut])
def policy_list(request: AuthedRequest, active: bool = False) -> Any:
    return list(selectors.policies_list(active_only=active)[:1000])


@policy_router.post("", response={201: PolicyOut})
def policy_create(request: AuthedRequest, body: PolicyIn) -> Any:
    """Add a policy; its rule is checked and every bad node is named by its path (core.policies)."""
    return Status(201, services.policy_save(actor=request.user, data=body.dict(), request=request))


@policy_router.get("/{policy_id}", response=PolicyOut)
def policy_detail(request: AuthedRequest, policy_id: Id) -> Any:
    policy = Policy.objects.filter(pk=policy_id).first()
    if policy is None:
        raise NotFound("policy_not_found", "no such policy")
    return policy


@policy_router.patch("/{policy_id}", response=PolicyOut)
def policy_update(request: AuthedRequest, policy_id: Id, body: PolicyPatch) -> Any:
    policy = Policy.objects.filter(pk=policy_id).first()
    if policy is None:
        raise NotFound("policy_not_found", "no such policy")
    data = {k: v for k, v in body.dict().items() if v is not None}
    return services.policy_save(actor=request.user, data=data, policy=policy, request=request)


# --- hotline ---


@hotline_router.get("/categories", response=list[CategoryOut])
def category_list(request: AuthedRequest) -> Any:
    return list(TicketCategory.objects.select_related("department"))


@hotline_router.get("/tickets", response=Page[TicketOut])
def ticket_list(
    request: AuthedRequest,
    status: str = "",
    department: str = "",
    overdue: bool = False,
    level: str = "",
    area: str = "",
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> Any:
    qs = selectors.tickets_list(
        user=request.user, status=status, department=department, overdue=overdue, level=level, area=area
    )
    return paginate(qs, page, page_size)


@hotline_router.post("/tickets", response={201: TicketOut})
def ticket_create(request: AuthedRequest, body: TicketIn) -> Any:
    """Raise a ticket: an enterprise user for its own enterprise, a handler for one in its jurisdiction."""
    enterprise = None
    if body.enterprise_id is not None:
        enterprise = selectors.enterprise_get(user=request.user, pk=body.enterprise_id)
    return Status(
        201,
        hotline.ticket_open(actor=request.user, data=body.dict(), enterprise=enterprise, request=request),
    )


@hotline_router.get("/tickets/export")
def ticket_export(
    request: AuthedRequest, status: str = "", department: str = "", format: str = "csv"
) -> HttpResponse:
    user = request.user
    if not has_perm_anywhere(user, Perm.HOTLINE_HANDLE) and not has_perm_anywhere(
        user, Perm.ENTERPRISE_EXPORT
    ):
        raise Forbidden("forbidden", "your role may not export tickets")
    qs = selectors.tickets_list(user=user, status=status, department=department).values_list(
        "id",
        "enterprise__credit_code",
        "enterprise__name",
        "category__code",
        "department__code",
        "title",
        "opened_at",
        "due_at",
        "status",
        "level",
        "resolved_at",
        "satisfaction",
    )[:EXPORT_LIMIT]
    header = [
        "id",
        "credit_code",
        "enterprise",
        "category",
        "department",
        "title",
        "opened_at",
        "due_at",
        "status",
        "level",
        "resolved_at",
        "satisfaction",
    ]
    rows = (
        [*r[:6], r[6].isoformat(), r[7].isoformat(), r[8], r[9], r[10].isoformat() if r[10] else "", r[11]]
        for r in qs
    )
    return table_response(
        user=user,
        header=header,
        rows=rows,
        name="tickets",
        fmt=format,
        object_type="enterprises.ticket",
        filters={"status": status, "department": department},
        request=request,
    )


@hotline_router.get("/tickets/{ticket_id}", response=TicketOut)
def ticket_detail(request: AuthedRequest, ticket_id: Id) -> Any:
    return selectors.ticket_get(user=request.user, pk=ticket_id)


@hotline_router.post("/tickets/{ticket_id}/reply", response=TicketOut)
def ticket_reply(request: AuthedRequest, ticket_id: Id, body: ReplyIn) -> Any:
    ticket = selectors.ticket_get(user=request.user, pk=ticket_id)
    return hotline.ticket_reply(actor=request.user, ticket=ticket, reply=body.reply, request=request)


@hotline_router.post("/tickets/{ticket_id}/rate", response=TicketOut)
def ticket_rate(request: AuthedRequest, ticket_id: Id, body: RateIn) -> Any:
    ticket = selectors.ticket_get(user=request.user, pk=ticket_id)
    return hotline.ticket_rate(
        actor=request.user,
        ticket=ticket,
        satisfaction=body.satisfaction,
        comment=body.comment,
        request=request,
    )


@hotline_router.post("/tickets/{ticket_id}/reopen", response=TicketOut)
def ticket_reopen(request: AuthedRequest, ticket_id: Id, body: EnterpriseRevealIn) -> Any:
    ticket = selectors.ticket_get(user=request.user, pk=ticket_id)
    return hotline.ticket_reopen(actor=request.user, ticket=ticket, comment=body.reason, request=request)


@hotline_router.get("/sla", response=list[dict[str, Any]])
def sla_report(request: AuthedRequest, days: int = 90) -> Any:
    """Per-department SLA report (core.sla): on-time rate, open by escalation level, satisfaction."""
    out = []
    for row in selectors.sla_report(user=request.user, days=min(max(days, 1), 366)):
        r = row["sla"]
        out.append(
            {
                "department": row["department"],
                "total": r.total,
                "resolved": r.resolved,
                "resolved_on_time": r.resolved_on_time,
                "open": r.open,
                "overdue_open": r.overdue_open,
                "on_time_rate": r.on_time_rate,
                "open_at_head": row["head"],
                "open_at_hq": row["hq"],
                "median_resolution_hours": r.median_resolution.total_seconds() / 3600
                if r.median_resolution
                else None,
                "mean_satisfaction": r.mean_satisfaction,
            }
        )
    return out

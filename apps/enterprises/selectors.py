"""Reads of the enterprises app, always scoped to the caller's jurisdiction in SQL, and the aggregates behind
the economic dashboard (rates by any grouping in one GROUP BY, the curve over time in another)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Avg, Count, F, FloatField, Max, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from apps.accounts.choices import Perm
from apps.accounts.models import User
from apps.accounts.scoping import area_q, grant_prefixes
from apps.common.errors import NotFound
from apps.enterprises.choices import Status, TicketStatus
from apps.enterprises.models import (
    Commitment,
    CurveDay,
    Enterprise,
    EnterpriseReason,
    Inspection,
    Policy,
    PolicyDelivery,
    PowerReading,
    ReasonCell,
    ResumptionCell,
    ServicePlan,
    StatusChange,
    Ticket,
    own_enterprise_ids,
)
from apps.enterprises.services import enterprise_attrs
from core import policies as policy_rules
from core import sla
from core.geocodes import AreaCodeError, scope_prefix
from core.resumption import GroupField, GroupKey, ResumptionRates

FLAGGED = ("reported_without_power", "power_without_report")
# core.resumption's grouping names -> our columns
GROUP_COLUMNS: dict[str, str] = {
    "district": "district",
    "industry_section": "industry_section",
    "size_class": "size_class",
    "above_designated_size": "above_designated",
}


def _area_prefix(qs: QuerySet[Any], area: str, field: str = "area") -> QuerySet[Any]:
    if not area:
        return qs
    try:
        return qs.filter(**{f"{field}__code__startswith": scope_prefix(area)})
    except AreaCodeError:
        return qs.none()


def enterprises_list(
    *,
    user: User,
    query: str = "",
    area: str = "",
    industry: str = "",
    size: str = "",
    status: str = "",
    above: str = "",
    reason: str = "",
    perm: str = Perm.ENTERPRISE_VIEW,
) -> QuerySet[Enterprise]:
    qs = Enterprise.objects.visible_to(user, perm).filter(active=True).select_related("area")
    text = query.strip()
    if text:
        code = "".join(text.split()).upper()
        qs = qs.filter(Q(credit_code=code) | Q(name__icontains=text))
    qs = _area_prefix(qs, area)
    if industry:
        qs = qs.filter(industry_section=industry)
    if size:
        qs = qs.filter(size_class=size)
    if status == "not_fully":
        qs = qs.exclude(status=Status.FULLY)
    elif status:
        qs = qs.filter(status=status)
    if above in ("1", "true", "yes"):
        qs = qs.filter(above_designated=True)
    if reason:
        qs = qs.filter(pk__in=EnterpriseReason.objects.filter(reason=reason).values("enterprise_id"))
    return qs.order_by("id")


def enterprise_get(*, user: User, pk: int, perm: str = Perm.ENTERPRISE_VIEW) -> Enterprise:
    enterprise = (
        Enterprise.objects.visible_to(user, perm).select_related("area", "liaison").filter(pk=pk).first()
    )
    if enterprise is None:
        # The same answer for "does not exist" and "not yours": no probing of other districts.
        raise NotFound("enterprise_not_found", "no such enterprise in your jurisdiction")
    return enterprise


def enterprise_detail(*, enterprise: Enterprise) -> dict[str, Any]:
    """Everything the detail page and API show beside the registry fields (a fixed number of queries)."""
    reasons = list(enterprise.reasons.order_by("reason"))
    return {
        "reasons": reasons,
        "history": list(enterprise.status_changes.select_related("actor")[:50]),
        "commitments": list(enterprise.commitments.all()[:20]),
        "inspections": list(
            Inspection.objects.filter(enterprise=enterprise).select_related("inspector")[:20]
        ),
        "plan": ServicePlan.objects.filter(enterprise=enterprise).select_related("updated_by").first(),
        "visits": list(enterprise.visits.select_related("official")[:20]),
        "deliveries": list(enterprise.policy_deliveries.select_related("policy")[:50]),
        "policies": policy_matches(enterprise=enterprise, reasons=[r.reason for r in reasons]),
        "power": list(enterprise.power_readings.all()[:12]),
        "tickets": list(enterprise.tickets.select_related("category", "department")[:20]),
    }


def policy_matches(*, enterprise: Enterprise, reasons: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Every active policy with whether the enterprise qualifies and why (core.policies)."""
    catalogue = list(Policy.objects.filter(active=True).order_by("code"))
    attrs = enterprise_attrs(enterprise, reasons)
    matches = policy_rules.match_policies(((str(p.pk), p.rule) for p in catalogue), attrs)
    by_pk = {str(p.pk): p for p in catalogue}
    return [
        {"policy": by_pk[m.policy_id], "eligible": m.eligible, "explanations": m.explanations}
        for m in matches
    ]


# --- rates (开工复工率) ---


def district_scope(user: User, area: str = "") -> Q | None:
    """A filter on district codes equal to the user's jurisdiction (and `area`), or None when the scope is finer
    than whole districts (a street or community officer, an enterprise user) and only live queries are exact."""
    if own_enterprise_ids(user):
        return None
    prefixes = grant_prefixes(user, Perm.ENTERPRISE_VIEW)
    if any(len(p) > 6 for p in prefixes):
        return None
    if area:
        try:
            wanted = scope_prefix(area)
        except AreaCodeError:
            return Q(pk__in=[])
        if len(wanted) > 6:
            return None
        prefixes = (
            [wanted]
            if any(wanted.startswith(p) for p in prefixes)
            else [p for p in prefixes if p.startswith(wanted)]
        )
    q = Q(pk__in=[])
    for prefix in prefixes:
        q |= Q(district__startswith=prefix)
    return q


def _rates_rows(user: User, area: str = "") -> list[dict[str, Any]]:
    """Grouped counts by every grouping column (at most districts × 20 sections × 4 sizes × 2 rows): read from
    the write-time cells when the scope is whole districts, else one live GROUP BY over the registry."""
    scope = district_scope(user, area)
    if scope is not None:
        cells = ResumptionCell.objects.filter(scope, active__gt=0).values(
            "district",
            "industry_section",
            "size_class",
            "above_designated",
            "fully",
            "partly",
            n=F("active"),
            staff=F("employees"),
            staff_back=F("employees_back"),
            capacity=F("capacity_resumed"),
        )
        return [*cells, *_waiting_rows(user, area)]
    return [*_rates_rows_live(user, area), *_waiting_rows(user, area)]


def _waiting_rows(user: User, area: str = "") -> list[dict[str, Any]]:
    """Not-resumed firms whose filed commitment waits for its planned date (已承诺未开工), as rows of zero
    counts but `waiting`, so roll_up adds them to the same groups. Few rows: one small indexed query."""
    waiting = Commitment.objects.filter(opened_at__isnull=True).values("enterprise_id")
    qs = _area_prefix(Enterprise.objects.visible_to(user).filter(active=True), area).filter(
        status=Status.NOT_RESUMED, pk__in=waiting
    )
    return [
        {**row, "n": 0, "fully": 0, "partly": 0, "staff": 0, "staff_back": 0.0, "capacity": 0.0}
        for row in qs.values(*GROUP_COLUMNS.values()).annotate(waiting=Count("id")).order_by()
    ]


def _rates_rows_live(user: User, area: str = "") -> list[dict[str, Any]]:
    qs = _area_prefix(Enterprise.objects.visible_to(user).filter(active=True), area)
    resumed = ~Q(status=Status.NOT_RESUMED)
    return list(
        qs.values(*GROUP_COLUMNS.values())
        .annotate(
            n=Count("id"),
            fully=Count("id", filter=Q(status=Status.FULLY)),
            partly=Count("id", filter=Q(status=Status.PARTLY)),
            staff=Sum("employees"),
            staff_back=Sum(F("employees") * F("staff_share_back"), filter=resumed, output_field=FloatField()),
            capacity=Sum("capacity_used", filter=resumed),
        )
        .order_by()
    )


def roll_up(
    rows: Iterable[dict[str, Any]], by: Sequence[GroupField] = (), *, above_designated_only: bool = False
) -> dict[GroupKey, ResumptionRates]:
    """Sum grouped counts into core.resumption's ResumptionRates per key (same keys as resumption_rates)."""
    columns = [GROUP_COLUMNS[f] for f in by]
    acc: dict[GroupKey, list[Any]] = {}
    for r in rows:
        if above_designated_only and not r["above_designated"]:
            continue
        a = acc.setdefault(tuple(r[c] for c in columns), [0, 0, 0, 0, 0.0, 0.0, 0])
        a[0] += r["n"]
        a[1] += r["fully"]
        a[2] += r["partly"]
        a[3] += r["staff"] or 0
        a[4] += float(r["staff_back"] or 0.0)
        a[5] += float(r["capacity"] or 0.0)
        a[6] += r.get("waiting", 0)
    return {
        k: ResumptionRates(
            active=n,
            fully=f,
            partly=p,
            not_resumed=n - f - p,
            employees=e,
            employees_back=b,
            capacity_sum_resumed=c,
            filed_not_open=w,
        )
        for k, (n, f, p, e, b, c, w) in acc.items()
    }


def resumption_rates(
    *, user: User, by: Sequence[GroupField] = (), above_designated_only: bool = False, area: str = ""
) -> dict[GroupKey, ResumptionRates]:
    return roll_up(_rates_rows(user, area), by, above_designated_only=above_designated_only)


CURVE_LEAD_IN = dt.timedelta(days=366)


def resumption_curve(
    *, user: User, start: dt.date | None = None, end: dt.date | None = None, area: str = ""
) -> list[dict[str, Any]]:
    """Resumed and fully resumed counts and rates per day, for all and for 四上 enterprises.

    One GROUP BY day over the status history's deltas and a running sum; without `end` the curve runs to
    today, or to the last report when that is over a month old. The denominator is today's active
    registry in scope (the registry barely moves over weeks; a register of past registrations is not kept).
    """
    scope = district_scope(user, area)
    if scope is not None:  # the write-time per-day counters and cells: bounded by days × districts
        per_day = list(
            CurveDay.objects.filter(scope)
            .values("day", "above_designated")
            .annotate(r=Sum("resumed"), f=Sum("fully"))
            .order_by("day")
        )
        totals = ResumptionCell.objects.filter(scope).aggregate(
            n=Sum("active"), above=Sum("active", filter=Q(above_designated=True))
        )
        totals = {"n": totals["n"] or 0, "above": totals["above"] or 0}
    else:
        changes = _area_prefix(StatusChange.objects.filter(area_q(user, Perm.ENTERPRISE_VIEW)), area)
        per_day = list(
            changes.values("day", "above_designated")
            .annotate(r=Sum("delta_resumed"), f=Sum("delta_fully"))
            .order_by("day")
        )
        denominators = _area_prefix(
            Enterprise.objects.filter(area_q(user, Perm.ENTERPRISE_VIEW), active=True), area
        )
        totals = denominators.aggregate(n=Count("id"), above=Count("id", filter=Q(above_designated=True)))
    days: dict[dt.date, list[int]] = {}
    for row in per_day:
        d = days.setdefault(row["day"], [0, 0, 0, 0])
        d[0] += row["r"] or 0
        d[1] += row["f"] or 0
        if row["above_designated"]:
            d[2] += row["r"] or 0
            d[3] += row["f"] or 0
    if not days:
        return []
    today, last = timezone.localdate(), max(days)
    if end is None:
        # Up to today while reports still come in; a history that ended long ago stops at its last report.
        end = today if (today - last).days <= 31 else last
    # A range is clamped to the days the data covers, with at most a year of zeros before the first report:
    # `start=1900-01-01` must not answer a century of zeros.
    end = min(end, max(today, last))
    first = min(days) if start is None else max(start, min(days) - CURVE_LEAD_IN)
    running = [0, 0, 0, 0]
    for day in sorted(days):
        if day < first:
            running = [a + b for a, b in zip(running, days[day], strict=True)]
    out = []
    day = first
    while day <= end:
        running = [a + b for a, b in zip(running, days.get(day, [0, 0, 0, 0]), strict=True)]
        n, above = totals["n"], totals["above"]
        out.append(
            {
                "day": day,
                "resumed": running[0],
                "fully": running[1],
                "active": n,
                "resumed_rate": running[0] / n if n else None,
                "fully_rate": running[1] / n if n else None,
                "above_resumed": running[2],
                "above_active": above,
                "above_resumed_rate": running[2] / above if above else None,
            }
        )
        day += dt.timedelta(days=1)
    return out


# --- the non-resumed list (未复工企业清单) ---


def nonresumed_list(
    *,
    user: User,
    reason: str = "",
    area: str = "",
    liaison: str = "",
    no_plan: bool = False,
) -> QuerySet[Enterprise]:
    qs = enterprises_list(user=user, area=area, status="not_fully", reason=reason).select_related("liaison")
    if liaison == "none":
        qs = qs.filter(liaison__isnull=True)
    if no_plan:
        qs = qs.filter(service_plan__isnull=True)
    return qs.prefetch_related(Prefetch("reasons", queryset=EnterpriseReason.objects.order_by("reason")))


def reasons_summary(*, user: User, area: str = "") -> list[dict[str, Any]]:
    """Non-resumed enterprises per reason (an enterprise may give several reasons): from the write-time
    reason cells for whole-district scopes, else one live GROUP BY."""
    scope = district_scope(user, area)
    if scope is not None:
        rows = (
            ReasonCell.objects.filter(scope, open_count__gt=0)
            .values("reason")
            .annotate(n=Sum("open_count"))
            .order_by("-n", "reason")
        )
        return list(rows)
    qs = EnterpriseReason.objects.filter(
        area_q(user, Perm.ENTERPRISE_VIEW, field="enterprise__area"),
        enterprise__active=True,
    ).exclude(enterprise__status=Status.FULLY)
    qs = _area_prefix(qs, area, field="enterprise__area")
    return list(qs.values("reason").annotate(n=Count("id")).order_by("-n", "reason"))


def power_flags(*, user: User, area: str = "") -> QuerySet[PowerReading]:
    qs = PowerReading.objects.filter(area_q(user, Perm.ENTERPRISE_VIEW), outcome__in=FLAGGED)
    return _area_prefix(qs, area).select_related("enterprise").order_by("-period_start", "enterprise_id")


def policies_list(*, active_only: bool = False) -> QuerySet[Policy]:
    qs = Policy.objects.all()
    return qs.filter(active=True) if active_only else qs


def deliveries_list(
    *, user: User, policy: str = "", uptake: str = "", area: str = ""
) -> QuerySet[PolicyDelivery]:
    qs = PolicyDelivery.objects.filter(area_q(user, Perm.ENTERPRISE_VIEW, field="enterprise__area"))
    if policy:
        qs = qs.filter(policy__code=policy)
    if uptake:
        qs = qs.filter(uptake=uptake)
    return (
        _area_prefix(qs, area, field="enterprise__area")
        .select_related("policy", "enterprise")
        .order_by("-delivered_at", "-id")
    )


def policy_uptake(*, user: User) -> list[dict[str, Any]]:
    qs = PolicyDelivery.objects.filter(area_q(user, Perm.ENTERPRISE_VIEW, field="enterprise__area"))
    return list(
        qs.values("policy__code", "policy__title", "uptake").annotate(n=Count("id")).order_by("policy__code")
    )


# --- hotline ---


def tickets_list(
    *,
    user: User,
    status: str = "",
    department: str = "",
    overdue: bool = False,
    level: str = "",
    area: str = "",
) -> QuerySet[Ticket]:
    qs = Ticket.objects.visible_to(user).select_related("enterprise", "category", "department")
    if status:
        qs = qs.filter(status=status)
    if department:
        qs = qs.filter(department__code=department)
    if overdue:
        qs = qs.filter(status=TicketStatus.OPEN, due_at__lt=timezone.now())
    if level.isdigit():
        qs = qs.filter(level=int(level))
    return _area_prefix(qs, area).order_by("-opened_at", "-id")


def ticket_get(*, user: User, pk: int) -> Ticket:
    ticket = (
        Ticket.objects.visible_to(user)
        .select_related("enterprise", "category", "department", "opened_by")
        .filter(pk=pk)
        .first()
    )
    if ticket is None:
        raise NotFound("ticket_not_found", "no such ticket in your jurisdiction")
    return ticket


def sla_report(*, user: User, days: int = 90, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """core.sla's per-department report over the tickets the user sees, opened in the `days` days up to the
    latest ticket; open tickets are judged as of `now`."""
    from apps.enterprises.hotline import hq_after

    at = now or timezone.now()
    visible = Ticket.objects.visible_to(user)
    # The window ends at the latest ticket, so a quiet hotline (or last spring's demo) still has a report.
    latest = visible.aggregate(m=Max("opened_at"))["m"] or at
    rows = visible.filter(opened_at__gte=min(at, latest) - dt.timedelta(days=days)).values_list(
        "department__name", "opened_at", "due_at", "resolved_at", "satisfaction"
    )
    facts = [sla.TicketFacts(d, o, due, r, s) for d, o, due, r, s in rows]
    report = sla.sla_report(facts, at, headquarters_after=hq_after())
    return [
        {
            "department": name,
            "sla": r,
            "hq": r.open_by_level.get(sla.EscalationLevel.HEADQUARTERS, 0),
            "head": r.open_by_level.get(sla.EscalationLevel.DEPARTMENT_HEAD, 0),
        }
        for name, r in report.items()
    ]


def recent_commitments(*, user: User, limit: int = 10) -> list[Commitment]:
    qs = Commitment.objects.filter(area_q(user, Perm.ENTERPRISE_VIEW, field="enterprise__area"))
    return list(qs.select_related("enterprise").order_by("-filed_at", "-id")[:limit])


def sla_summary(*, user: User, days: int = 90, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """The same per-department figures as `sla_report`, counted in one GROUP BY instead of in Python, for the
    dashboard: bounded whatever the number of tickets. Only the median resolution time is left out."""
    from apps.enterprises.hotline import hq_after

    at = now or timezone.now()
    visible = Ticket.objects.visible_to(user)
    latest = visible.aggregate(m=Max("opened_at"))["m"] or at
    resolved = Q(resolved_at__isnull=False, resolved_at__lte=at)
    still_open = Q(resolved_at__isnull=True) | Q(resolved_at__gt=at)
    rows = (
        visible.filter(opened_at__gte=min(at, latest) - dt.timedelta(days=days))
        .values("department__name")
        .annotate(
            total=Count("id"),
            resolved=Count("id", filter=resolved),
            on_time=Count("id", filter=resolved & Q(resolved_at__lte=F("due_at"))),
            overdue=Count("id", filter=still_open & Q(due_at__lt=at)),
            at_hq=Count("id", filter=still_open & Q(due_at__lt=at - hq_after())),
            satisfaction=Avg("satisfaction", filter=resolved),
        )
        .order_by("department__name")
    )
    out = []
    for r in rows:
        still = r["total"] - r["resolved"]
        report = sla.DepartmentSla(
            department=r["department__name"],
            total=r["total"],
            resolved=r["resolved"],
            resolved_on_time=r["on_time"],
            open=still,
            overdue_open=r["overdue"],
            open_by_level={
                sla.EscalationLevel.OWNER: still - r["overdue"],
                sla.EscalationLevel.DEPARTMENT_HEAD: r["overdue"] - r["at_hq"],
                sla.EscalationLevel.HEADQUARTERS: r["at_hq"],
            },
            mean_satisfaction=r["satisfaction"],
        )
        out.append(
            {
                "department": report.department,
                "sla": report,
                "hq": r["at_hq"],
                "head": r["overdue"] - r["at_hq"],
            }
        )
    return out

"""Reads of schools and disputes, scoped in SQL: readiness per school and per district, dispute statistics."""

from __future__ import annotations

import statistics
from typing import Any

from django.db.models import Count, Q, QuerySet

from apps.accounts.choices import Perm
from apps.accounts.models import User
from apps.accounts.scoping import area_q
from apps.common.errors import NotFound
from apps.geo.choices import AreaLevel
from apps.geo.models import Area
from apps.society.choices import LEVEL_GRADES, ChecklistGroup, DisputeStatus, grade_name
from apps.society.models import ChecklistItem, Dispute, School, SchoolCheck, SchoolGrade
from core.geocodes import AreaCodeError, scope_prefix


def _under(qs: QuerySet[Any], area: str) -> QuerySet[Any]:
    if not area:
        return qs
    try:
        return qs.filter(area__code__startswith=scope_prefix(area))
    except AreaCodeError:
        return qs.none()


def active_item_count() -> int:
    return ChecklistItem.objects.filter(active=True).count()


def schools_list(
    *,
    user: User,
    area: str = "",
    level: str = "",
    readiness: str = "",
    query: str = "",
    perm: str = Perm.SCHOOL_VIEW,
) -> QuerySet[School]:
    """Schools with `done` (active items done) annotated; readiness filter: ready / not_ready / reopened."""
    qs = (
        _under(School.objects.filter(area_q(user, perm)), area)
        .select_related("area")
        .annotate(done=Count("checks", filter=Q(checks__done=True, checks__item__active=True)))
    )
    if level:
        qs = qs.filter(level=level)
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(code=query))
    if readiness == "reopened":
        qs = qs.filter(actual_reopen__isnull=False)
    elif readiness in ("ready", "not_ready"):
        total = active_item_count()
        qs = qs.filter(done__gte=total) if readiness == "ready" else qs.filter(done__lt=total)
    return qs.order_by("code")


def school_get(*, user: User, pk: int, perm: str = Perm.SCHOOL_VIEW) -> School:
    school = School.objects.filter(area_q(user, perm), pk=pk).select_related("area").first()
    if school is None:
        raise NotFound("school_not_found", "no such school in your jurisdiction")
    return school


def school_readiness(*, school: School) -> dict[str, Any]:
    """The checklist of one school by group, each item with its check (or None), and what is still missing."""
    items = list(ChecklistItem.objects.filter(active=True))
    checks = {c.item_id: c for c in SchoolCheck.objects.filter(school=school)}
    groups = []
    for value, label in ChecklistGroup.choices:
        rows = [(i, checks.get(i.pk)) for i in items if i.group == value]
        if rows:
            groups.append(
                {
                    "group": value,
                    "label": label,
                    "items": rows,
                    "done": sum(1 for _, c in rows if c and c.done),
                }
            )
    missing = [i for i in items if not (checks.get(i.pk) and checks[i.pk].done)]
    total = len(items)
    return {
        "groups": groups,
        "missing": missing,
        "total": total,
        "done": total - len(missing),
        "share": (total - len(missing)) / total if total else None,
    }


def school_grades(*, school: School) -> dict[str, Any]:
    """Every grade of the school's level, graduating year first, with its students and reopening dates; and how
    many grades and students are back (分年级复学)."""
    stored = {g.grade: g for g in SchoolGrade.objects.filter(school=school)}
    rows = []
    for grade in range(len(LEVEL_GRADES.get(school.level, ())), 0, -1):
        g = stored.get(grade)
        rows.append(
            {
                "grade": grade,
                "name": grade_name(school.level, grade),
                "graduating": grade == len(LEVEL_GRADES[school.level]),
                "students": g.students if g else 0,
                "planned_reopen": g.planned_reopen if g else None,
                "actual_reopen": g.actual_reopen if g else None,
            }
        )
    back = [r for r in rows if r["actual_reopen"] is not None]
    return {
        "grades": rows,
        "grades_back": len(back),
        "students_back": sum(r["students"] for r in back),
        "fully_reopened": bool(rows) and len(back) == len(rows),
    }


def school_readiness_by_district(*, user: User) -> list[dict[str, Any]]:
    """Per district in scope: schools, fully ready, reopened, and the mean share of items done. Two queries."""
    total = active_item_count()
    rows = schools_list(user=user).order_by().values_list("area_id", "done", "actual_reopen")
    acc: dict[str, list[float]] = {}
    for area_id, done, reopened in rows:
        a = acc.setdefault(str(area_id)[:6], [0, 0, 0, 0.0])
        a[0] += 1
        a[1] += total > 0 and done >= total
        a[2] += reopened is not None
        a[3] += done / total if total else 0
    names = {a.code: a.name for a in Area.objects.filter(code__in=list(acc), level=AreaLevel.DISTRICT)}
    return [
        {
            "district_code": d,
            "district_name": names.get(d, d),
            "schools": int(a[0]),
            "ready": int(a[1]),
            "reopened": int(a[2]),
            "readiness": a[3] / a[0] if a[0] else None,
        }
        for d, a in sorted(acc.items())
    ]


def disputes_list(
    *,
    user: User,
    area: str = "",
    kind: str = "",
    status: str = "",
    party: str = "",
    perm: str = Perm.DISPUTE_VIEW,
) -> QuerySet[Dispute]:
    """`party` is a full name, matched exactly through its keyed hash (names are encrypted)."""
    qs = _under(Dispute.objects.filter(area_q(user, perm)), area).select_related("area")
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if party:
        from apps.society.services import party_hash

        h = party_hash(party)
        qs = qs.filter(Q(claimant_hash=h) | Q(respondent_hash=h))
    return qs.order_by("-opened_on", "-id")


def dispute_get(*, user: User, pk: int, perm: str = Perm.DISPUTE_VIEW) -> Dispute:
    dispute = Dispute.objects.filter(area_q(user, perm), pk=pk).select_related("area").first()
    if dispute is None:
        raise NotFound("dispute_not_found", "no such dispute in your jurisdiction")
    return dispute


def dispute_counts(*, user: User) -> dict[str, int]:
    counts = dict.fromkeys(DisputeStatus.values, 0)
    for row in disputes_list(user=user).order_by().values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    counts["total"] = sum(counts.values())
    return counts


def dispute_stats(*, user: User) -> list[dict[str, Any]]:
    """Per type: how many, how many closed, the amount at stake, and the median days to resolve."""
    rows = (
        disputes_list(user=user).order_by().values_list("kind", "status", "amount", "opened_on", "closed_on")
    )
    acc: dict[str, dict[str, Any]] = {}
    for kind, status, amount, opened, closed in rows:
        a = acc.setdefault(kind, {"kind": kind, "count": 0, "closed": 0, "amount": 0.0, "days": []})
        a["count"] += 1
        a["amount"] += float(amount or 0)
        if closed:
            a["closed"] += 1
        if closed and status == DisputeStatus.RESOLVED:
            a["days"].append((closed - opened).days)
    return [
        {
            **{k: v for k, v in a.items() if k != "days"},
            "median_days_to_resolve": statistics.median(a["days"]) if a["days"] else None,
        }
        for a in sorted(acc.values(), key=lambda a: a["kind"])
    ]

"""Writes of the epi app: district risk levels by the February 2020 rule, recomputed daily and on new cases."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import Substr, TruncDate
from django.utils import timezone

from apps.cases.choices import CONFIRMED_STATUSES, Origin
from apps.cases.models import Case, Cluster
from apps.epi.models import DistrictRisk
from apps.geo.choices import AreaLevel
from apps.geo.models import Area
from apps.people.models import Person
from core import risk

SHANGHAI = ZoneInfo("Asia/Shanghai")


def confirmed_days_by_district() -> dict[str, list[dt.date]]:
    """Every confirmed case's local confirmation day, per district, aggregated in SQL (one query).

    Cases imported from abroad are left out: they are isolated on arrival inside the closed loop
    (闭环管理), so they say nothing of transmission in the district they were screened in."""
    rows = (
        Case.objects.filter(status__in=CONFIRMED_STATUSES, confirmed_at__isnull=False)
        .exclude(origin=Origin.ABROAD)
        .annotate(district=Substr("area_id", 1, 6), day=TruncDate("confirmed_at", tzinfo=SHANGHAI))
        .values("district", "day")
        .annotate(n=Count("id"))
        .order_by()
    )
    days: dict[str, list[dt.date]] = defaultdict(list)
    for row in rows:
        days[row["district"]].extend([row["day"]] * row["n"])
    return days


def cluster_days_by_district() -> dict[str, list[dt.date]]:
    """A cluster counts for every district it has cases in, dated by its latest case."""
    days: dict[str, list[dt.date]] = defaultdict(list)
    for districts, last in Cluster.objects.values_list("districts", "last_day"):
        for district in districts:
            days[district].append(last)
    return days


@transaction.atomic
def risk_recompute(
    *, today: dt.date | None = None, rule: risk.RiskRule | None = None
) -> dict[str, DistrictRisk]:
    """Assess every district for `today` (local) and store the level with its reason."""
    day = today or timezone.localdate()
    cases, clusters = confirmed_days_by_district(), cluster_days_by_district()
    districts = list(Area.objects.filter(level=AreaLevel.DISTRICT).values_list("code", flat=True))
    before = {
        r.area_id: r.level for r in DistrictRisk.objects.filter(day__lte=day).order_by("area_id", "day")
    }
    assessed = risk.assess_districts(
        {d: (cases.get(d, []), clusters.get(d, [])) for d in districts}, day, rule
    )
    out: dict[str, DistrictRisk] = {}
    for code, a in assessed.items():
        row, _ = DistrictRisk.objects.update_or_create(
            area_id=code,
            day=day,
            defaults={
                "level": a.level.value,
                "reason_code": a.reason.code,
                "reason_zh": a.reason.zh,
                "reason_en": a.reason.en,
                "cumulative_cases": a.cumulative_cases,
                "new_cases": a.new_cases,
                "clusters": a.clusters,
            },
        )
        out[code] = row
    changed = [code for code, row in out.items() if before.get(code, "low") != row.level]
    if changed:
        # Every resident's code has the residence risk as a fact (分区分级 → 健康码).
        from apps.codes.services import codes_recompute_on_commit

        q = Q()
        for code in changed:
            q |= Q(area__code__startswith=code)
        codes_recompute_on_commit(
            Person.objects.filter(q).values_list("pk", flat=True).iterator(chunk_size=5000)
        )
    return out


def risk_levels_today() -> dict[str, DistrictRisk]:
    """Today's levels, computed on first read of the day (the daily recompute for a quiet day)."""
    day = timezone.localdate()
    rows = {r.area_id: r for r in DistrictRisk.objects.filter(day=day)}
    if not rows:
        rows = risk_recompute(today=day)
    return rows

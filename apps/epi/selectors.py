"""Reads of the epi app (科学精准): curve, Rt, delays, projection, risk map and the transmission-chain graph.

Everything is aggregated in SQL over the cases the user may see (permission epi.view), then handed to
core.epi as plain daily counts: the dashboard costs a handful of queries at any number of cases.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import pgettext_lazy as pgettext

from apps.accounts.choices import Perm
from apps.accounts.models import User
from apps.cases.choices import CONFIRMED_STATUSES, IMPORTED_ORIGINS, CaseStatus, ContactStatus, Origin
from apps.cases.models import Case, Contact, TransmissionLink
from apps.epi.models import DistrictRisk
from apps.epi.services import risk_levels_today
from apps.geo.choices import AreaLevel
from apps.geo.maps import AreaMap, area_map
from apps.geo.models import Area
from core import epi
from core.geocodes import AreaCodeError, scope_prefix

SHANGHAI = ZoneInfo("Asia/Shanghai")
RISK_FILLS = {"low": "#8fd19e", "medium": "#f6d365", "high": "#e57373"}


def confirmed_cases(*, user: User, area: str = "") -> QuerySet[Case]:
    qs = Case.objects.visible_to(user, Perm.EPI_VIEW).filter(status__in=CONFIRMED_STATUSES)
    if area:
        try:
            qs = qs.filter(area__code__startswith=scope_prefix(area))
        except AreaCodeError:
            qs = qs.none()
    return qs


def _counts(qs: QuerySet[Case], day_expr: Any) -> dict[tuple[dt.date, str], int]:
    rows = qs.annotate(d=day_expr).exclude(d=None).values("d", "origin").annotate(n=Count("id")).order_by()
    return {(r["d"], r["origin"]): r["n"] for r in rows}


def curve(*, user: User, area: str = "") -> list[epi.CurveDay]:
    """Daily confirmed cases by onset and by report, local vs imported (and of those, from abroad), zeros
    filled in (two queries)."""
    qs = confirmed_cases(user=user, area=area)
    onset = _counts(qs, F("onset_date"))
    report = _counts(qs, TruncDate("reported_at", tzinfo=SHANGHAI))
    days = [d for d, _ in onset] + [d for d, _ in report]
    if not days:
        return []
    first, last = min(days), max(days)
    out = []
    for i in range((last - first).days + 1):
        d = first + dt.timedelta(days=i)
        out.append(
            epi.CurveDay(
                d,
                onset.get((d, Origin.LOCAL), 0),
                sum(onset.get((d, o), 0) for o in IMPORTED_ORIGINS),
                report.get((d, Origin.LOCAL), 0),
                sum(report.get((d, o), 0) for o in IMPORTED_ORIGINS),
                onset_abroad=onset.get((d, Origin.ABROAD), 0),
                report_abroad=report.get((d, Origin.ABROAD), 0),
            )
        )
    return out


@dataclass(frozen=True)
class Incidence:
    start: dt.date | None
    local: list[int]
    imported: list[int]


def incidence(*, user: User, area: str = "") -> Incidence:
    """Daily incidence by onset (or confirmation day when onset is unknown), local and imported."""
    qs = confirmed_cases(user=user, area=area)
    counts = _counts(qs, Coalesce("onset_date", TruncDate("confirmed_at", tzinfo=SHANGHAI)))
    if not counts:
        return Incidence(None, [], [])
    first = min(d for d, _ in counts)
    last = max(d for d, _ in counts)
    n = (last - first).days + 1
    local, imported = [0] * n, [0] * n
    for (d, origin), value in counts.items():
        (imported if origin in IMPORTED_ORIGINS else local)[(d - first).days] += value
    return Incidence(first, local, imported)


def reproduction(
    *, user: User, area: str = "", config: epi.RConfig | None = None, inc: Incidence | None = None
) -> list[epi.REstimate]:
    inc = inc or incidence(user=user, area=area)
    if len(inc.local) < 2:
        return []
    return epi.estimate_r(inc.local, inc.imported, config, start_date=inc.start)


def projection(
    *, user: User, area: str = "", config: epi.RConfig | None = None, inc: Incidence | None = None
) -> epi.Projection | None:
    inc = inc or incidence(user=user, area=area)
    try:
        return epi.project_incidence(inc.local, inc.imported, config, start_date=inc.start)
    except ValueError:
        return None  # too short a series: no projection rather than a made-up one


def delays(*, user: User, area: str = "", weeks: int = 16) -> list[epi.WeeklyDelay]:
    """Onset → report → isolation by ISO week of the later event, over the last `weeks` weeks."""
    since = timezone.now() - dt.timedelta(weeks=weeks)
    rows = (
        Case.objects.visible_to(user, Perm.EPI_VIEW)
        .filter(Q(status__in=CONFIRMED_STATUSES) | Q(status=CaseStatus.ASYMPTOMATIC), reported_at__gte=since)
        .values_list("onset_date", "reported_at", "isolated_at")
    )
    if area:
        try:
            rows = rows.filter(area__code__startswith=scope_prefix(area))
        except AreaCodeError:
            return []

    def day(value: dt.datetime | None) -> dt.date | None:
        return None if value is None else value.astimezone(SHANGHAI).date()

    return epi.delays_by_week(epi.DelayCase(o, day(r), day(i)) for o, r, i in rows.iterator(chunk_size=5000))


def risk_table() -> list[DistrictRisk]:
    """Today's level of every district with its reason: public information (分区分级 is published)."""
    rows = risk_levels_today()
    names = dict(Area.objects.filter(code__in=rows).values_list("code", "name_zh"))
    out = sorted(rows.values(), key=lambda r: r.area_id)
    for row in out:
        row.area_name = names.get(row.area_id, row.area_id)  # type: ignore[attr-defined]
    return out


def risk_map(levels: list[DistrictRisk]) -> AreaMap:
    by_code = {r.area_id: r.level for r in levels}
    areas = Area.objects.filter(level=AreaLevel.DISTRICT, code__in=by_code).values_list(
        "code", "name_zh", "boundary"
    )
    return area_map(
        list(areas),
        fills={c: RISK_FILLS[v] for c, v in by_code.items()},
        values={r.area_id: r.get_level_display() for r in levels},
        value_label=pgettext("map figure", "risk level"),
        link="/cases/?area={code}",
        table=False,  # the dashboard lists the levels with their reasons beside the map
    )


# --- transmission-chain graph ----------------------------------------------------------------------

MAX_NODES = 3000


@dataclass(frozen=True)
class GraphFilters:
    cluster: int | None = None
    area: str = ""
    day_from: dt.date | None = None
    day_to: dt.date | None = None
    contacts: bool = True


def chain_graph(*, user: User, filters: GraphFilters, max_nodes: int = MAX_NODES) -> dict[str, Any]:
    """Nodes (cases, then contacts) and edges (infector → infectee, case → confirmed contact), filtered in
    SQL and capped at `max_nodes` so the browser draws at most that many, whatever the size of the city.
    Linked cases come first so the chains stay whole; `truncated` tells the page to ask for a filter."""
    cases = Case.objects.visible_to(user, Perm.CASE_VIEW).filter(
        Q(status__in=CONFIRMED_STATUSES) | Q(status=CaseStatus.ASYMPTOMATIC)
    )
    if filters.cluster:
        cases = cases.filter(cluster_id=filters.cluster)
    if filters.area:
        try:
            cases = cases.filter(area__code__startswith=scope_prefix(filters.area))
        except AreaCodeError:
            cases = cases.none()
    if filters.day_from:
        cases = cases.filter(
            Q(onset_date__gte=filters.day_from) | Q(onset_date=None, reported_at__date__gte=filters.day_from)
        )
    if filters.day_to:
        cases = cases.filter(
            Q(onset_date__lte=filters.day_to) | Q(onset_date=None, reported_at__date__lte=filters.day_to)
        )
    total_cases = cases.count()
    # Cases in clusters first (they carry the chains), newest clusters first.
    case_rows = list(
        cases.order_by(Coalesce("cluster_id", 0).desc(), "-id").values_list(
            "pk", "person_id", "status", "origin", "cluster_id", "onset_date"
        )[:max_nodes]
    )
    ids = [r[0] for r in case_rows]
    id_set = set(ids)
    nodes: list[dict[str, Any]] = [
        {
            "data": {
                "id": f"c{pk}",
                "label": f"#{pk}",
                "kind": "case",
                "status": status,
                "origin": origin,
                "cluster": cluster or "",
                "day": onset.isoformat() if onset else "",
            }
        }
        for pk, _, status, origin, cluster, onset in case_rows
    ]
    edges: list[dict[str, Any]] = []
    links = TransmissionLink.objects.filter(infectee_id__in=ids).values_list(
        "pk", "infector_id", "infectee_id"
    )
    for pk, a, b in links if ids else ():
        if a in id_set:
            edges.append({"data": {"id": f"l{pk}", "source": f"c{a}", "target": f"c{b}", "kind": "link"}})
    budget = max_nodes - len(nodes)
    total_contacts = 0
    budget_hit = False
    if filters.contacts and ids:
        person_of_case = {r[1]: r[0] for r in case_rows}
        contact_qs = Contact.objects.filter(case_id__in=ids, status=ContactStatus.CONFIRMED)
        total_contacts = contact_qs.count()
        seen: set[int] = set()
        limit = max(budget, 0) * 2 + 1  # a contact may have several cases: twice the budget, one more to know
        rows = list(
            contact_qs.order_by("degree", "case_id").values_list("pk", "case_id", "person_id", "degree")[
                :limit
            ]
        )
        budget_hit = len(rows) == limit
        for pk, case_id, person_id, degree in rows[: limit - 1]:
            if person_id in person_of_case:
                continue  # the contact is a case drawn already: the link edge shows it
            if person_id not in seen:
                if len(seen) >= budget:
                    budget_hit = True
                    break
                seen.add(person_id)
                nodes.append(
                    {"data": {"id": f"p{person_id}", "label": "", "kind": "contact", "degree": degree}}
                )
            edges.append(
                {
                    "data": {
                        "id": f"k{pk}",
                        "source": f"c{case_id}",
                        "target": f"p{person_id}",
                        "kind": "contact",
                    }
                }
            )
    shown_contacts = sum(1 for n in nodes if n["data"]["kind"] == "contact")
    return {
        "nodes": nodes,
        "edges": edges,
        "total_cases": total_cases,
        "total_contacts": total_contacts,
        "shown_cases": len(case_rows),
        "shown_contacts": shown_contacts,
        "truncated": total_cases > len(case_rows) or budget_hit,
    }

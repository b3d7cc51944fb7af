"""The economic dashboard: resumption rates and curve, the non-resumed list by reason, hotline SLA, power flags,
and — when those apps are installed — projects, indicators and prices from their own selectors.

A fixed number of queries whatever the number of enterprises: every figure is a GROUP BY or a bounded list.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
from collections.abc import Callable
from typing import Any

from apps.accounts.models import User
from apps.enterprises import selectors
from apps.enterprises.choices import IndustrySection, Reason, SizeClass
from apps.geo.models import Area
from core.resumption import ResumptionRates

log = logging.getLogger(__name__)
NONRESUMED_ROWS = 20

# Sections from the other recovery apps: (key, module, function). Each is called as function(user=user) and
# skipped when the app or the function is missing, so this page works without them.
# Documented in notes/interfaces.md ("apps.projects / apps.indicators / apps.prices").
OPTIONAL_SECTIONS: list[tuple[str, str, str]] = [
    ("project_colours", "apps.projects.selectors", "project_colour_counts"),
    ("battle_map", "apps.projects.selectors", "battle_map_svg"),
    ("indicators", "apps.indicators.selectors", "latest_indicator_progress"),
    ("price_alerts", "apps.prices.selectors", "active_price_alerts"),
]
OPTIONAL_KEYS = {key for key, _, _ in OPTIONAL_SECTIONS}
OWN_LISTS = {"nonresumed", "sla", "curve", "recent_commitments", "open_tickets"}


def _section_json(key: str, value: Any) -> Any:
    """Plain JSON for the other apps' sections (their rows hold dataclasses and model instances)."""
    if key == "battle_map":
        return None  # drawn on the page; /api/projects/ has the data
    if key == "indicators":
        return [dataclasses.asdict(r) if dataclasses.is_dataclass(r) else str(r) for r in value]
    if key == "price_alerts":
        return [
            {
                "item": str(a.item),
                "market": str(a.market),
                "day": a.day.isoformat(),
                "price": a.price,
                "baseline": a.baseline,
                "rise": a.rise,
                "reason_en": a.reason_en,
                "reason_zh": a.reason_zh,
            }
            for a in value
        ]
    return value


def _rate_row(label: str, r: ResumptionRates) -> dict[str, Any]:
    return {
        "label": label,
        "active": r.active,
        "resumed": r.resumed,
        "fully": r.fully,
        "partly": r.partly,
        "not_resumed": r.not_resumed,
        "filed_not_open": r.filed_not_open,
        "resumed_rate": r.resumed_rate,
        "fully_rate": r.fully_rate,
        "staff_rate": r.staff_weighted_rate,
        "capacity": r.mean_capacity_resumed,
    }


def optional_sections(user: User) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, module_name, function in OPTIONAL_SECTIONS:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        fn: Callable[..., Any] | None = getattr(module, function, None)
        if fn is None:
            continue
        try:
            out[key] = fn(user=user)
        except Exception:  # another app's failure must not take the dashboard down
            log.exception("dashboard section %s failed", key)
    return out


def dashboard_data(*, user: User) -> dict[str, Any]:
    rows = selectors._rates_rows(user)  # noqa: SLF001 - one query feeds every grouping below
    total = selectors.roll_up(rows).get((), None)
    above = selectors.roll_up(rows, above_designated_only=True).get((), None)
    by_district = selectors.roll_up(rows, ["district"])
    names = dict(Area.objects.filter(code__in=[k[0] for k in by_district]).values_list("code", "name_zh"))
    industry_labels = dict(IndustrySection.choices)
    size_labels = dict(SizeClass.choices)
    by_district_above = selectors.roll_up(rows, ["district"], above_designated_only=True)
    reason_labels = dict(Reason.choices)
    reasons = [
        {**r, "label": reason_labels.get(r["reason"], r["reason"])}
        for r in selectors.reasons_summary(user=user)
    ]
    nonresumed = list(selectors.nonresumed_list(user=user)[:NONRESUMED_ROWS])
    sla = selectors.sla_summary(user=user)
    curve = selectors.resumption_curve(user=user)
    return {
        "total": _rate_row("total", total) if total else None,
        "above": _rate_row("above", above) if above else None,
        "by_district": [
            {
                **_rate_row(f"{k[0]} {names.get(str(k[0]), '')}", r),
                "above_rate": by_district_above[k].resumed_rate if k in by_district_above else None,
            }
            for k, r in sorted(by_district.items(), key=lambda kv: str(kv[0]))
        ],
        "by_industry": [
            _rate_row(f"{k[0]} {industry_labels.get(str(k[0]), '')}", r)
            for k, r in sorted(
                selectors.roll_up(rows, ["industry_section"]).items(), key=lambda kv: str(kv[0])
            )
        ],
        "by_size": [
            _rate_row(str(size_labels.get(str(k[0]), k[0])), r)
            for k, r in sorted(selectors.roll_up(rows, ["size_class"]).items(), key=lambda kv: str(kv[0]))
        ],
        "reasons": reasons,
        "nonresumed": nonresumed,
        "sla": sla,
        "power_flags": selectors.power_flags(user=user).count(),
        "curve": curve,
        "recent_commitments": selectors.recent_commitments(user=user),
        "open_tickets": list(selectors.tickets_list(user=user, status="open")[:10]),
        **optional_sections(user),
    }


def dashboard_json(*, user: User) -> dict[str, Any]:
    data = dashboard_data(user=user)
    sla = []
    for row in data["sla"]:
        r = row["sla"]
        sla.append(
            {
                "department": row["department"],
                "total": r.total,
                "open": r.open,
                "overdue_open": r.overdue_open,
                "on_time_rate": r.on_time_rate,
                "open_at_hq": row["hq"],
                "mean_satisfaction": r.mean_satisfaction,
            }
        )
    return {
        **{k: v for k, v in data.items() if k not in OWN_LISTS and k not in OPTIONAL_KEYS},
        "nonresumed": [
            {
                "id": e.pk,
                "name": e.name,
                "credit_code": e.credit_code,
                "status": e.status,
                "reasons": [r.reason for r in e.reasons.all()],
                "liaison": e.liaison.get_username() if e.liaison_id else None,
            }  # type: ignore[union-attr]
            for e in data["nonresumed"]
        ],
        "sla": sla,
        "curve": [{**c, "day": c["day"].isoformat()} for c in data["curve"]],
        "recent_commitments": [
            {
                "id": c.pk,
                "enterprise": c.enterprise.name,
                "filed_at": c.filed_at.isoformat(),
                "declared_status": c.declared_status,
            }
            for c in data["recent_commitments"]
        ],
        "open_tickets": [
            {
                "id": t.pk,
                "title": t.title,
                "enterprise": t.enterprise.name,
                "level": t.level,
                "due_at": t.due_at.isoformat(),
            }
            for t in data["open_tickets"]
        ],
        **{k: _section_json(k, data[k]) for k in OPTIONAL_KEYS if k in data},
    }

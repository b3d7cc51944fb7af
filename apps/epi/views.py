"""Pages of the epi app: the epidemiology dashboard and the transmission-chain graph."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.dateparse import parse_date

from apps.accounts.choices import Perm
from apps.accounts.scoping import has_perm_anywhere
from apps.common.errors import Forbidden
from apps.epi import selectors
from core.epi import DelayKind


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(
        request, "error.html", {"error": Forbidden("forbidden", "you may not see this page")}, status=403
    )


def dashboard_data(user: Any, area: str) -> dict[str, Any]:
    """What the dashboard draws, as plain JSON (the API returns the same)."""
    curve = selectors.curve(user=user, area=area)
    inc = selectors.incidence(user=user, area=area)
    rt = selectors.reproduction(user=user, area=area, inc=inc)
    proj = selectors.projection(user=user, area=area, inc=inc)
    delays = selectors.delays(user=user, area=area)
    return {
        "curve": [
            {
                "day": d.day.isoformat(),
                "onset_local": d.onset_local,
                "onset_imported": d.onset_imported,
                "report_local": d.report_local,
                "report_imported": d.report_imported,
                "onset_abroad": d.onset_abroad,
                "report_abroad": d.report_abroad,
            }
            for d in curve
        ],
        "rt": [
            {
                "day": r.date_end.isoformat() if r.date_end else None,
                "mean": r.mean,
                "std": r.std,
                "lower": r.q025,
                "upper": r.q975,
            }
            for r in rt
        ],
        "projection": None
        if proj is None
        else {
            "label": proj.label,
            "days": [
                {
                    "day": p.day.isoformat() if p.day else None,
                    "median": p.median,
                    "lower": p.lower,
                    "upper": p.upper,
                }
                for p in proj.days
            ],
        },
        "delays": [
            {
                "kind": w.kind.value,
                "week": w.week_start.isoformat(),
                "n": w.n,
                "median": w.median,
                "q1": w.q1,
                "q3": w.q3,
            }
            for w in delays
        ],
    }


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    if not has_perm_anywhere(request.user, Perm.EPI_VIEW):  # type: ignore[arg-type]
        return _forbidden(request)
    area = request.GET.get("area", "").strip()
    data = dashboard_data(request.user, area)
    levels = selectors.risk_table()
    latest_rt = data["rt"][-1] if data["rt"] else None
    weekly = {}
    for row in data["delays"]:
        weekly.setdefault(row["week"], {})[row["kind"]] = row
    return render(
        request,
        "epi/dashboard.html",
        {
            "data": data,
            "area": area,
            "levels": levels,
            "risk_map": selectors.risk_map(levels),
            "latest_rt": latest_rt,
            "weekly": sorted(weekly.items(), reverse=True)[:8],
            "kinds": [k.value for k in DelayKind],
        },
    )


def _graph_filters(request: HttpRequest) -> selectors.GraphFilters:
    g = request.GET
    cluster = g.get("cluster", "")
    return selectors.GraphFilters(
        cluster=int(cluster) if cluster.isdigit() else None,
        area=g.get("area", "").strip(),
        day_from=parse_date(g.get("day_from", "")) if g.get("day_from") else None,
        day_to=parse_date(g.get("day_to", "")) if g.get("day_to") else None,
        contacts=g.get("contacts", "1") == "1",
    )


@login_required
def chains(request: HttpRequest) -> HttpResponse:
    if not has_perm_anywhere(request.user, Perm.CASE_VIEW):  # type: ignore[arg-type]
        return _forbidden(request)
    return render(request, "epi/chains.html", {"f": request.GET, "max_nodes": selectors.MAX_NODES})


@login_required
def chains_data(request: HttpRequest) -> HttpResponse:
    if not has_perm_anywhere(request.user, Perm.CASE_VIEW):  # type: ignore[arg-type]
        return JsonResponse({"code": "forbidden", "message": "forbidden", "details": []}, status=403)
    try:
        filters = _graph_filters(request)
    except ValueError:
        return JsonResponse(
            {"code": "invalid_date", "message": "dates are YYYY-MM-DD", "details": []}, status=422
        )
    return JsonResponse(selectors.chain_graph(user=request.user, filters=filters))  # type: ignore[arg-type]

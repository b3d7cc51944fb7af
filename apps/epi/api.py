"""API of the epi app: dashboard series, district risk levels with reasons, the chain graph."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from apps.accounts.choices import Perm
from apps.accounts.http import AuthedRequest
from apps.accounts.scoping import has_perm_anywhere
from apps.common.apitypes import Day, Id
from apps.common.errors import Forbidden
from apps.epi import selectors
from apps.epi.views import dashboard_data

router = Router(tags=["epi"])


class RiskOut(Schema):
    district: str
    day: dt.date
    level: str
    reason_code: str
    reason_zh: str
    reason_en: str
    cumulative_cases: int
    new_cases: int
    clusters: int

    @staticmethod
    def resolve_district(obj: Any) -> str:
        return str(obj.area_id)


@router.get("/dashboard")
def dashboard(request: AuthedRequest, area: str = "") -> Any:
    """Epidemic curve, Rt (posterior mean and 95% credible interval), 14-day projection, weekly delays."""
    if not has_perm_anywhere(request.user, Perm.EPI_VIEW):
        raise Forbidden("forbidden", "you may not see the epidemiology dashboard")
    return dashboard_data(request.user, area)


@router.get("/risk", response=list[RiskOut], auth=None)
def risk(request: HttpRequest) -> Any:
    """Today's district risk levels with their reasons (published information, no sign-in needed)."""
    return selectors.risk_table()


@router.get("/chains")
def chains(
    request: AuthedRequest,
    cluster: Id | None = None,
    area: str = "",
    day_from: Day | None = None,
    day_to: Day | None = None,
    contacts: bool = True,
) -> Any:
    if not has_perm_anywhere(request.user, Perm.CASE_VIEW):
        raise Forbidden("forbidden", "you may not see transmission chains")
    filters = selectors.GraphFilters(cluster, area, day_from, day_to, contacts)
    return selectors.chain_graph(user=request.user, filters=filters)

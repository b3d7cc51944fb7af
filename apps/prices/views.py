"""Pages of prices: overview with alerts and today's prices, a chart per item, and the daily entry form."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from apps.accounts.choices import Perm
from apps.accounts.scoping import has_perm_anywhere
from apps.common.errors import ServiceError
from apps.common.views import error_page
from apps.prices import selectors, services
from apps.prices.exports import prices_export


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    if not has_perm_anywhere(request.user, Perm.PRICE_VIEW):  # type: ignore[arg-type]
        return render(request, "403.html", status=403)
    return render(
        request,
        "prices/overview.html",
        {
            "alerts": selectors.active_price_alerts(user=request.user, days=7),  # type: ignore[arg-type]
            "latest": selectors.latest_prices(user=request.user),  # type: ignore[arg-type]
            "today": timezone.localdate(),
            "can_record": has_perm_anywhere(request.user, Perm.PRICE_REPORT),  # type: ignore[arg-type]
        },
    )


@login_required
def item_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        item = selectors.item_get(code=code)
    except ServiceError as exc:
        return error_page(request, exc)
    market = request.GET.get("market", "").strip()
    try:
        days = min(max(int(request.GET.get("days", "30")), 7), 366)
    except ValueError:
        days = 30
    series = selectors.price_series(user=request.user, item=item, days=days, market=market)  # type: ignore[arg-type]
    alerts = [
        a
        for a in selectors.active_price_alerts(user=request.user, days=days)  # type: ignore[arg-type]
        if a.item == item and (not market or a.market.code == market)  # type: ignore[attr-defined]
    ]
    context = {
        "item": item,
        "chart": {"series": series},
        "series": series,
        "alerts": alerts,
        "market": market,
        "days": days,
        "markets": selectors.markets_visible(user=request.user),  # type: ignore[arg-type]
    }
    return render(request, "prices/item.html", context)


@login_required
def record(request: HttpRequest) -> HttpResponse:
    markets = list(selectors.markets_visible(user=request.user, perm=Perm.PRICE_REPORT))  # type: ignore[arg-type]
    if not markets:
        return render(request, "403.html", status=403)
    items = selectors.items_active()
    error = None
    day = request.POST.get("day") or timezone.localdate().isoformat()
    if request.method == "POST":
        market = request.POST.get("market", "")
        rows = [
            {"item": i.code, "market": market, "day": day, "price": request.POST[f"price_{i.code}"]}
            for i in items
            if request.POST.get(f"price_{i.code}", "").strip()
        ]
        try:
            services.prices_record(actor=request.user, rows=rows, request=request)  # type: ignore[arg-type]
        except ServiceError as exc:
            error = exc
        else:
            return redirect("prices:overview")
    return render(
        request,
        "prices/record.html",
        {"markets": markets, "items": items, "day": day, "error": error},
        status=422 if error else 200,
    )


@login_required
def export(request: HttpRequest) -> HttpResponse:
    def _d(name: str) -> dt.date | None:
        try:
            return dt.date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            return None

    try:
        return prices_export(
            user=request.user,
            item=request.GET.get("item", ""),  # type: ignore[arg-type]
            market=request.GET.get("market", ""),
            since=_d("since"),
            until=_d("until"),
            fmt=request.GET.get("format", "csv"),
            request=request,
        )
    except ServiceError as exc:
        return error_page(request, exc)

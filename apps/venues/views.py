"""Pages of the venues app: venue list and map, venue detail with its code, scan log, alerts, checkpoint page."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from apps.accounts.choices import Perm
from apps.accounts.scoping import has_perm_anywhere
from apps.codes.views import qr_svg
from apps.common.errors import ServiceError
from apps.common.views import error_page, page_number
from apps.geo.maps import area_map
from apps.geo.models import Area
from apps.geo.svg import Marker
from apps.venues import selectors, services
from apps.venues.alerting import fever_threshold
from apps.venues.choices import AlertStatus, VenueCategory, VenueStatus
from apps.venues.models import Venue

PAGE_SIZE = 50


MAP_MARKERS = 3000  # more dots than this say nothing more and make the page heavy
_STATUS_FILL = {VenueStatus.OPEN: "#2e7d32", VenueStatus.LIMITED: "#f0a500", VenueStatus.CLOSED: "#777777"}


def _markers(qs: QuerySet[Venue]) -> list[Marker]:
    """The listed venues (the same filters) that have coordinates, as dots coloured by status."""
    rows = (
        qs.filter(lat__isnull=False, lon__isnull=False)
        .order_by("pk")
        .values_list("pk", "name", "category", "status", "lat", "lon")[:MAP_MARKERS]
    )
    categories = dict(VenueCategory.choices)
    statuses = dict(VenueStatus.choices)
    return [
        Marker(
            lon=lon,
            lat=lat,
            title=f"{name} · {categories.get(category, category)} · {statuses.get(status, status)}",
            href=reverse("venues:detail", args=[pk]),
            fill=_STATUS_FILL.get(status, "#1f5fa8"),
        )
        for pk, name, category, status, lat, lon in rows
    ]


@login_required
def venue_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    area = request.GET.get("area", "").strip()
    category = request.GET.get("category", "")
    query = request.GET.get("q", "").strip()
    page = page_number(request)
    qs = selectors.venues_list(user=user, area=area, category=category, query=query)  # type: ignore[arg-type]
    rows = list(qs.select_related("area")[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
    # Map: districts shaded by how many venues each holds, in the user's scope.
    per_district = dict(
        selectors.venues_list(user=user, category=category)  # type: ignore[arg-type]
        .order_by()  # the default ordering would split the groups by name
        .values_list("area_id")
        .annotate(n=Count("pk"))
        .values_list("area_id", "n")
    )
    counts: dict[str, int] = {}
    for code, n in per_district.items():
        counts[code[:6]] = counts.get(code[:6], 0) + n
    if len(counts) == 1:
        # One district in scope (a district officer): shade its streets instead.
        counts = {}
        for code, n in per_district.items():
            if len(code) >= 9:
                counts[code[:9]] = counts.get(code[:9], 0) + n
    top = max(counts.values(), default=0) or 1
    fills = {code: f"rgba(31,95,168,{0.15 + 0.75 * n / top:.2f})" for code, n in counts.items()}
    shapes = Area.objects.filter(code__in=list(counts)).values_list("code", "name_zh", "boundary")
    context: dict[str, object] = {
        "venues": rows[:PAGE_SIZE],
        "has_next": len(rows) > PAGE_SIZE,
        "page": page,
        "area": area,
        "category": category,
        "query": query,
        "categories": VenueCategory.choices,
        "map": area_map(
            shapes,
            fills=fills,
            values=counts,
            value_label=pgettext("map figure", "venues"),
            link="?area={code}",
            markers=_markers(qs),
        ),
        "district_counts": sorted(counts.items()),
        # 交通卡口、铁路出口: passes per checkpoint over the last day.
        "throughput": [
            row
            for row in selectors.venue_throughput(user=user)  # type: ignore[arg-type]
            if row["category"] in (VenueCategory.ROAD_CHECKPOINT, VenueCategory.RAIL_CHECKPOINT)
        ][:20],
    }
    return render(request, "venues/list.html", context)


@login_required
def venue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        venue = selectors.venue_get(user=request.user, pk=pk)  # type: ignore[arg-type]
    except ServiceError as exc:
        return error_page(request, exc)
    code = services.venue_qr_text(venue=venue)
    scans = selectors.scans_list(user=request.user, venue_id=venue.pk)[:100]  # type: ignore[arg-type]
    return render(
        request,
        "venues/detail.html",
        {
            "venue": venue,
            "code": code,
            "qr_svg": qr_svg(code, ""),
            "scans": scans,
            "fever": fever_threshold(),
        },
    )


@login_required
def scan_log(request: HttpRequest) -> HttpResponse:
    def as_int(name: str) -> int | None:
        value = request.GET.get(name, "")
        return int(value) if value.isdigit() else None

    venue_id, person_id = as_int("venue"), as_int("person")
    page = page_number(request)
    qs = selectors.scans_list(user=request.user, venue_id=venue_id, person_id=person_id)  # type: ignore[arg-type]
    rows = list(qs[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
    return render(
        request,
        "venues/scans.html",
        {
            "scans": rows[:PAGE_SIZE],
            "has_next": len(rows) > PAGE_SIZE,
            "page": page,
            "venue": venue_id,
            "person": person_id,
            "fever": fever_threshold(),  # the code rules' threshold, as the alerts use
        },
    )


@login_required
def alert_inbox(request: HttpRequest) -> HttpResponse:
    if not has_perm_anywhere(request.user, Perm.ALERT_VIEW):  # type: ignore[arg-type]
        # Say so, rather than an empty inbox that reads as "no alerts".
        return render(request, "403.html", status=403)
    status = request.GET.get("status", AlertStatus.OPEN)
    area = request.GET.get("area", "").strip()[:12]
    page = page_number(request)
    qs = selectors.alerts_list(user=request.user, status=status, area=area)  # type: ignore[arg-type]
    rows = list(qs[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
    return render(
        request,
        "venues/alerts.html",
        {
            "alerts": rows[:PAGE_SIZE],
            "has_next": len(rows) > PAGE_SIZE,
            "page": page,
            "status": status,
            "area": area,
            "statuses": AlertStatus.choices,
        },
    )


@login_required
@require_POST
def alert_handle(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        alert = selectors.alert_get(user=request.user, pk=pk)  # type: ignore[arg-type]
        services.alert_acknowledge(actor=request.user, alert=alert, close=request.POST.get("close") == "1")  # type: ignore[arg-type]
    except ServiceError as exc:
        return error_page(request, exc)
    return redirect("venues:alerts")


@login_required
def checkpoint(request: HttpRequest) -> HttpResponse:
    """The operator's scanner: decode, verify offline, take the temperature, queue and upload."""
    if not has_perm_anywhere(request.user, Perm.SCAN_UPLOAD):  # type: ignore[arg-type]
        return render(request, "error.html", {"error": {"message": "forbidden"}}, status=403)
    venues = selectors.venues_for_upload(user=request.user)[:500]  # type: ignore[arg-type]
    return render(request, "venues/checkpoint.html", {"venues": venues, "labels": _checkpoint_labels()})


def _checkpoint_labels() -> dict[str, str]:
    """The words the scanner script shows, translated here (the script holds no text of its own)."""
    return {
        "valid": _("Valid"),
        "green": _("Green code"),
        "yellow": _("Yellow code"),
        "red": _("Red code"),
        # What the guard does, by colour: 绿码通行、黄码引导复核、红码禁止通行.
        "let_in": pgettext("checkpoint action", "Let in"),
        "refer": pgettext("checkpoint action", "Refer for a check"),
        "stop": pgettext("checkpoint action", "Stop"),
        "rule_green": _("Green code: take the temperature and let the person in."),
        "rule_yellow": _(
            "Yellow code: do not let in yet. Send the person to the health desk to register and be checked."
        ),
        "rule_red": _("Red code: do not let in. Keep the person apart and call the health staff now."),
        "rule_invalid": _("Not a valid health code: do not let in. Ask for the code to be shown again."),
        "waiting": _("Waiting for a code"),
        "venue_set": _("Venue set from its QR code"),
        "venue_unknown": _("This venue is not in your list"),
        "online": _("Online"),
        "offline": _("Offline: scans are queued"),
        "keys": _("Keys cached"),
        "nokeys": _("No keys cached yet"),
        "uploaded": _("Uploaded"),
        "queued": _("Queued for upload"),
        "recorded": _("Recorded"),
    }


def service_worker(request: HttpRequest) -> HttpResponse:
    """Served from the checkpoint path so its scope covers the page: caches the page shell for offline use."""
    assets = [
        static("js/checkpoint.js"),
        static("vendor/jsqr/dist/jsQR.js"),
        static("css/codes.css"),
        static("css/app.css"),
    ]
    body = f"const CACHE = 'checkpoint-v1';\nconst ASSETS = {json.dumps(assets)};\n{_SW_BODY}"
    response = HttpResponse(body, content_type="application/javascript")
    response["Service-Worker-Allowed"] = "/venues/checkpoint/"
    response["Cache-Control"] = "no-cache"
    return response


_SW_BODY = """
self.addEventListener('install', (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(ASSETS)).then(() => self.skipWaiting()));
});
self.addEventListener('activate', (e) => { e.waitUntil(self.clients.claim()); });
self.addEventListener('fetch', (e) => {
  const req = e.request;
  if (req.method !== 'GET') return;  // uploads are queued by the page itself (IndexedDB)
  const url = new URL(req.url);
  if (url.pathname.startsWith('/api/')) return;
  // Network first, so a deploy is seen at once; the cache answers when the network is gone.
  e.respondWith(fetch(req).then((res) => {
    const copy = res.clone();
    if (res.ok) caches.open(CACHE).then((c) => c.put(req, copy));
    return res;
  }).catch(() => caches.match(req)));
});
"""

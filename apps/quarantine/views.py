"""Pages of the quarantine app: the site manager's board, waiting list (allocation in two clicks), orders,
alerts and requests; the community worker's home quarantines; the citizen's own stay (phone-first); the
headquarters' capacity page; the release certificate."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from apps.accounts.choices import QUARANTINE_ORDER, QUARANTINE_VIEW
from apps.accounts.scoping import has_perm_anywhere
from apps.codes.views import qr_svg
from apps.common.errors import NotFound, ServiceError
from apps.common.views import error_page, page_number
from apps.quarantine import daily, selectors, services
from apps.quarantine.certificate import certificate_text
from apps.quarantine.choices import AlertStatus, OrderStatus, RequestKind, RoomStatus, StayKind, StayStatus
from apps.quarantine.models import Room

PAGE_SIZE = 50
# What a refused release still needs (core.quarantine.RELEASE_REASONS), in words.
RELEASE_REASON_LABELS = {
    "before_end": _("the quarantine period has not ended"),
    "tests_missing": _("a scheduled test is missing"),
    "final_test_missing": _("the final negative test is missing"),
    "positive_test": _("a test was positive"),
    "open_alert": _("a fever or symptom alert is open"),
}


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "403.html", status=403)


def _can_view(request: HttpRequest) -> bool:
    return has_perm_anywhere(request.user, QUARANTINE_VIEW)  # type: ignore[arg-type]


@login_required
def sites_page(request: HttpRequest) -> HttpResponse:
    if not _can_view(request):
        return _forbidden(request)
    page = page_number(request)
    rows = list(selectors.sites_list(user=request.user)[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])  # type: ignore[arg-type]
    return render(
        request,
        "quarantine/sites.html",
        {"sites": rows[:PAGE_SIZE], "page": page, "has_next": len(rows) > PAGE_SIZE},
    )


@login_required
def board_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The site board: the rooms grid by floor (colour and status name), today's tasks, open alerts."""
    try:
        site = selectors.site_get(user=request.user, pk=pk)  # type: ignore[arg-type]
    except NotFound as exc:
        return error_page(request, exc)
    board = selectors.site_board(site=site)
    return render(request, "quarantine/board.html", {**board, "room_statuses": RoomStatus.choices})


@login_required
@require_POST
def room_status_post(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        room = selectors.room_get(user=request.user, pk=pk)  # type: ignore[arg-type]
        services.room_set_status(
            actor=request.user, room=room, to=request.POST.get("status", ""), request=request
        )  # type: ignore[arg-type]
    except ServiceError as exc:
        return error_page(request, exc)
    return redirect("quarantine:board", pk=room.site_id)


@login_required
def waiting_page(request: HttpRequest) -> HttpResponse:
    """People waiting for a room, each with the free rooms of the user's sites: choose, allocate (two clicks)."""
    if not _can_view(request):
        return _forbidden(request)
    waiting = list(selectors.waiting_list(user=request.user)[:PAGE_SIZE])  # type: ignore[arg-type]
    free = list(
        Room.objects.filter(site__in=selectors.sites_list(user=request.user), status=RoomStatus.FREE)  # type: ignore[arg-type]
        .select_related("site")
        .order_by("site__name", "floor", "number")[:300]
    )
    return render(request, "quarantine/waiting.html", {"waiting": waiting, "free_rooms": free})


@login_required
@require_POST
def allocate_post(request: HttpRequest) -> HttpResponse:
    try:
        stay = selectors.stay_get(user=request.user, pk=int(request.POST.get("stay", "0") or 0))  # type: ignore[arg-type]
        room = selectors.room_get(user=request.user, pk=int(request.POST.get("room", "0") or 0))  # type: ignore[arg-type]
        services.allocate(actor=request.user, stays=[stay], room=room, request=request)  # type: ignore[arg-type]
    except ValueError:
        return error_page(request, NotFound("not_found", "no such room in your jurisdiction"))
    except ServiceError as exc:
        return error_page(request, exc)
    return redirect("quarantine:waiting")


@login_required
def orders_page(request: HttpRequest) -> HttpResponse:
    if not _can_view(request):
        return _forbidden(request)
    status = request.GET.get("status", OrderStatus.PROPOSED)
    page = page_number(request)
    qs = selectors.orders_list(user=request.user, status=status)  # type: ignore[arg-type]
    rows = list(qs[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
    return render(
        request,
        "quarantine/orders.html",
        {
            "orders": rows[:PAGE_SIZE],
            "page": page,
            "has_next": len(rows) > PAGE_SIZE,
            "status": status,
            "statuses": OrderStatus.choices,
            "kinds": StayKind.choices,
            "may_decide": has_perm_anywhere(request.user, QUARANTINE_ORDER),  # type: ignore[arg-type]
        },
    )


@login_required
@require_POST
def order_decide(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        order = selectors.order_get(user=request.user, pk=pk)  # type: ignore[arg-type]
        if request.POST.get("decision") == "reject":
            services.reject_order(
                actor=request.user, order=order, note=request.POST.get("note", ""), request=request
            )  # type: ignore[arg-type]
        else:
            kind = request.POST.get("kind") or None
            services.accept_order(
                actor=request.user,  # type: ignore[arg-type]
                order=order,
                kind=kind if kind != order.kind else None,
                note=request.POST.get("note", ""),
                request=request,
            )
    except ServiceError as exc:
        return error_page(request, exc)
    return redirect("quarantine:orders")


@login_required
def home_page(request: HttpRequest) -> HttpResponse:
    """The community worker's home quarantines, with today's missing check-ins first."""
    if not _can_view(request):
        return _forbidden(request)
    stays = list(
        selectors.stays_list(user=request.user, kind=StayKind.HOME, open_only=True)[:200]  # type: ignore[arg-type]
    )
    missing = set(
        selectors.alerts_list(user=request.user, kind="missed_checkin")  # type: ignore[arg-type]
        .filter(stay__in=[s.pk for s in stays])
        .values_list("stay_id", flat=True)
    )
    stays.sort(key=lambda s: (s.pk not in missing, s.quarantine_end))
    return render(request, "quarantine/home.html", {"stays": stays, "missing": missing})


@login_required
def alerts_page(request: HttpRequest) -> HttpResponse:
    if not _can_view(request):
        return _forbidden(request)
    status = request.GET.get("status", AlertStatus.OPEN)
    page = page_number(request)
    rows = list(
        selectors.alerts_list(user=request.user, status=status)[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1]
    )  # type: ignore[arg-type]
    return render(
        request,
        "quarantine/alerts.html",
        {
            "alerts": rows[:PAGE_SIZE],
            "page": page,
            "has_next": len(rows) > PAGE_SIZE,
            "status": status,
            "statuses": AlertStatus.choices,
        },
    )


@login_required
@require_POST
def alert_close_post(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        alert = selectors.alert_get(user=request.user, pk=pk)  # type: ignore[arg-type]
        daily.alert_close(actor=request.user, alert=alert, note=request.POST.get("note", ""))  # type: ignore[arg-type]
    except ServiceError as exc:
        return error_page(request, exc)
    return redirect("quarantine:alerts")


@login_required
def requests_page(request: HttpRequest) -> HttpResponse:
    if not _can_view(request):
        return _forbidden(request)
    rows = list(selectors.requests_list(user=request.user)[:PAGE_SIZE])  # type: ignore[arg-type]
    return render(request, "quarantine/requests.html", {"requests": rows, "now": timezone.now()})


@login_required
@require_POST
def request_done_post(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        req = selectors.request_get(user=request.user, pk=pk)  # type: ignore[arg-type]
        daily.request_done(actor=request.user, req=req, answer=request.POST.get("answer", ""))  # type: ignore[arg-type]
    except ServiceError as exc:
        return error_page(request, exc)
    return redirect("quarantine:requests")


@login_required
def stay_page(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        stay = selectors.stay_get(user=request.user, pk=pk)  # type: ignore[arg-type]
    except NotFound as exc:
        return error_page(request, exc)
    verdict = services.release_check(stay)
    return render(
        request,
        "quarantine/stay.html",
        {
            "stay": stay,
            "room": selectors.current_room(stay),
            "verdict": verdict,
            "missing": [RELEASE_REASON_LABELS[r] for r in verdict.reasons],
            "status_labels": dict(StayStatus.choices),
            "next_test": selectors.next_test_day(stay),
            "checkins": list(stay.checkins.all()[:14]),
            "events": list(stay.events.all()),
            "orders": list(stay.orders.all()),
            "pending": stay.early_releases.filter(status="pending").first(),
        },
    )


@login_required
@require_POST
def stay_act(request: HttpRequest, pk: int) -> HttpResponse:
    """The stay page's buttons: check in, release, to hospital, early release (request or decide)."""
    user: Any = request.user
    action = request.POST.get("action", "")
    reason = request.POST.get("reason", "")
    try:
        stay = selectors.stay_get(user=user, pk=pk)
        if action == "checkin":
            daily.checkin_record(
                actor=user,
                stay=stay,
                temperature=request.POST.get("temperature", ""),
                symptoms=request.POST.get("symptoms") == "1",
            )
        elif action == "release":
            services.release(actor=user, stay=stay, request=request)
        elif action == "hospital":
            services.to_hospital(actor=user, stay=stay, reason=reason, request=request)
        elif action == "early":
            services.early_release_request(actor=user, stay=stay, reason=reason, request=request)
        elif action in ("approve", "reject"):
            ask = stay.early_releases.filter(status="pending").first()
            if ask is None:
                raise NotFound("not_found", "no such early release in your jurisdiction")
            services.early_release_decide(
                actor=user, ask=ask, approve=action == "approve", note=reason, request=request
            )
    except ServiceError as exc:
        return error_page(request, exc)
    return redirect("quarantine:stay", pk=pk)


def _certificate(request: HttpRequest, stay: Any) -> HttpResponse:
    text = certificate_text(stay=stay)
    return render(
        request,
        "quarantine/certificate.html",
        {"stay": stay, "qr": qr_svg(text, "green") if text else None, "code_text": text},
    )


@login_required
def certificate_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Printable release certificate (解除隔离证明); the person's own or one in the user's jurisdiction."""
    user: Any = request.user
    own = selectors.my_stay(person_id=getattr(user, "person_id", None))
    if own is not None and own.pk == pk:
        return _certificate(request, own)
    try:
        stay = selectors.stay_get(user=user, pk=pk)
    except NotFound as exc:
        return error_page(request, exc)
    return _certificate(request, stay)


@login_required
def capacity_page(request: HttpRequest) -> HttpResponse:
    """City capacity for the headquarters: by district, then (?area=) the sites of one district."""
    if not _can_view(request):
        return _forbidden(request)
    area = request.GET.get("area", "")[:12]
    data = selectors.capacity(user=request.user, area=area)  # type: ignore[arg-type]
    return render(request, "quarantine/capacity.html", {**data, "area": area})


@login_required
def my_stay_page(request: HttpRequest) -> HttpResponse:
    """The citizen's stay on the phone: days left, next test, check-in, requests."""
    user: Any = request.user
    stay = selectors.my_stay(person_id=getattr(user, "person_id", None))
    message = ""
    if request.method == "POST" and stay is not None:
        try:
            if request.POST.get("action") == "request":
                daily.request_open(
                    actor=user,
                    stay=stay,
                    kind=request.POST.get("kind", ""),
                    text=request.POST.get("text", ""),
                    by_person=True,
                )
            else:
                daily.checkin_record(
                    actor=user,
                    stay=stay,
                    temperature=request.POST.get("temperature", ""),
                    symptoms=request.POST.get("symptoms") == "1",
                    by_person=True,
                )
        except ServiceError as exc:
            return error_page(request, exc)
        return redirect("quarantine:mine")
    today = timezone.localdate()
    return render(
        request,
        "quarantine/mine.html",
        {
            "stay": stay,
            "days_left": max((stay.quarantine_end - today).days, 0) if stay else None,
            "next_test": selectors.next_test_day(stay) if stay else None,
            "requests": list(stay.requests.all()[:10]) if stay else [],
            "request_kinds": RequestKind.choices,
            "message": message,
        },
    )

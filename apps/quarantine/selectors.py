"""Reads of the quarantine app, every one scoped to the caller's jurisdiction in SQL; the board and the capacity
page make a fixed number of queries whatever the number of sites, rooms and stays."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from apps.accounts.choices import QUARANTINE_VIEW
from apps.accounts.models import User
from apps.accounts.scoping import area_q
from apps.common.errors import NotFound
from apps.quarantine.choices import (
    OPEN_STAY_STATUSES,
    AlertStatus,
    RequestStatus,
    RoomStatus,
    StayStatus,
)
from apps.quarantine.models import (
    Allocation,
    CheckIn,
    QuarantineAlert,
    QuarantineOrder,
    QuarantinePolicy,
    Room,
    Site,
    Stay,
    StayRequest,
)
from core import quarantine as core


def policies_list() -> QuerySet[QuarantinePolicy]:
    from apps.quarantine.services import policies_install_defaults

    if not QuarantinePolicy.objects.exists():
        policies_install_defaults()
    return QuarantinePolicy.objects.order_by("kind", "-effective_from")


def sites_list(*, user: User, area: str = "") -> QuerySet[Site]:
    qs = Site.objects.visible_to(user, QUARANTINE_VIEW)
    if area:
        qs = qs.filter(area__code__startswith=area)
    return qs.order_by("area_id", "name")


def site_get(*, user: User, pk: int) -> Site:
    site = sites_list(user=user).filter(pk=pk).first()
    if site is None:
        raise NotFound("not_found", "no such quarantine site in your jurisdiction")
    return site


def room_get(*, user: User, pk: int) -> Room:
    room = (
        Room.objects.filter(area_q(user, QUARANTINE_VIEW, "site__area"), pk=pk).select_related("site").first()
    )
    if room is None:
        raise NotFound("not_found", "no such room in your jurisdiction")
    return room


def orders_list(*, user: User, status: str = "") -> QuerySet[QuarantineOrder]:
    qs = QuarantineOrder.objects.visible_to(user, QUARANTINE_VIEW)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("person", "policy").order_by("-created_at", "-id")


def order_get(*, user: User, pk: int) -> QuarantineOrder:
    order = orders_list(user=user).filter(pk=pk).first()
    if order is None:
        raise NotFound("not_found", "no such order in your jurisdiction")
    return order


def stays_list(
    *,
    user: User,
    status: str = "",
    kind: str = "",
    site_id: int | None = None,
    open_only: bool = False,
    area: str = "",
) -> QuerySet[Stay]:
    qs = Stay.objects.visible_to(user, QUARANTINE_VIEW)
    if area:
        qs = qs.filter(area__code__startswith=area)
    if status:
        qs = qs.filter(status=status)
    if open_only:
        qs = qs.filter(status__in=OPEN_STAY_STATUSES)
    if kind:
        qs = qs.filter(kind=kind)
    if site_id is not None:
        qs = qs.filter(site_id=site_id)
    return qs.select_related("person", "site", "policy").order_by("planned_end", "id")


def stay_get(*, user: User, pk: int) -> Stay:
    stay = stays_list(user=user).filter(pk=pk).first()
    if stay is None:
        raise NotFound("not_found", "no such stay in your jurisdiction")
    return stay


def waiting_list(*, user: User) -> QuerySet[Stay]:
    """People waiting for a room, longest-waiting first (the allocation page's list)."""
    return stays_list(user=user, status=StayStatus.WAITING).order_by("created_at", "id")


def my_stay(*, person_id: int | None) -> Stay | None:
    """The citizen's own open (or latest) stay."""
    if person_id is None:
        return None
    qs = Stay.objects.filter(person_id=person_id).select_related("site", "policy")
    return qs.filter(status__in=OPEN_STAY_STATUSES).first() or qs.order_by("-created_at").first()


def current_room(stay: Stay) -> Room | None:
    booking = Allocation.objects.filter(stay=stay, ended_at__isnull=True).select_related("room").first()
    return booking.room if booking else None


def next_test_day(stay: Stay, today: dt.date | None = None) -> dt.date | None:
    today = today or timezone.localdate()
    days = stay.policy.core().test_schedule(core.local_day(stay.last_exposure), stay.start_day)
    return next((d for d in days if d >= today), None)


def alerts_list(*, user: User, status: str = AlertStatus.OPEN, kind: str = "") -> QuerySet[QuarantineAlert]:
    """The inbox: alerts handled in the user's jurisdiction (site area, or the residence for home quarantine)."""
    qs = QuarantineAlert.objects.filter(area_q(user, QUARANTINE_VIEW))
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.select_related("stay", "stay__person").order_by("-raised_at", "-id")


def alert_get(*, user: User, pk: int) -> QuarantineAlert:
    alert = alerts_list(user=user, status="").filter(pk=pk).first()
    if alert is None:
        raise NotFound("not_found", "no such alert in your jurisdiction")
    return alert


def requests_list(*, user: User, status: str = RequestStatus.OPEN) -> QuerySet[StayRequest]:
    q = area_q(user, QUARANTINE_VIEW, "stay__area") | area_q(user, QUARANTINE_VIEW, "stay__site__area")
    qs = StayRequest.objects.filter(q)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("stay", "stay__person").order_by("due_at", "id")


def request_get(*, user: User, pk: int) -> StayRequest:
    req = requests_list(user=user, status="").filter(pk=pk).first()
    if req is None:
        raise NotFound("not_found", "no such request in your jurisdiction")
    return req


def site_board(*, site: Site, today: dt.date | None = None) -> dict[str, Any]:
    """The site board: rooms by floor with their occupants, and today's tasks (tests due, check-ins missing,
    releases due). Five queries, whatever the size of the site."""
    today = today or timezone.localdate()
    rooms = list(Room.objects.filter(site=site).order_by("floor", "number"))
    occupants: dict[int, list[Stay]] = defaultdict(list)
    for booking in Allocation.objects.filter(room__site=site, ended_at__isnull=True).select_related(
        "stay", "stay__person", "stay__policy"
    ):
        occupants[booking.room_id].append(booking.stay)
    stays = [s for group in occupants.values() for s in group]
    checked = set(
        CheckIn.objects.filter(stay__in=[s.pk for s in stays], day=today).values_list("stay_id", "slot")
    )
    now = timezone.now()
    passed = [slot for slot, _ in core.CHECKIN_SLOTS if core.checkin_deadline(today, slot) <= now]
    floors: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for room in rooms:
        floors[room.floor].append({"room": room, "stays": occupants.get(room.pk, [])})
    tests_due, missing, releases = [], [], []
    for stay in stays:
        policy = stay.policy.core()
        if today in policy.test_schedule(core.local_day(stay.last_exposure), stay.start_day):
            tests_due.append(stay)
        if any((stay.pk, slot) not in checked for slot in passed):
            missing.append(stay)
        if stay.quarantine_end <= today:
            releases.append(stay)
    open_alerts = QuarantineAlert.objects.filter(stay__site=site, status=AlertStatus.OPEN).count()
    counts = dict.fromkeys(RoomStatus.values, 0)
    for room in rooms:
        counts[room.status] += 1
    return {
        "site": site,
        "floors": sorted(floors.items()),
        "counts": counts,
        "tests_due": tests_due,
        "missing_checkins": missing,
        "releases_due": releases,
        "open_alerts": open_alerts,
    }


def capacity(*, user: User, area: str = "", today: dt.date | None = None) -> dict[str, Any]:
    """City-wide capacity by site and by district (beds, occupied, free, cleaning, released today, expected
    releases in the next 3 days), for the headquarters. Three queries whatever the number of sites; ``area``
    drills down (a district code lists its sites)."""
    today = today or timezone.localdate()
    sites = {s.pk: s for s in sites_list(user=user, area=area)}
    ids = list(sites)
    room_rows = (
        Room.objects.filter(site_id__in=ids)
        .values("site_id")
        .annotate(
            rooms=Count("id"),
            beds=Sum("beds"),
            free=Count("id", filter=Q(status=RoomStatus.FREE)),
            occupied=Count("id", filter=Q(status=RoomStatus.OCCUPIED)),
            cleaning=Count("id", filter=Q(status=RoomStatus.CLEANING)),
            out_of_order=Count("id", filter=Q(status=RoomStatus.OUT_OF_ORDER)),
        )
    )
    soon = today + dt.timedelta(days=3)
    stay_rows = (
        Stay.objects.filter(site_id__in=ids)
        .values("site_id")
        .annotate(
            in_quarantine=Count("id", filter=Q(status=StayStatus.ACTIVE)),
            released_today=Count(
                "id",
                filter=Q(
                    released_on=today,
                    status__in=(StayStatus.RELEASED, StayStatus.RELEASED_EARLY, StayStatus.MONITORING),
                ),
            ),
            releases_soon=Count(
                "id", filter=Q(status=StayStatus.ACTIVE, quarantine_end__gte=today, quarantine_end__lte=soon)
            ),
        )
    )
    fields = (
        "rooms",
        "beds",
        "free",
        "occupied",
        "cleaning",
        "out_of_order",
        "in_quarantine",
        "released_today",
        "releases_soon",
    )
    per_site: dict[int, dict[str, Any]] = {pk: dict.fromkeys(fields, 0) for pk in ids}
    for row in [*room_rows, *stay_rows]:
        per_site[row.pop("site_id")].update({k: v or 0 for k, v in row.items()})
    by_district: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(fields, 0))
    for pk, row in per_site.items():
        district = by_district[sites[pk].area_id[:6]]
        for f in fields:
            district[f] += row[f]
    total = {f: sum(r[f] for r in per_site.values()) for f in fields}
    return {
        "sites": [{"site": sites[pk], **row} for pk, row in per_site.items()],
        "districts": sorted(by_district.items()),
        "total": total,
        "fields": fields,
    }

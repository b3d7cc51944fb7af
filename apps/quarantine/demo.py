"""Demo step: quarantine hotels (征用酒店) with rooms in every district, and the demo outbreak's confirmed contacts
as orders and stays at every stage: proposed, waiting, in a room, due today, released, a few check-ins missed.

Runs after apps.cases.demo, whose contact decisions already proposed the orders (apps.quarantine.receivers).
Re-running rebuilds the step's own rows only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.common.errors import ServiceError
from apps.demo.generator import DemoContext
from apps.geo.models import Area
from apps.quarantine import daily, services
from apps.quarantine.choices import OrderStatus, RoomStatus, RoomType, StayKind, StayStatus
from apps.quarantine.models import Allocation, CheckIn, QuarantineOrder, Room, Site, Stay
from core import quarantine as core

NAME = "quarantine"
HOTELS = ("锦江之星", "汉庭酒店", "如家酒店", "维也纳酒店")
FLOORS, PER_FLOOR = 4, 8


def _clear() -> None:
    Stay.objects.all().delete()
    QuarantineOrder.objects.filter(source_ref__startswith="case:").delete()
    QuarantineOrder.objects.filter(status=OrderStatus.ACCEPTED).update(status=OrderStatus.PROPOSED, stay=None)
    Room.objects.all().delete()
    Site.objects.all().delete()


def _hotels(districts: list[str]) -> list[Room]:
    rooms = []
    for i, district in enumerate(districts):
        for n in range(2 if i < 2 else 1):
            site = Site.objects.create(
                name=f"{HOTELS[(i + n) % len(HOTELS)]}（{district}-{n + 1}）",
                area_id=district,
                address=f"演示路{100 + i * 10 + n}号",
            )
            for floor in range(1, FLOORS + 1):
                for k in range(1, PER_FLOOR + 1):
                    family = k == PER_FLOOR
                    rooms.append(
                        Room(
                            site=site,
                            number=f"{floor}{k:02d}",
                            floor=floor,
                            type=RoomType.FAMILY
                            if family
                            else (RoomType.ACCESSIBLE if k == 1 and floor == 1 else RoomType.SINGLE),
                            beds=3 if family else 1,
                        )
                    )
    return Room.objects.bulk_create(rooms)


def run(ctx: DemoContext) -> dict[str, Any]:
    rng = ctx.rng(NAME)
    today = ctx.today
    with transaction.atomic():
        _clear()
        services.policies_install_defaults()
        daily.checklist()
        codes = Area.objects.order_by("code").values_list("code", flat=True)
        districts = [c for c in codes if len(c) == 6 and not c.endswith("00")]
        _hotels(districts)
    officer = User.objects.filter(username="officer_a").first()
    counts_traced = _orders_from_the_outbreak(rng, today)
    orders = list(
        QuarantineOrder.objects.filter(status=OrderStatus.PROPOSED)
        .select_related("person")
        .order_by("last_exposure", "id")
    )
    counts = {
        "sites": Site.objects.count(),
        "rooms": Room.objects.count(),
        "proposed": 0,
        "waiting": 0,
        "in_room": 0,
        "home": 0,
        "due_today": 0,
        "released": 0,
        "skipped": 0,
    }
    free = {
        d: list(
            Room.objects.filter(site__area_id=d, status=RoomStatus.FREE).order_by(
                "site_id", "floor", "number"
            )
        )
        for d in districts
    }
    for i, order in enumerate(orders):
        if i % 10 == 0:
            counts["proposed"] += 1  # left for the visitor to accept or change
            continue
        exposure_day = core.local_day(order.last_exposure)
        start = min(exposure_day + dt.timedelta(days=1), today)
        kind = StayKind.HOME if i % 7 == 0 else StayKind.CENTRALISED
        try:
            with transaction.atomic():
                stay = services.accept_order(
                    actor=None, order=order, kind=kind, today=start - dt.timedelta(days=1)
                )
        except ServiceError:
            counts["skipped"] += 1
            continue
        began = timezone.make_aware(dt.datetime.combine(start, dt.time(9)))
        Stay.objects.filter(pk=stay.pk).update(
            start_day=start, created_at=began, responsible=officer if kind == StayKind.HOME else None
        )
        stay.refresh_from_db()
        if kind == StayKind.CENTRALISED:
            if i % 9 == 1 and stay.quarantine_end > today:
                counts["waiting"] += 1
                continue
            pool = free.get(stay.area_id[:6]) or next((p for p in free.values() if p), [])
            if not pool:
                counts["waiting"] += 1
                continue
            room = pool.pop(0)
            with transaction.atomic():
                services.allocate(actor=None, stays=[stay], room=room)
            stay.refresh_from_db()
        if stay.quarantine_end < today:
            _release_in_the_past(stay)
            counts["released"] += 1
            continue
        counts[
            "due_today"
            if stay.quarantine_end == today
            else ("in_room" if kind == StayKind.CENTRALISED else "home")
        ] += 1
        _checkins(stay, today, skip=rng.random() < 0.15)
    counts.update(counts_traced)
    counts["requests"] = _requests_and_alerts()
    now = timezone.now()
    counts["missed_alerts"] = daily.missed_checkins_sweep(now=now)
    return counts


def _orders_from_the_outbreak(rng: Any, today: dt.date) -> dict[str, int]:
    """The outbreak's contacts become orders: open close-contact suggestions are confirmed by the demo
    epidemiologist (tracing proposes the order), and each case's neighbours in its community, exposed on the day
    before the case was reported, are ordered too, so stays of every age exist."""
    from apps.cases.choices import ContactDegree, ContactStatus
    from apps.cases.models import Case, Contact
    from apps.cases.services import contact_decide
    from apps.people.models import Person

    epi = User.objects.filter(username="epi").first()
    confirmed = 0
    if epi is not None:
        for contact in Contact.objects.filter(
            status=ContactStatus.SUGGESTED, degree=ContactDegree.CLOSE
        ).select_related("case")[:40]:
            if rng.random() < 0.7:
                with transaction.atomic():
                    contact_decide(actor=epi, contact=contact, confirm=True, note="demo")
                confirmed += 1
    cases = list(
        Case.objects.exclude(created_at=None)
        .order_by("created_at", "id")
        .values_list("pk", "person_id", "area_id", "created_at", "reported_at")
    )
    ill = set(Case.objects.values_list("person_id", flat=True))
    neighbours = 0
    for pk, _person_id, area, created, reported in cases:
        exposed = (reported or created) - dt.timedelta(days=1)
        if exposed > timezone.now():
            continue
        near = list(
            Person.objects.filter(area_id=area)
            .exclude(pk__in=ill)
            .order_by("pk")
            .values_list("pk", flat=True)[:40]
        )
        for other in rng.sample(near, min(3, len(near))):
            try:
                with transaction.atomic():
                    services.propose_order(
                        person=Person.objects.get(pk=other),
                        source="contact",
                        source_ref=f"case:{pk}",
                        last_exposure=exposed,
                        note=f"case {pk}",
                        policy_code="c14-2020" if rng.random() < 0.6 else None,
                    )
                neighbours += 1
            except ServiceError:
                continue
    # The outbreak's tail: people exposed to the cases still open in each of the last 14 days, so the hotels
    # are full today (some due today, some just arrived).
    open_cases = [pk for pk, *_ in cases][-5:]
    pool = list(Person.objects.exclude(pk__in=ill).order_by("pk").values_list("pk", flat=True)[:3000])
    for days in range(1, 15):
        for n, other in enumerate(rng.sample(pool, min(4, len(pool)))):
            if not open_cases:
                break
            case_pk = open_cases[(days + n) % len(open_cases)]
            try:
                with transaction.atomic():
                    services.propose_order(
                        person=Person.objects.get(pk=other),
                        source="contact",
                        source_ref=f"case:{case_pk}:{days}",
                        last_exposure=timezone.now() - dt.timedelta(days=days, hours=rng.randint(1, 10)),
                        note=f"case {case_pk}",
                        policy_code="c14-2020",
                    )
                neighbours += 1
            except ServiceError:
                continue
    return {"contacts_confirmed": confirmed, "neighbour_orders": neighbours}


def _requests_and_alerts() -> int:
    """A few requests in district A (one late and escalated) and a fever alert, for the manager's inbox."""
    from apps.quarantine.choices import AlertKind, RequestKind

    stays = list(
        Stay.objects.filter(status=StayStatus.ACTIVE, area__code__startswith="990101").order_by("pk")[:3]
    )
    texts = [
        (RequestKind.MEALS, "需要清真餐"),
        (RequestKind.MEDICINE, "需要降压药"),
        (RequestKind.PSYCHOLOGICAL, "失眠，想找人聊聊"),
    ]
    for n, (stay, (kind, text)) in enumerate(zip(stays, texts, strict=False)):
        daily.request_open(
            actor=None,
            stay=stay,
            kind=kind,
            text=text,
            by_person=True,
            now=timezone.now() - dt.timedelta(hours=5 * n),
        )
    if stays:
        daily._raise(stays[0], AlertKind.FEVER, f"fever:demo:{stays[0].pk}", "37.9 °C")
    daily.requests_escalate()
    return len(stays)


def _release_in_the_past(stay: Stay) -> None:
    """History: released on the day the quarantine ended; the room was cleaned since."""
    with transaction.atomic():
        booking = Allocation.objects.filter(stay=stay, ended_at__isnull=True).first()
        end = timezone.make_aware(dt.datetime.combine(stay.quarantine_end, dt.time(10)))
        if booking is not None:
            Allocation.objects.filter(pk=booking.pk).update(ended_at=end)
            Room.objects.filter(pk=booking.room_id).update(status=RoomStatus.FREE, status_changed_at=end)
        Stay.objects.filter(pk=stay.pk).update(
            status=StayStatus.RELEASED, released_on=stay.quarantine_end, ended_at=end, end_reason="released"
        )


def _checkins(stay: Stay, today: dt.date, *, skip: bool) -> None:
    """Two check-ins a day from the start to yesterday, and today's morning one; a few people skip the last day."""
    rows = []
    day = stay.start_day
    while day <= today:
        for slot, until in core.CHECKIN_SLOTS:
            at = dt.datetime.combine(day, until, core.SHANGHAI) - dt.timedelta(hours=2)
            if at > timezone.now() or (skip and day >= today - dt.timedelta(days=1)):
                continue
            rows.append(CheckIn(stay=stay, day=day, slot=slot, at=at, temperature=36.5, by_person=slot == 2))
        day += dt.timedelta(days=1)
    CheckIn.objects.bulk_create(rows, ignore_conflicts=True)

"""Every allowed and every refused step of a stay and of a room, through the services that take them."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from apps.accounts.models import User
from apps.cases.models import LabResult
from apps.common.errors import Conflict
from apps.quarantine import lifecycle, services
from apps.quarantine.choices import RoomStatus, StayStatus
from apps.quarantine.models import Allocation, Room, Site, Stay

pytestmark = pytest.mark.django_db

# The step each target status is reached by, and the policy that makes that step the one taken.
TARGET_POLICY = {
    StayStatus.ACTIVE: "c14-2020",
    StayStatus.MONITORING: "c14m7-2020",
    StayStatus.RELEASED: "c14-2020",
    StayStatus.RELEASED_EARLY: "c14-2020",
    StayStatus.HOSPITAL: "c14-2020",
    StayStatus.CANCELLED: "c14-2020",
    StayStatus.WAITING: "c14-2020",
}


def negative_yesterday(person_id: int) -> None:
    at = timezone.now() - dt.timedelta(days=1)
    LabResult.objects.create(
        key=f"t:{person_id}",
        lab="t",
        sample_id=f"s{person_id}",
        person_id=person_id,
        sampled_at=at,
        result="negative",
        created_at=at,
    )


def take_step(to: str, stay: Stay, room: Room, officer: User, second: User) -> None:
    if to == StayStatus.ACTIVE:
        services.allocate(actor=officer, stays=[stay], room=room)
    elif to in (StayStatus.MONITORING, StayStatus.RELEASED):
        services.release(actor=officer, stay=stay)
    elif to == StayStatus.RELEASED_EARLY:
        ask = services.early_release_request(actor=officer, stay=stay, reason="misjudged contact")
        services.early_release_decide(actor=second, ask=ask, approve=True)
    elif to == StayStatus.HOSPITAL:
        services.to_hospital(actor=officer, stay=stay, reason="fever 38.5")
    elif to == StayStatus.CANCELLED:
        services.cancel_stay(actor=officer, stay=stay, reason="wrong person")
    else:  # nothing leads back to waiting
        raise Conflict("invalid_transition", "no service")


@pytest.mark.parametrize(("frm", "to"), list(itertools.product(StayStatus.values, StayStatus.values)))
def test_every_stay_step(
    frm: str,
    to: str,
    make_stay: Callable[..., Stay],
    person_a: Any,
    hotel: Site,
    officer_a: User,
    make_user: Callable[..., User],
) -> None:
    # Exposed 14 days ago, in quarantine since yesterday, negative yesterday: the release rule holds today.
    stay = make_stay(person_a, days_ago=14, started_days_ago=1, policy_code=TARGET_POLICY[to])
    negative_yesterday(person_a.pk)
    Stay.objects.filter(pk=stay.pk).update(status=frm)
    stay.refresh_from_db()
    room = hotel.rooms.first()
    second = make_user("district_officer", "990101", username="second")
    allowed = lifecycle.stay_step_allowed(frm, to)
    if allowed:
        take_step(to, stay, room, officer_a, second)
        stay.refresh_from_db()
        assert stay.status == to
        assert stay.events.filter(from_status=frm, to_status=to).exists()
    else:
        with pytest.raises(Conflict):
            take_step(to, stay, room, officer_a, second)
        stay.refresh_from_db()
        assert stay.status == frm


def test_the_stay_table_has_exactly_the_documented_steps() -> None:
    assert len(lifecycle.STAY_TRANSITIONS) == 10
    assert not any(lifecycle.stay_step_allowed(s, StayStatus.WAITING) for s in StayStatus.values)
    for ended in (StayStatus.RELEASED, StayStatus.RELEASED_EARLY, StayStatus.HOSPITAL, StayStatus.CANCELLED):
        assert not any(lifecycle.stay_step_allowed(ended, s) for s in StayStatus.values)


@pytest.mark.parametrize(("frm", "to"), list(itertools.product(RoomStatus.values, RoomStatus.values)))
def test_every_manual_room_step(frm: str, to: str, hotel: Site, manager_a: User) -> None:
    room = hotel.rooms.first()
    Room.objects.filter(pk=room.pk).update(status=frm)
    # By hand only cleaning → free and the out-of-order round trip; occupied is the allocators' alone.
    allowed = lifecycle.room_step_allowed(frm, to) and RoomStatus.OCCUPIED not in (frm, to)
    if allowed:
        services.room_set_status(actor=manager_a, room=room, to=to)
    else:
        with pytest.raises(Conflict):
            services.room_set_status(actor=manager_a, room=room, to=to)
    room.refresh_from_db()
    assert room.status == (to if allowed else frm)


def test_a_room_goes_occupied_then_cleaning_on_release_then_free(
    make_stay: Callable[..., Stay], person_a: Any, hotel: Site, officer_a: User, manager_a: User
) -> None:
    stay = make_stay(person_a, days_ago=14, started_days_ago=1, policy_code="c14-2020")
    room = hotel.rooms.get(number="101")
    services.allocate(actor=manager_a, stays=[stay], room=room)
    room.refresh_from_db()
    assert room.status == RoomStatus.OCCUPIED
    with pytest.raises(Conflict):
        services.room_set_status(actor=manager_a, room=room, to=RoomStatus.FREE)  # not before cleaning
    negative_yesterday(person_a.pk)
    services.release(actor=manager_a, stay=stay)
    room.refresh_from_db()
    assert room.status == RoomStatus.CLEANING
    assert not Allocation.objects.filter(room=room, ended_at__isnull=True).exists()
    services.room_set_status(actor=manager_a, room=room, to=RoomStatus.FREE)
    room.refresh_from_db()
    assert room.status == RoomStatus.FREE


def test_a_manager_of_another_district_cannot_change_the_room(hotel: Site, manager_b: User) -> None:
    from apps.common.errors import Forbidden

    with pytest.raises(Forbidden):
        services.room_set_status(actor=manager_b, room=hotel.rooms.first(), to=RoomStatus.OUT_OF_ORDER)

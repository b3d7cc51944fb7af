"""Allocation: one person or one household per room, never a taken bed; transfers; the database constraints."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.common.errors import Conflict, Forbidden
from apps.people.models import Household
from apps.quarantine import services
from apps.quarantine.choices import RoomStatus, StayStatus
from apps.quarantine.models import Allocation, Room, Site, Stay

pytestmark = pytest.mark.django_db


def test_a_person_is_allocated_and_a_second_allocator_is_refused_the_room(
    person_factory: Any, officer_a: User, manager_a: User, hotel: Site, make_stay: Callable[..., Stay]
) -> None:
    first, second = (make_stay(person_factory(actor=officer_a)) for _ in range(2))
    room = hotel.rooms.get(number="101")
    [booking] = services.allocate(actor=manager_a, stays=[first], room=room)
    first.refresh_from_db()
    assert (first.status, first.site_id, booking.bed) == (StayStatus.ACTIVE, hotel.pk, 1)
    with pytest.raises(Conflict) as caught:
        services.allocate(actor=manager_a, stays=[second], room=room)
    assert caught.value.code == "room_taken"
    second.refresh_from_db()
    assert second.status == StayStatus.WAITING


def test_a_household_shares_a_family_room_but_strangers_do_not(
    person_factory: Any, officer_a: User, manager_a: User, hotel: Site, make_stay: Callable[..., Stay]
) -> None:
    family = Household.objects.create(ref="H1", area_id="990101001001")
    members = [person_factory(actor=officer_a) for _ in range(3)]
    for m in members:
        m.household = family
        m.save(update_fields=["household"])
    stays = [make_stay(m) for m in members]
    stranger = make_stay(person_factory(actor=officer_a))
    family_room = hotel.rooms.get(number="301")
    with pytest.raises(Conflict) as caught:
        services.allocate(actor=manager_a, stays=[stays[0], stranger], room=family_room)
    assert caught.value.code == "not_a_household"
    with pytest.raises(Conflict) as caught:
        services.allocate(actor=manager_a, stays=stays, room=hotel.rooms.get(number="101"))
    assert caught.value.code == "too_few_beds"
    bookings = services.allocate(actor=manager_a, stays=stays, room=family_room)
    assert sorted(b.bed for b in bookings) == [1, 2, 3]


def test_a_manager_of_another_district_cannot_allocate_there(
    person_a: Any, manager_b: User, hotel: Site, make_stay: Callable[..., Stay]
) -> None:
    with pytest.raises(Forbidden):
        services.allocate(actor=manager_b, stays=[make_stay(person_a)], room=hotel.rooms.first())


def test_a_transfer_moves_the_person_and_sends_the_old_room_to_cleaning(
    person_a: Any, manager_a: User, hotel: Site, make_stay: Callable[..., Stay]
) -> None:
    stay = make_stay(person_a)
    old, new = hotel.rooms.get(number="101"), hotel.rooms.get(number="102")
    services.allocate(actor=manager_a, stays=[stay], room=old)
    services.transfer(actor=manager_a, stay=stay, room=new, reason="broken heating")
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.status, new.status) == (RoomStatus.CLEANING, RoomStatus.OCCUPIED)
    assert Allocation.objects.get(stay=stay, ended_at__isnull=True).room_id == new.pk
    assert stay.events.filter(kind="transfer", note="broken heating").exists()


def test_the_database_refuses_a_second_open_booking_of_a_bed(
    person_factory: Any, officer_a: User, hotel: Site, make_stay: Callable[..., Stay]
) -> None:
    a, b = (make_stay(person_factory(actor=officer_a)) for _ in range(2))
    room = hotel.rooms.first()
    now = timezone.now()
    Allocation.objects.create(stay=a, room=room, bed=1, started_at=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        Allocation.objects.create(stay=b, room=room, bed=1, started_at=now)
    # An ended booking frees the bed for the next one.
    Allocation.objects.filter(stay=a).update(ended_at=now + dt.timedelta(hours=1))
    Allocation.objects.create(stay=b, room=room, bed=1, started_at=now + dt.timedelta(hours=2))


def test_the_database_refuses_a_second_open_stay_of_a_person(
    person_a: Any, make_stay: Callable[..., Stay]
) -> None:
    stay = make_stay(person_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Stay.objects.create(
            person=person_a,
            area_id=person_a.area_id,
            kind="home",
            status="active",
            policy=stay.policy,
            last_exposure=stay.last_exposure,
            start_day=stay.start_day,
            quarantine_end=stay.quarantine_end,
            planned_end=stay.planned_end,
        )


def test_an_out_of_order_room_is_not_allocated(
    person_a: Any, manager_a: User, hotel: Site, make_stay: Callable[..., Stay]
) -> None:
    room = hotel.rooms.first()
    services.room_set_status(actor=manager_a, room=room, to=RoomStatus.OUT_OF_ORDER)
    with pytest.raises(Conflict):
        services.allocate(actor=manager_a, stays=[make_stay(person_a)], room=Room.objects.get(pk=room.pk))

"""Fixtures of the quarantine tests: site managers of two districts, a hotel with rooms, persons with stays."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from apps.accounts.models import User
from apps.people.models import Person
from apps.quarantine import services
from apps.quarantine.models import Room, Site, Stay
from tests.factories import COMMUNITY_A, DISTRICT_A, DISTRICT_B


@pytest.fixture
def manager_a(make_user: Callable[..., User]) -> User:
    return make_user("quarantine_manager", DISTRICT_A, username="qm_a")


@pytest.fixture
def manager_b(make_user: Callable[..., User]) -> User:
    return make_user("quarantine_manager", DISTRICT_B, username="qm_b")


@pytest.fixture
def epi(make_user: Callable[..., User]) -> User:
    return make_user("epidemiologist", "990100", username="epi")


@pytest.fixture
def hotel(city: Any) -> Site:
    site = Site.objects.create(name="演示酒店", area_id=DISTRICT_A, address="演示路1号")
    Room.objects.bulk_create(
        [Room(site=site, number=f"{f}0{n}", floor=f, beds=1) for f in (1, 2) for n in (1, 2)]
        + [Room(site=site, number="301", floor=3, beds=3, type="family")]
    )
    return site


@pytest.fixture
def person_a(person_factory: Any, officer_a: User) -> Person:
    return person_factory(actor=officer_a, area_code=COMMUNITY_A)


@pytest.fixture
def make_stay(officer_a: User) -> Callable[..., Stay]:
    """`make_stay(person, days_ago=3, kind="centralised", started_days_ago=0)`: an accepted order's stay."""

    def make(
        person: Person, days_ago: int = 3, kind: str = "centralised", started_days_ago: int = 0, **kw: Any
    ) -> Stay:
        order = services.propose_order(
            person=person,
            source="manual",
            source_ref=f"test:{person.pk}:{days_ago}",
            last_exposure=timezone.now() - dt.timedelta(days=days_ago),
            kind=kind,
            actor=officer_a,
            note="test",
            **kw,
        )
        today = timezone.localdate() - dt.timedelta(days=started_days_ago)
        return services.accept_order(actor=officer_a, order=order, today=today)

    return make

"""Fixtures of the command app's tests: the headquarters, and a scan alert raised through the venues service."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.utils import timezone

from apps.venues.services import scans_ingest, venue_create
from tests.factories import COMMUNITY_A, DISTRICT_A

CITY = "990100"


@pytest.fixture
def commander(make_user: Any) -> Any:
    return make_user("commander", CITY, username="commander")


@pytest.fixture
def guard(make_user: Any) -> Any:
    return make_user("checkpoint_operator", DISTRICT_A, username="guard")


@pytest.fixture
def raise_alert(guard: Any, officer_a: Any, person_factory: Any) -> Any:
    """`raise_alert(registrar, residence)`: a red code scanned at a gate in district A raises one alert."""
    gate = venue_create(
        actor=officer_a, data={"name": "甲卡口", "category": "community_gate", "area_code": COMMUNITY_A}
    )

    def make(registrar: Any = None, residence: str = COMMUNITY_A, colour: str = "red") -> Any:
        person = person_factory(actor=registrar or officer_a, area_code=residence)
        scan = {
            "client_id": uuid.uuid4().hex,
            "venue": str(gate.ref),
            "person": person.pk,
            "scanned_at": timezone.now().isoformat(),
            "temperature": "36.5",
            "colour": colour,
        }
        result = scans_ingest(actor=guard, scans=[scan])
        assert result.alerts == 1
        return person

    return make

"""A citizen's declaration and check-in: dates in the calendar, a temperature that is a number."""

from __future__ import annotations

import json

import pytest

from apps.codes.models import CheckIn, Declaration
from tests.factories import COMMUNITY_A

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen(make_user, person_factory, officer_a):
    user = make_user("citizen", COMMUNITY_A, username="citizen")
    user.person = person_factory(actor=officer_a)
    user.save()
    return user


@pytest.mark.parametrize("temperature", ["NaN", "Infinity", "-inf", 1e308])
def test_a_check_in_temperature_that_is_not_a_reading_is_a_422(citizen, api_of, temperature):
    r = api_of(citizen).post("/api/codes/me/checkins", json.dumps({"temperature": temperature}),
                             content_type="application/json")
    assert r.status_code == 422, r.content
    assert r.json()["details"][0]["field"].split(".")[-1] == "temperature"
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("arrived_on", ["1800-01-01", "0001-01-01", "9999-12-31"])
def test_a_declaration_arriving_outside_the_calendar_is_a_422(citizen, api_of, arrived_on):
    r = api_of(citizen).post("/api/codes/me/declarations", json.dumps({"arrived_on": arrived_on}),
                             content_type="application/json")
    assert r.status_code == 422, r.content
    assert r.json()["details"][0]["field"].split(".")[-1] == "arrived_on"
    assert not Declaration.objects.exists()

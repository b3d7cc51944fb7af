"""Fixtures of the cases tests: an epidemiologist and a clinician of the city, a case factory."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from apps.accounts.models import User
from apps.cases import services
from apps.cases.models import Case
from apps.people.models import Person
from tests.factories import COMMUNITY_A


@pytest.fixture
def epi(make_user: Callable[..., User]) -> User:
    return make_user("epidemiologist", "990100", username="epi")


@pytest.fixture
def epi_b(make_user: Callable[..., User]) -> User:
    """An epidemiologist of district B only."""
    return make_user("epidemiologist", "990102", username="epi_b")


@pytest.fixture
def person_a(person_factory: Any, officer_a: User) -> Person:
    return person_factory(actor=officer_a, area_code=COMMUNITY_A)


@pytest.fixture
def make_case(epi: User) -> Callable[..., Case]:
    def make(person: Person, status: str = "suspected", **kwargs: Any) -> Case:
        return services.case_report(actor=epi, person=person, status=status, **kwargs)

    return make

"""Fixtures of the enterprises tests: economic officers of two districts, enterprises, a linked enterprise user."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest

from apps.accounts.models import User
from apps.enterprises import services
from apps.enterprises.models import Department, Enterprise, TicketCategory
from core import creditcode
from tests.factories import COMMUNITY_A, COMMUNITY_B, DISTRICT_A, DISTRICT_B

_rng = random.Random(7)


def new_code(area: str = DISTRICT_A) -> str:
    return creditcode.generate(_rng, area[:6])


@pytest.fixture
def econ_a(make_user: Callable[..., User]) -> User:
    return make_user("economic_officer", DISTRICT_A, username="econ_a")


@pytest.fixture
def econ_b(make_user: Callable[..., User]) -> User:
    return make_user("economic_officer", DISTRICT_B, username="econ_b")


@pytest.fixture
def enterprise_factory(econ_a: User, make_user: Callable[..., User]) -> Callable[..., Enterprise]:
    city_officer = make_user("economic_officer", "990100", username="econ_city")

    def make(area: str = COMMUNITY_A, **fields: Any) -> Enterprise:
        data = {
            "credit_code": new_code(area),
            "name": f"企业{_rng.randint(0, 10**9)}",
            "industry_section": "C",
            "area_code": area,
            "size_class": "small",
            "above_designated": "no",
            "employees": "100",
            "contact_name": "张三丰",
            "contact_phone": "13912345678",
            **fields,
        }
        return services.enterprise_create(actor=city_officer, data=data)

    return make


@pytest.fixture
def ent_a(enterprise_factory: Callable[..., Enterprise]) -> Enterprise:
    return enterprise_factory(COMMUNITY_A, name="甲区机械厂")


@pytest.fixture
def ent_b(enterprise_factory: Callable[..., Enterprise]) -> Enterprise:
    return enterprise_factory(COMMUNITY_B, name="乙区纺织厂")


@pytest.fixture
def ent_user(make_user: Callable[..., User], ent_a: Enterprise, econ_a: User) -> User:
    user = make_user("enterprise_user", DISTRICT_A, username="ent_user_a")
    services.enterprise_member_link(actor=econ_a, enterprise=ent_a, user=user)
    return user


@pytest.fixture
def categories(db: None) -> dict[str, TicketCategory]:
    tax = Department.objects.create(code="tax", name="税务局")
    hr = Department.objects.create(code="hr", name="人社局")
    return {
        "tax": TicketCategory.objects.create(
            code="tax", name="税费", department=tax, sla_hours=24, working_time=False
        ),
        "labour": TicketCategory.objects.create(
            code="labour", name="用工", department=hr, sla_hours=8, working_time=True
        ),
    }

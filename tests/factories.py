"""Test data built through the same services the product uses, so tests exercise validation and encryption."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import factory

from apps.accounts.models import User
from apps.accounts.services import user_create
from apps.people.models import Person
from apps.people.services import person_create
from core import idnum

TEST_PASSWORD = "test-password-2020"
DISTRICT_A, DISTRICT_B = "990101", "990102"
COMMUNITY_A, COMMUNITY_B = "990101001001", "990102001001"
_sequence = itertools.count(1)


def resident_id(area_code: str = COMMUNITY_A, birth: dt.date = dt.date(1985, 3, 14), sex: str = "M") -> str:
    """A valid GB 11643 number whose prefix is the residence district; unique within a test run."""
    n = next(_sequence)
    # A different birth date for every call keeps numbers unique however many a test makes.
    return idnum.make(area_code[:6], birth + dt.timedelta(days=n), 1 + n % 499, sex)


class UserFactory(factory.Factory):
    """`UserFactory(role=..., area=...)`: one user holding one role at one area."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    role = "district_officer"
    area = DISTRICT_A

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        role, area = kwargs.pop("role"), kwargs.pop("area")
        return user_create(username=kwargs.pop("username"), password=TEST_PASSWORD, grants=[(role, area)], **kwargs)


class PersonFactory(factory.Factory):
    """`PersonFactory(actor=user, area_code=...)`: a person created by `person_create` as `actor`."""

    class Meta:
        model = Person

    actor: Any = None
    name = factory.Sequence(lambda n: f"测试{n:05d}")
    doc_type = "resident_id"
    area_code = COMMUNITY_A
    doc_number = factory.LazyAttribute(lambda o: resident_id(o.area_code))
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    address = factory.Sequence(lambda n: f"演示路{n}号")
    nationality = "CHN"
    household_ref = ""
    relation = ""

    @classmethod
    def _create(cls, model_class: type[Person], *args: Any, **kwargs: Any) -> Person:
        actor = kwargs.pop("actor")
        if actor is None:
            raise ValueError("PersonFactory needs actor=<a user with person.change at the area>")
        return person_create(actor=actor, data={k: str(v) for k, v in kwargs.items()})

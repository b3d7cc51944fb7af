"""Screening fixtures: a district officer's source and list, registered persons, and files of rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from apps.screening import services
from apps.screening.choices import ListPurpose, SourceKind, VisitRule
from apps.screening.models import ScreeningList
from core import idnum, tabular
from tests.factories import COMMUNITY_A, DISTRICT_A

COLUMNS = ("姓名", "身份证号", "性别", "出生日期", "手机号", "社区代码", "住址")


def csv_of(rows: Sequence[Sequence[str]], header: Sequence[str] = COLUMNS) -> bytes:
    return tabular.write_csv(header, rows)


@pytest.fixture
def source(officer_a: Any) -> Any:
    return services.source_create(
        actor=officer_a, name="铁路统筹站", kind=SourceKind.TRANSPORT, area_code=DISTRICT_A
    )


@pytest.fixture
def make_list(officer_a: Any, source: Any) -> Callable[..., ScreeningList]:
    def make(rule: str = VisitRule.UNMATCHED, **kw: Any) -> ScreeningList:
        return services.list_create(
            actor=officer_a,
            source=source,
            name=kw.pop("name", "武汉来返人员"),
            purpose=ListPurpose.ARRIVALS,
            area_code=DISTRICT_A,
            visit_rule=rule,
            **kw,
        )

    return make


@pytest.fixture
def registered(officer_a: Any, person_factory: Any) -> Callable[..., Any]:
    """`registered(name=..., birth=..., phone=...)`: a person in the registry; returns (person, plain fields)."""
    sequence = iter(range(1, 499))

    def make(
        name: str, birth: dt.date, phone: str, sex: str = "M", area: str = COMMUNITY_A
    ) -> tuple[Any, dict[str, str]]:
        doc = idnum.make(area[:6], birth, next(sequence), sex)
        person = person_factory(
            actor=officer_a, name=name, doc_number=doc, phone=phone, area_code=area, sex=sex
        )
        return person, {
            "name": name,
            "doc": doc,
            "birth": person.birth_date.isoformat(),
            "phone": phone,
            "sex": sex,
            "area": area,
        }

    return make

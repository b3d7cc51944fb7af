"""A bad person record gets an error naming the field; nothing partial is saved."""

from __future__ import annotations

import datetime as dt

import pytest

from apps.people.models import Household, Person
from core import idnum
from tests.factories import COMMUNITY_A, resident_id

pytestmark = pytest.mark.django_db


def _post(api, **data):
    body = {"name": "李四", "area_code": COMMUNITY_A, **data}
    return api.post("/api/persons/", body, content_type="application/json")


def _wrong_check_digit() -> str:
    good = resident_id(COMMUNITY_A)
    return good[:17] + ("0" if good[17] != "0" else "1")


@pytest.mark.parametrize(("data", "field", "code"), [
    ({"doc_number": "WRONG"}, "doc_number", None),
    ({"area_code": "990101999999"}, "area_code", "unknown"),
    ({"phone": "1381234"}, "phone", "format"),
    ({"name": ""}, "name", None),
])
def test_each_bad_field_is_named_and_nothing_is_saved(officer_a, api_of, data, field, code):
    response = _post(api_of(officer_a), **{"doc_number": resident_id(COMMUNITY_A), **data})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_person"
    assert field in [d["field"] for d in body["details"]]
    if code:
        assert code in [d["code"] for d in body["details"]]
    assert Person.objects.count() == 0
    assert Household.objects.count() == 0


def test_a_wrong_check_digit_is_reported_as_such(officer_a, api_of):
    body = _post(api_of(officer_a), doc_number=_wrong_check_digit()).json()
    assert [(d["field"], d["code"]) for d in body["details"]] == [("doc_number", "check_digit")]


def test_an_impossible_birth_date_is_reported(officer_a, api_of):
    first17 = "990101" + "19850230" + "001"
    body = _post(api_of(officer_a), doc_number=first17 + idnum.check_digit(first17)).json()
    assert [(d["field"], d["code"]) for d in body["details"]] == [("doc_number", "birth_date")]


def test_sex_and_birth_date_are_derived_from_the_id_number(officer_a, api_of):
    number = idnum.make("990101", dt.date(1990, 7, 1), 124, "F")
    response = _post(api_of(officer_a), doc_number=number)
    assert response.status_code == 201, response.json()
    person = Person.objects.get()
    assert (person.sex, person.birth_date) == ("F", dt.date(1990, 7, 1))


def test_one_id_number_is_one_person(officer_a, api_of):
    number = resident_id(COMMUNITY_A)
    assert _post(api_of(officer_a), doc_number=number).status_code == 201
    response = _post(api_of(officer_a), doc_number=number.lower(), name="另一个名字")
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_person"
    assert Person.objects.count() == 1


def test_a_foreigner_registers_with_a_passport(officer_a, api_of):
    response = _post(api_of(officer_a), name="John Smith", doc_type="passport", doc_number="E12345678",
                     nationality="USA", sex="M", birth_date="1980-02-03", phone="+1 415 555 0100")
    assert response.status_code == 201, response.json()
    assert response.json()["doc_number"] == "E1*****78"


def test_the_page_form_shows_field_errors(officer_a, client_of):
    response = client_of(officer_a).post("/persons/new/", {"name": "王五", "doc_number": _wrong_check_digit(),
                                                           "doc_type": "resident_id", "area_code": COMMUNITY_A,
                                                           "nationality": "CHN"})
    assert response.status_code == 422
    assert "doc_number" in response.content.decode()
    assert Person.objects.count() == 0


def test_households_group_members_with_their_relation(officer_a, person_factory, api_of):
    head = person_factory(actor=officer_a, household_ref="H-1", relation="head")
    child = person_factory(actor=officer_a, household_ref="H-1", relation="child")
    assert head.household_id == child.household_id
    page = api_of(officer_a).get(f"/api/persons/{head.pk}").json()
    assert page["relation"] == "head"

"""Two district officers: neither sees nor changes the other's people, by page, API, export or ID search."""

from __future__ import annotations

import pytest

from apps.people.models import Person
from tests.factories import COMMUNITY_A, COMMUNITY_B, resident_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def people_ab(officer_a, officer_b, person_factory):
    return person_factory(actor=officer_a, area_code=COMMUNITY_A), person_factory(actor=officer_b, area_code=COMMUNITY_B)


def test_queryset_scope_follows_the_grant(people_ab, officer_a, officer_b):
    a, b = people_ab
    assert list(Person.objects.visible_to(officer_a)) == [a]
    assert list(Person.objects.visible_to(officer_b)) == [b]


def test_the_list_page_shows_only_own_district(people_ab, officer_a, client_of):
    a, b = people_ab
    html = client_of(officer_a).get("/persons/").content.decode()
    assert a.doc_masked in html
    assert b.doc_masked not in html


def test_the_detail_page_of_another_district_is_not_found(people_ab, officer_a, client_of):
    _a, b = people_ab
    assert client_of(officer_a).get(f"/persons/{b.pk}/").status_code == 404


def test_api_list_and_detail_are_scoped(people_ab, officer_a, api_of):
    a, b = people_ab
    api = api_of(officer_a)
    ids = [p["id"] for p in api.get("/api/persons/").json()["items"]]
    assert ids == [a.pk]
    response = api.get(f"/api/persons/{b.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "person_not_found"


def test_search_by_the_id_number_of_another_district_finds_nothing(officer_a, officer_b, person_factory, api_of,
                                                                   client_of):
    number = resident_id(COMMUNITY_B)
    b = person_factory(actor=officer_b, area_code=COMMUNITY_B, doc_number=number)
    assert [p["id"] for p in api_of(officer_b).get("/api/persons/", {"q": number}).json()["items"]] == [b.pk]
    assert api_of(officer_a).get("/api/persons/", {"q": number}).json()["items"] == []
    assert b.doc_masked not in client_of(officer_a).get("/persons/", {"q": number}).content.decode()


def test_export_contains_only_own_district(people_ab, officer_a, client_of, api_of):
    a, b = people_ab
    for body in (client_of(officer_a).get("/persons/export/?format=csv").content.decode("utf-8-sig"),
                 api_of(officer_a).get("/api/persons/export").content.decode("utf-8-sig")):
        assert a.doc_masked in body
        assert b.doc_masked not in body


def test_changes_across_districts_are_refused(people_ab, officer_a, api_of):
    _a, b = people_ab
    api = api_of(officer_a)
    assert api.patch(f"/api/persons/{b.pk}", {"phone": "13900000000"}, content_type="application/json").status_code == 404
    assert api.post(f"/api/persons/{b.pk}/reveal", {"fields": ["doc_number"]},
                    content_type="application/json").status_code == 404
    response = api.post("/api/persons/", {"name": "越界", "doc_number": resident_id(COMMUNITY_B), "area_code": COMMUNITY_B},
                        content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "outside_jurisdiction"
    assert Person.objects.filter(area_id=COMMUNITY_B).count() == 1


def test_import_rows_outside_the_jurisdiction_are_reported_not_stored(officer_a, api_of):
    csv = ("姓名,身份证号,社区代码\n"
           f"本区,{resident_id(COMMUNITY_A)},{COMMUNITY_A}\n"
           f"他区,{resident_id(COMMUNITY_B)},{COMMUNITY_B}\n").encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    report = api_of(officer_a).post("/api/persons/import", {"file": SimpleUploadedFile("p.csv", csv)}).json()
    assert report["created_rows"] == 1
    assert [(e["line"], e["code"]) for e in report["errors"]] == [(3, "outside_jurisdiction")]
    assert not Person.objects.filter(area_id=COMMUNITY_B).exists()


def test_a_community_worker_sees_only_their_community(make_user, officer_a, person_factory):
    inside = person_factory(actor=officer_a, area_code=COMMUNITY_A)
    person_factory(actor=officer_a, area_code="990101001002")
    worker = make_user("community_worker", COMMUNITY_A)
    assert list(Person.objects.visible_to(worker)) == [inside]


def test_a_city_commander_sees_every_district(people_ab, make_user):
    commander = make_user("commander", "990100")
    assert Person.objects.visible_to(commander).count() == 2

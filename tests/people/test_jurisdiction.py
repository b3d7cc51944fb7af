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


# --- no existence oracle across jurisdictions ------------------------------------------------------------------------

def _registration_of(person, area_code):
    from apps.people.services import person_plain

    plain = person_plain(person)
    return {"name": plain["name"], "doc_type": "resident_id", "doc_number": plain["doc_number"],
            "area_code": area_code, "phone": "13700000000"}


def test_registering_another_districts_person_names_no_id_and_refers_it(people_ab, officer_a, officer_b, api_of):
    from apps.people.models import DuplicateReferral

    a, _b = people_ab
    response = api_of(officer_b).post("/api/persons/", _registration_of(a, COMMUNITY_B),
                                      content_type="application/json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "duplicate_elsewhere"
    assert "person_id" not in response.content.decode() and "990101" not in response.content.decode()
    referral = DuplicateReferral.objects.get()
    assert (referral.person_id, referral.area_id, referral.referred_by, referral.source) == (
        a.pk, a.area_id, officer_b, "api")
    # The owning district sees the referral; the other side does not.
    mine = api_of(officer_a).get("/api/persons/referrals").json()["items"]
    assert [(r["person_id"], r["claimed_area_code"], r["referred_by"]) for r in mine] == [
        (a.pk, COMMUNITY_B, "officer_b")]
    assert api_of(officer_b).get("/api/persons/referrals").json()["items"] == []


def test_a_duplicate_in_ones_own_district_still_names_the_person(people_ab, officer_a, api_of):
    a, _b = people_ab
    response = api_of(officer_a).post("/api/persons/", _registration_of(a, COMMUNITY_A),
                                      content_type="application/json")
    assert response.status_code == 409
    assert response.json()["details"] == [{"person_id": a.pk}]


def test_the_import_counts_persons_registered_elsewhere_without_naming_them(people_ab, officer_a, officer_b, api_of):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.people.models import DuplicateReferral
    from apps.people.services import person_plain

    a, b = people_ab
    own = person_plain(b)
    rows = [
        "姓名,身份证号,手机号,社区代码",
        f"{person_plain(a)['name']},{person_plain(a)['doc_number']},13700000001,{COMMUNITY_B}",  # registered in A
        f"{own['name']},{own['doc_number']},13700000002,{COMMUNITY_B}",  # already ours
        f"新人,{resident_id(COMMUNITY_B)},13700000003,{COMMUNITY_B}",  # new
    ]
    upload = SimpleUploadedFile("list.csv", ("\n".join(rows) + "\n").encode())
    response = api_of(officer_b).post("/api/persons/import", {"file": upload})
    report = response.json()
    assert (report["created_rows"], report["existing_rows"], report["elsewhere_rows"]) == (1, 1, 1)
    assert str(a.pk) not in [str(v) for e in report["errors"] for v in e.values()]
    referral = DuplicateReferral.objects.get()
    assert (referral.person_id, referral.source, referral.referred_by) == (a.pk, "import", officer_b)

"""Likely duplicates without an ID are listed; a merge keeps both records and re-points references."""

from __future__ import annotations

import pytest

from apps.accounts.models import AuditLog
from apps.people.models import MergeCandidate, Person

pytestmark = pytest.mark.django_db


def _nodoc(api, **data):
    body = {"name": "陈阿婆", "doc_number": "", "area_code": "990101001001", "nationality": "CHN", **data}
    response = api.post("/api/persons/", body, content_type="application/json")
    assert response.status_code == 201, response.json()
    return Person.objects.get(pk=response.json()["id"])


def test_same_name_and_birth_date_is_a_merge_candidate(officer_a, api_of):
    api = api_of(officer_a)
    a = _nodoc(api, birth_date="1941-05-06", sex="F")
    b = _nodoc(api, birth_date="1941-05-06", sex="F", phone="13800000011")
    candidates = api.get("/api/persons/merge-candidates").json()
    assert [(c["person_a"]["id"], c["person_b"]["id"], c["reason"]) for c in candidates] == [(a.pk, b.pk, "name_birth")]


def test_same_name_and_phone_is_a_merge_candidate(officer_a, api_of):
    api = api_of(officer_a)
    _nodoc(api, phone="13800000012", birth_date="1941-05-06")
    _nodoc(api, phone="13800000012", birth_date="1941-06-05", address="另一个地址")
    assert [c["reason"] for c in api.get("/api/persons/merge-candidates").json()] == ["name_phone"]


def test_an_identical_record_without_id_is_refused_as_a_duplicate(officer_a, api_of):
    api = api_of(officer_a)
    _nodoc(api, birth_date="1941-05-06", phone="13800000016")
    response = api.post("/api/persons/", {"name": "陈阿婆", "doc_number": "", "area_code": "990101001001",
                                          "birth_date": "1941-05-06", "phone": "13800000016"},
                        content_type="application/json")
    assert response.status_code == 409


def test_different_people_are_not_candidates(officer_a, api_of):
    api = api_of(officer_a)
    _nodoc(api, birth_date="1941-05-06")
    _nodoc(api, name="陈阿公", birth_date="1941-05-06")
    assert api.get("/api/persons/merge-candidates").json() == []


def test_merge_keeps_history_and_repoints_references(officer_a, api_of, make_user):
    api = api_of(officer_a)
    winner = _nodoc(api, birth_date="1941-05-06")
    loser = _nodoc(api, birth_date="1941-05-06", phone="13800000013")
    citizen = make_user("citizen", "990101001001", person=loser)
    response = api.post("/api/persons/merge", {"winner_id": winner.pk, "loser_id": loser.pk},
                        content_type="application/json")
    assert response.status_code == 200, response.json()
    loser.refresh_from_db()
    winner.refresh_from_db()
    citizen.refresh_from_db()
    assert loser.merged_into == winner            # the loser's record is kept, pointing at the winner
    assert citizen.person == winner               # what referenced the loser now references the winner
    assert winner.phone_masked == "138****0013"   # the winner's gaps are filled from the loser
    assert MergeCandidate.objects.get().status == "merged"
    assert AuditLog.objects.filter(action="merge", object_id=str(winner.pk)).exists()
    assert [p["id"] for p in api.get("/api/persons/").json()["items"]] == [winner.pk]
    again = api.post("/api/persons/merge", {"winner_id": winner.pk, "loser_id": loser.pk},
                     content_type="application/json")
    assert again.status_code == 409


def test_dismissing_a_candidate_closes_it(officer_a, api_of):
    api = api_of(officer_a)
    _nodoc(api, birth_date="1941-05-06")
    _nodoc(api, birth_date="1941-05-06", phone="13800000014")
    candidate = MergeCandidate.objects.get()
    assert api.post(f"/api/persons/merge-candidates/{candidate.pk}/dismiss").status_code == 204
    assert api.get("/api/persons/merge-candidates").json() == []


def test_another_district_cannot_merge(officer_a, officer_b, api_of):
    api = api_of(officer_a)
    winner = _nodoc(api, birth_date="1941-05-06")
    loser = _nodoc(api, birth_date="1941-05-06", phone="13800000015")
    response = api_of(officer_b).post("/api/persons/merge", {"winner_id": winner.pk, "loser_id": loser.pk},
                                      content_type="application/json")
    assert response.status_code == 404
    assert Person.objects.filter(merged_into__isnull=False).count() == 0
    assert api_of(officer_b).get("/api/persons/merge-candidates").json() == []

"""Hostile text never reaches storage or a page: NUL, direction overrides and lone surrogates are stripped on the
way in; an import with an oversized cell or a mapping that is not an object is a 422, nothing saved."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.people.models import ImportBatch, Person
from tests.factories import COMMUNITY_A, resident_id

pytestmark = pytest.mark.django_db


def test_a_name_with_nul_an_override_and_a_lone_surrogate_is_stored_clean(officer_a, api_of):
    client = api_of(officer_a)
    body = {"name": "张\x00三\u202e丰\ud800", "area_code": COMMUNITY_A, "doc_number": resident_id(COMMUNITY_A),
            "address": "东门\u202e路1号"}
    response = client.post("/api/persons/", json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "张*丰"
    person_id = response.json()["id"]
    shown = client.post(f"/api/persons/{person_id}/reveal", {"fields": ["name", "address"], "reason": "核对身份信息"},
                        content_type="application/json").json()
    assert (shown["name"], shown["address"]) == ("张三丰", "东门路1号")


def test_a_query_with_an_override_character_is_answered(officer_a, api_of):
    response = api_of(officer_a).get("/api/persons/", {"q": "张\u202e\x00"})
    assert response.status_code == 200


def test_a_csv_cell_over_the_csv_field_limit_is_a_422_and_nothing_is_saved(officer_a, api_of):
    data = f"name,area_code,address\n李四,{COMMUNITY_A},{'x' * 140_000}\n".encode()
    response = api_of(officer_a).post("/api/persons/import", {"file": SimpleUploadedFile("p.csv", data)})
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "bad_file"
    assert "line 2" in response.json()["message"]
    assert not Person.objects.exists() and not ImportBatch.objects.exists()


@pytest.mark.parametrize("mapping", ["[1, 2]", '"name"', "3", '{"name": 5}', "{"])
def test_a_mapping_that_is_not_an_object_of_names_is_a_422(officer_a, api_of, mapping):
    data = f"name,area_code\n李四,{COMMUNITY_A}\n".encode()
    response = api_of(officer_a).post("/api/persons/import",
                                      {"file": SimpleUploadedFile("p.csv", data), "mapping": mapping})
    assert response.status_code == 422, response.content
    assert response.json()["details"][0]["field"] == "mapping"
    assert not Person.objects.exists()

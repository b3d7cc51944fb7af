"""The API is a product surface: a published schema, and every error a JSON body with a code and a message."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_openapi_schema_lists_the_endpoints(city):
    schema = Client().get("/api/openapi.json").json()
    for path in ("/api/persons/", "/api/persons/{person_id}", "/api/areas/", "/api/auth/token", "/api/audit/"):
        assert path in schema["paths"], path


def test_interactive_docs_are_served_without_a_cdn(city):
    html = Client().get("/api/docs").content.decode()
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html


def test_unauthenticated_calls_get_json_401(city):
    response = Client().get("/api/persons/")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_malformed_bodies_get_json_422_naming_the_field(officer_a, api_of):
    response = api_of(officer_a).post("/api/persons/", {"doc_number": "x"}, content_type="application/json")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_request"
    assert any("name" in str(d) for d in body["details"])


def test_broken_json_gets_a_json_error(officer_a, api_of):
    response = api_of(officer_a).post("/api/persons/", "{not json", content_type="application/json")
    assert response.status_code in (400, 422)
    assert "code" in response.json()


def test_an_unexpected_failure_is_json_not_an_html_500(officer_a, api_of, monkeypatch):
    from apps.people import selectors

    def boom(**kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(selectors, "persons_list", boom)
    client = api_of(officer_a)
    client.raise_request_exception = False
    response = client.get("/api/persons/")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert "database on fire" not in response.content.decode()

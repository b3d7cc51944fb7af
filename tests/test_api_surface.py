"""The API is a product surface: a published schema, and every error a JSON body with a code and a message."""

from __future__ import annotations

import io

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


def test_no_two_schemas_share_a_component_name():
    # ninja names a component after its class; two apps' `AlertOut` would silently describe one with the other.
    from ninja import Schema

    import tongchou.api  # noqa: F401 - imports every router, so every schema class exists

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    owners: dict[str, set[str]] = {}
    for cls in subclasses(Schema):
        if cls.__module__.startswith(("apps.", "tongchou.")) and "[" not in cls.__name__:
            owners.setdefault(cls.__name__, set()).add(cls.__module__)
    shared = {name: sorted(modules) for name, modules in owners.items() if len(modules) > 1}
    assert not shared, shared


def test_every_operation_documents_the_error_answers(city):
    schema = Client().get("/api/openapi.json").json()
    assert set(schema["components"]["schemas"]["ErrorOut"]["required"]) == {"code", "message", "details"}
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            for status in ("400", "401", "403", "404", "422") + (() if method == "get" else ("409", "413")):
                content = operation["responses"][status]["content"]["application/json"]["schema"]
                assert content == {"$ref": "#/components/schemas/ErrorOut"}, (method, path, status)


def test_the_case_correction_takes_a_json_body_not_a_query_parameter(city):
    operation = Client().get("/api/openapi.json").json()["paths"]["/api/cases/{case_id}"]["patch"]
    assert [p["name"] for p in operation.get("parameters", [])] == ["case_id"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/CasePatch"}


def test_an_oversized_body_is_a_json_413(officer_a, api_of, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = api_of(officer_a)
    response = client.post("/api/persons/", {"name": "x" * 2000}, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    response = client.post("/api/persons/import", {"mapping": "x" * 2000, "file": io.BytesIO(b"name\n")})
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/persons/?page=9223372036854775808", "page"),
        ("/api/venues/scans?person=9223372036854775808", "person"),
        ("/api/venues/scans?venue=99999999999999999999", "venue"),
        ("/api/cases/?cluster=9223372036854775808", "cluster"),
        ("/api/cases/contacts?case=9223372036854775808", "case"),
        ("/api/cases/?reported_from=0001-01-01", "reported_from"),
        ("/api/cases/?reported_to=9999-12-31", "reported_to"),
        ("/api/audit/?since=0001-01-01T00:00:00Z", "since"),
        ("/api/enterprises/curve?end=9999-12-31", "end"),
        ("/api/enterprises/curve?start=0001-01-01", "start"),
    ],
)
def test_out_of_range_query_values_are_a_422_naming_the_field(path, field, make_user, api_of):
    user = make_user("commander", "990000")
    for role in ("economic_officer", "auditor", "district_officer"):
        user.grants.create(role=role, area_id="990000")
    client = api_of(user)
    response = client.get(path)
    assert response.status_code == 422, (path, response.status_code, response.content[:300])
    assert [d["field"].split(".")[-1] for d in response.json()["details"]] == [field]


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("post", "/api/indicators/", {"code": "gdp", "name_zh": "生产总值", "name_en": "GDP", "unit": "亿元",
                              "grace_days": -1}, "grace_days"),
        ("put", "/api/projects/thresholds", {"min_milestones_for_share": -3}, "min_milestones_for_share"),
        ("put", "/api/prices/items/rice", {"alert_share": "1e30"}, "alert_share"),
    ],
)
def test_a_negative_count_or_an_oversized_amount_is_a_422_naming_it(method, path, body, field, make_user, api_of):
    econ = make_user("economic_officer", "990000")
    response = getattr(api_of(econ), method)(path, body, content_type="application/json")
    assert response.status_code == 422, (response.status_code, response.content[:300])
    assert field in [d["field"].split(".")[-1] for d in response.json()["details"]]


@pytest.mark.parametrize(
    "path", ["/api/areas/9901%00", "/api/indicators/gdp%E2%80%AE/series", "/api/prices/items/rice%00/series",
             "/api/codes/counts?level=99999999999999999999", "/api/indicators/gdp/series?year=99999"],
)
def test_a_nul_in_a_path_code_or_an_absurd_level_or_year_is_a_422(path, make_user, api_of):
    user = make_user("commander", "990000")
    response = api_of(user).get(path)
    assert response.status_code == 422, (response.status_code, response.content[:300])


@pytest.mark.parametrize(
    "path", ["/api/persons/import", "/api/areas/import", "/api/enterprises/import", "/api/enterprises/power/import",
             "/api/cases/labs/file"],
)
def test_every_import_refuses_a_cell_over_the_csv_field_limit_with_a_422(path, make_user, api_of):
    from django.core.files.uploadedfile import SimpleUploadedFile

    user = make_user("commander", "990000")
    for role in ("district_officer", "economic_officer", "epidemiologist"):
        user.grants.create(role=role, area_id="990000")
    data = ("name," + "x" * 140_000 + "\nrow,1\n").encode()  # the header itself (rows: tests/people)
    response = api_of(user).post(path, {"file": SimpleUploadedFile("big.csv", data), "lab": "lab1"})
    assert response.status_code == 422, (path, response.status_code, response.content[:300])
    assert response.json()["code"] in ("bad_file", "invalid_file")  # the labs import has its own word for it

"""The screening API and pages: jurisdiction with officers of two districts and workers of two communities, a
bounded query count on every list, errors as JSON, the reconciliation page drillable to open items."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.screening import services
from apps.screening.choices import VisitRule
from apps.screening.models import WorkItem
from tests.factories import COMMUNITY_A
from tests.screening.conftest import csv_of

pytestmark = pytest.mark.django_db
COMMUNITY_A2 = "990101001002"
ROWS = [
    ["张伟", "", "男", "1980-01-02", "13900000001", COMMUNITY_A, ""],
    ["李娜", "", "女", "1981-02-03", "13900000002", COMMUNITY_A2, ""],
    ["", "", "", "", "", "", "bad"],
]


@pytest.fixture
def lst(make_list: Any, officer_a: Any) -> Any:
    lst = make_list(rule=VisitRule.EVERYONE)
    services.list_import(actor=officer_a, lst=lst, data=csv_of(ROWS), filename="a.csv")
    return lst


def test_upload_through_the_api_reports_bad_rows(make_list: Any, officer_a: Any, api_of: Any) -> None:
    lst = make_list()
    r = api_of(officer_a).post(
        f"/api/screening/lists/{lst.pk}/imports", {"file": SimpleUploadedFile("a.csv", csv_of(ROWS))}
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["new_rows"], body["error_rows"]) == (3, 1)
    assert [(e["line"], e["field"]) for e in body["errors"]] == [(4, "name")]
    assert api_of(officer_a).get(f"/api/screening/imports/{body['id']}").json()["id"] == body["id"]


def test_another_district_sees_nothing_and_gets_json_404s(lst: Any, officer_b: Any, api_of: Any) -> None:
    api = api_of(officer_b)
    assert api.get("/api/screening/lists").json()["items"] == []
    assert api.get("/api/screening/reconciliation").json() == []
    assert api.get("/api/screening/work-items").json()["items"] == []
    item = WorkItem.objects.first()
    r = api.post(
        f"/api/screening/work-items/{item.pk}/visits", {"outcome": "found"}, content_type="application/json"
    )
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = api.post(
        f"/api/screening/lists/{lst.pk}/imports", {"file": SimpleUploadedFile("a.csv", csv_of(ROWS))}
    )
    assert r.status_code == 404


def test_workers_of_two_communities_see_their_own_items_and_visit_them(
    lst: Any, make_user: Any, api_of: Any
) -> None:
    w1 = api_of(make_user("community_worker", COMMUNITY_A, username="w1"))
    w2 = api_of(make_user("community_worker", COMMUNITY_A2, username="w2"))
    mine = w1.get("/api/screening/work-items").json()["items"]
    assert [i["area_code"] for i in mine] == [COMMUNITY_A] and mine[0]["name"] == "张*"
    assert [i["area_code"] for i in w2.get("/api/screening/work-items").json()["items"]] == [COMMUNITY_A2]
    r = w2.post(
        f"/api/screening/work-items/{mine[0]['id']}/visits",
        {"outcome": "found"},
        content_type="application/json",
    )
    assert r.status_code == 404
    r = w1.post(
        f"/api/screening/work-items/{mine[0]['id']}/visits",
        {"outcome": "found", "temperature": 36.5, "health": "normal"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    r = w1.post(
        f"/api/screening/work-items/{mine[0]['id']}/visits",
        {"outcome": "found", "temperature": 99},
        content_type="application/json",
    )
    assert r.status_code == 422
    tallies = w1.get("/api/screening/reconciliation?depth=12").json()
    assert [(t["area"], t["rows"], t["resolved"], t["balances"]) for t in tallies] == [
        (COMMUNITY_A, 1, 1, True)
    ]


def test_list_endpoints_make_a_bounded_number_of_queries(
    lst: Any, officer_a: Any, api_of: Any, django_assert_max_num_queries: Any
) -> None:
    api = api_of(officer_a)
    for url in (
        "/api/screening/lists",
        "/api/screening/work-items",
        "/api/screening/candidates",
        "/api/screening/reconciliation",
        "/api/screening/sources",
    ):
        with django_assert_max_num_queries(8):
            assert api.get(url).status_code == 200, url


def test_the_reconciliation_page_balances_and_drills_down_to_open_items(
    lst: Any, officer_a: Any, client_of: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_of(officer_a)
    with django_assert_max_num_queries(12):
        page = client.get("/screening/")
    body = page.content.decode()
    assert page.status_code == 200 and "990101" in body and "NO" not in body
    street = client.get("/screening/?area=990101001").content.decode()
    assert "张*" in street and "李*" in street  # the open items of the street, listed


def test_pages_refuse_users_without_screening_rights(lst: Any, make_user: Any, client_of: Any) -> None:
    econ = client_of(make_user("economic_officer", "990100", username="econ"))
    assert econ.get("/screening/").status_code == 403
    assert econ.get("/screening/work/").status_code == 403


def test_a_worker_records_a_visit_on_the_phone_page(lst: Any, make_user: Any, client_of: Any) -> None:
    worker = make_user("community_worker", COMMUNITY_A, username="w1")
    client = client_of(worker)
    item = WorkItem.objects.get(area_id=COMMUNITY_A)
    assert "张*" in client.get("/screening/work/").content.decode()
    r = client.post(
        f"/screening/work/{item.pk}/visit/",
        {"outcome": "found", "health": "normal", "temperature": "36.4", "action": "none"},
    )
    assert r.status_code == 302
    item.refresh_from_db()
    assert item.status == "resolved"
    assert "张*" not in client.get("/screening/work/").content.decode()

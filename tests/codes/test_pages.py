"""Pages: citizen sign-in by one-time code, my code with its override, officer pages, checkpoint page."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from apps.codes.services import code_for, codes_recompute, override_decide, override_request
from apps.codes.sms import MemorySMSBackend
from apps.venues.services import scans_ingest, venue_create
from tests.factories import COMMUNITY_A, DISTRICT_A

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms(settings: Any) -> list[tuple[str, str]]:
    settings.TONGCHOU_SMS_BACKEND = "apps.codes.sms.MemorySMSBackend"
    MemorySMSBackend.outbox.clear()
    return MemorySMSBackend.outbox


def test_a_citizen_signs_in_with_a_one_time_code_and_sees_their_code(
    person_factory: Any, officer_a: Any, sms: list[tuple[str, str]]
) -> None:
    person = person_factory(actor=officer_a, phone="13912345678")
    client = Client()
    r = client.post("/codes/signin/", {"phone": "139 1234 5678", "step": "send"})
    assert r.status_code == 200 and len(sms) == 1
    code = re.search(r"\d{6}", sms[0][1]).group(0)  # type: ignore[union-attr]
    wrong = "000000" if code != "000000" else "111111"
    assert (
        client.post("/codes/signin/", {"phone": "13912345678", "code": wrong, "step": "verify"}).status_code
        == 200
    )
    r = client.post("/codes/signin/", {"phone": "13912345678", "code": code, "step": "verify"})
    assert r.status_code == 302 and r["Location"] == "/codes/my/"
    page = client.get("/codes/my/")
    assert page.status_code == 200
    assert b"<svg" in page.content and b"TC1:" in page.content
    assert page.context["code"].person_id == person.pk
    # The code is single-use.
    assert (
        Client().post("/codes/signin/", {"phone": "13912345678", "code": code, "step": "verify"}).status_code
        == 200
    )


def test_an_unknown_phone_gets_the_same_answer_and_no_sms(city: Any, sms: list[tuple[str, str]]) -> None:
    r = Client().post("/codes/signin/", {"phone": "13800000000", "step": "send"})
    assert r.status_code == 200 and sms == []


def test_my_code_shows_an_override_with_its_reason(
    person_factory: Any,
    officer_a: Any,
    make_user: Any,
    client_of: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    person = person_factory(actor=officer_a)
    citizen = make_user("citizen", COMMUNITY_A, person=person)
    code_for(person)
    o = override_request(
        actor=officer_a,
        person=person,
        colour="yellow",
        reason="Pending re-test after a lab mix-up",
        valid_until=timezone.now() + dt.timedelta(days=2),
    )
    with django_capture_on_commit_callbacks(execute=True):
        override_decide(actor=make_user("district_officer", DISTRICT_A), override=o, approve=True)
    body = client_of(citizen).get("/codes/my/").content.decode()
    assert "Pending re-test after a lab mix-up" in body
    assert 'data-colour="yellow"' in body


def test_declaration_and_check_in_pages_change_the_code(
    person_factory: Any, officer_a: Any, make_user: Any, client_of: Any
) -> None:
    person = person_factory(actor=officer_a)
    client = client_of(make_user("citizen", COMMUNITY_A, person=person))
    assert client.post("/codes/checkin/", {"temperature": "36.6"}).status_code == 302
    assert client.post("/codes/checkin/", {"temperature": "48"}).status_code == 200
    r = client.post(
        "/codes/declare/", {"arrived_on": timezone.localdate().isoformat(), "arrived_from_risk": "medium"}
    )
    assert r.status_code == 302
    assert 'data-colour="yellow"' in client.get("/codes/my/").content.decode()


def test_officer_pages_render_within_a_query_bound(
    person_factory: Any, officer_a: Any, make_user: Any, client_of: Any, django_assert_max_num_queries: Any
) -> None:
    venue = venue_create(
        actor=officer_a, data={"name": "菜场", "category": "supermarket", "area_code": COMMUNITY_A}
    )
    guard = make_user("checkpoint_operator", DISTRICT_A)
    people = [person_factory(actor=officer_a) for _ in range(5)]
    scans_ingest(
        actor=guard,
        scans=[
            {
                "client_id": uuid.uuid4().hex,
                "venue": venue.pk,
                "person": p.pk,
                "scanned_at": timezone.now().isoformat(),
                "temperature": "38.0",
                "colour": "red",
            }
            for p in people
        ],
    )
    codes_recompute()
    client = client_of(officer_a)
    for url in [
        "/venues/",
        f"/venues/{venue.pk}/",
        "/venues/scans/",
        f"/venues/scans/?person={people[0].pk}",
        "/venues/alerts/",
        "/codes/counts/",
        "/codes/overrides/",
        f"/codes/persons/{people[0].pk}/",
    ]:
        with django_assert_max_num_queries(20, info=url):
            assert client.get(url).status_code == 200, url
    assert "菜场" in client.get("/venues/alerts/").content.decode()


def test_the_checkpoint_page_is_for_operators(make_user: Any, client_of: Any, officer_a: Any) -> None:
    venue_create(
        actor=officer_a, data={"name": "北卡口", "category": "road_checkpoint", "area_code": COMMUNITY_A}
    )
    guard = client_of(make_user("checkpoint_operator", DISTRICT_A))
    page = guard.get("/venues/checkpoint/")
    assert page.status_code == 200 and "北卡口" in page.content.decode()
    assert client_of(make_user("economic_officer", DISTRICT_A)).get("/venues/checkpoint/").status_code == 403
    sw = guard.get("/venues/checkpoint/sw.js")
    assert sw["Content-Type"] == "application/javascript" and b"caches.open" in sw.content


def test_the_rules_page_saves_a_valid_version_and_names_bad_fields(
    make_user: Any, client_of: Any, officer_a: Any
) -> None:
    import json

    from apps.codes.models import RuleSetVersion
    from core.coderules import DEFAULT_RULESET

    commander = client_of(make_user("commander", "990100"))
    params = {**DEFAULT_RULESET.to_dict(), "version": "2020.9", "effective_from": "2020-04-01"}
    bad = commander.post("/codes/rules/", {"params": json.dumps({**params, "fever_threshold_celsius": 50})})
    assert bad.status_code == 200 and "fever_threshold_celsius" in bad.content.decode()
    assert commander.post("/codes/rules/", {"params": "{not json"}).status_code == 200
    assert commander.post("/codes/rules/", {"params": json.dumps(params)}).status_code == 302
    assert list(RuleSetVersion.objects.values_list("version", flat=True)) == ["2020.9"]
    client_of(officer_a).post(
        "/codes/rules/", {"params": json.dumps({**params, "version": "x", "effective_from": "2020-05-01"})}
    )
    assert RuleSetVersion.objects.count() == 1


def test_a_citizen_records_a_venue_visit_with_the_venue_code(
    person_factory: Any, officer_a: Any, make_user: Any, client_of: Any
) -> None:
    from apps.venues.models import Scan
    from apps.venues.services import venue_qr_text

    venue = venue_create(
        actor=officer_a, data={"name": "图书馆", "category": "workplace", "area_code": COMMUNITY_A}
    )
    person = person_factory(actor=officer_a)
    client = client_of(make_user("citizen", COMMUNITY_A, person=person))
    ok = client.post(
        "/codes/visit/", {"venue_code": venue_qr_text(venue=venue), "client_id": uuid.uuid4().hex}
    )
    assert ok.context["venue"] == venue
    assert client.post("/codes/visit/", {"venue_code": "TV1:XX"}).context["error"]
    assert list(Scan.objects.values_list("person_id", "venue_id", "operator_id")) == [
        (person.pk, venue.pk, None)
    ]


def test_sign_in_codes_are_rate_limited(
    person_factory: Any, officer_a: Any, sms: list[tuple[str, str]]
) -> None:
    person_factory(actor=officer_a, phone="13912340000")
    for _ in range(3):
        Client().post("/codes/signin/", {"phone": "13912340000", "step": "send"})
    assert len(sms) == 1


def test_a_district_officer_sees_colour_counts_by_street(
    person_factory: Any, officer_a: Any, client_of: Any
) -> None:
    for _ in range(2):
        person_factory(actor=officer_a)
    codes_recompute()
    rows = client_of(officer_a).get("/codes/counts/").context["rows"]
    assert [(r["area"], r["total"]) for r in rows] == [(COMMUNITY_A[:9], 2)]

"""Referrals: the owning district decides, once, what a registration attempted elsewhere was (API and page)."""

from __future__ import annotations

import pytest

from apps.accounts.models import AuditLog
from apps.people.models import DuplicateReferral
from tests.factories import COMMUNITY_A, COMMUNITY_B
from tests.people.test_jurisdiction import _registration_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(officer_a, officer_b, person_factory, api_of) -> DuplicateReferral:
    resident = person_factory(actor=officer_a, area_code=COMMUNITY_A)
    refused = api_of(officer_b).post(
        "/api/persons/", _registration_of(resident, COMMUNITY_B), content_type="application/json"
    )
    assert refused.status_code == 409
    return DuplicateReferral.objects.get()


def _decide(client, pk, **body):
    return client.post(f"/api/persons/referrals/{pk}/decision", body, content_type="application/json")


def test_the_owning_district_records_the_decision_once_and_it_is_audited(referral, officer_a, api_of):
    client = api_of(officer_a)
    assert [r["id"] for r in client.get("/api/persons/referrals?open_only=true").json()["items"]] == [
        referral.pk
    ]
    answer = _decide(client, referral.pk, decision="mistake", note="对方录错证件号")
    assert answer.status_code == 200
    assert (answer.json()["decision"], answer.json()["decided_by"]) == ("mistake", "officer_a")
    assert client.get("/api/persons/referrals?open_only=true").json()["items"] == []
    assert len(client.get("/api/persons/referrals").json()["items"]) == 1  # decided ones stay listed
    again = _decide(client, referral.pk, decision="moved")
    assert (again.status_code, again.json()["code"]) == (409, "already_decided")
    audit = AuditLog.objects.get(object_type="people.duplicatereferral", action="update")
    assert audit.reason == "对方录错证件号"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"decision": "lost"}, "decision"),
        ({"decision": "other", "note": "?"}, "note"),
        ({"decision": "other", "note": "x" * 501}, "note"),
    ],
)
def test_a_bad_decision_names_its_field_and_changes_nothing(referral, officer_a, api_of, body, field):
    answer = _decide(api_of(officer_a), referral.pk, **body)
    assert answer.status_code == 422
    assert field in {d.get("field") for d in answer.json()["details"]}
    referral.refresh_from_db()
    assert referral.decided_at is None


def test_the_other_district_can_neither_see_nor_decide_it(referral, officer_b, api_of):
    answer = _decide(api_of(officer_b), referral.pk, decision="fraud")
    assert (answer.status_code, answer.json()["code"]) == (404, "referral_not_found")
    referral.refresh_from_db()
    assert referral.decided_at is None


def test_the_page_lists_open_referrals_and_records_a_decision_in_chinese(referral, officer_a, client_of):
    client = client_of(officer_a)
    page = client.get("/persons/referrals/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f'name="referral" value="{referral.pk}"' in page and "对方误登记" in page
    refused = client.post(
        "/persons/referrals/",
        {"referral": referral.pk, "decision": "other", "note": ""},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert refused.status_code == 422
    assert (
        "处理结果有误" in refused.content.decode() and "请填写理由（至少 5 个字）" in refused.content.decode()
    )
    done = client.post("/persons/referrals/", {"referral": referral.pk, "decision": "fraud"})
    assert done.status_code == 302
    referral.refresh_from_db()
    assert referral.decision == "fraud"
    assert f'value="{referral.pk}"' not in client.get("/persons/referrals/").content.decode()
    assert (
        "冒用身份" in client.get("/persons/referrals/?all=1", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    )

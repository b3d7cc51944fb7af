"""Commitment filing (变审批为承诺): accepted at once, sets the status with history; inspections afterwards."""

from __future__ import annotations

import datetime as dt

import pytest

from apps.common.errors import ValidationFailed
from apps.enterprises import services
from apps.enterprises.models import Commitment, Enterprise, StatusChange

FILING = {
    "planned_date": "2020-02-20",
    "employees_returning": 60,
    "employees_from_outside": 12,
    "measures": ["temperature", "masks", "registry"],
    "text": "我单位承诺落实各项防控措施。",
}


def test_an_enterprise_user_files_and_is_accepted_at_once(ent_user, ent_a, api_of):
    response = api_of(ent_user).post(
        "/api/enterprises/mine/commitments", FILING, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["declared_status"] == "partly"
    ent = Enterprise.objects.get(pk=ent_a.pk)
    assert (ent.status, ent.staff_share_back, ent.capacity_used) == ("partly", 0.6, 0.6)
    change = StatusChange.objects.get(enterprise=ent)
    assert (change.previous_status, change.delta_resumed, change.delta_fully, change.source) == (
        "not",
        1,
        0,
        "filing",
    )


def test_all_staff_back_is_a_full_resumption(ent_user, ent_a):
    services.commitment_file(actor=ent_user, data={**FILING, "employees_returning": 100})
    assert Enterprise.objects.get(pk=ent_a.pk).status == "fully"


def test_a_retried_filing_with_the_same_client_id_is_stored_once(ent_user, api_of):
    client = api_of(ent_user)
    for _ in range(2):
        assert (
            client.post(
                "/api/enterprises/mine/commitments",
                {**FILING, "client_id": "phone-1"},
                content_type="application/json",
            ).status_code
            == 201
        )
    assert Commitment.objects.count() == 1 and StatusChange.objects.count() == 1


def test_it_names_every_problem_of_a_bad_filing(ent_user):
    with pytest.raises(ValidationFailed) as exc:
        services.commitment_file(
            actor=ent_user,
            data={
                "planned_date": "soon",
                "employees_returning": 3,
                "employees_from_outside": 5,
                "measures": ["dance"],
                "text": "",
            },
        )
    fields = {d["field"] for d in exc.value.details}
    assert fields == {"planned_date", "employees_from_outside", "measures", "text"}


def test_an_account_without_an_enterprise_cannot_file(make_user, api_of, ent_a):
    loose = make_user("enterprise_user", "990101", username="loose")
    response = api_of(loose).post(
        "/api/enterprises/mine/commitments", FILING, content_type="application/json"
    )
    assert response.status_code == 404 and response.json()["code"] == "no_enterprise"
    assert Enterprise.objects.get(pk=ent_a.pk).status == "not"


def test_inspection_with_issues_needs_a_follow_up_and_serious_issues_suspend(ent_user, ent_a, econ_a, api_of):
    services.commitment_file(actor=ent_user, data=FILING)
    client = api_of(econ_a)
    missing = client.post(
        f"/api/enterprises/{ent_a.pk}/inspections", {"result": "issues"}, content_type="application/json"
    )
    assert missing.status_code == 422 and missing.json()["details"][0]["field"] == "follow_up"
    ok = client.post(
        f"/api/enterprises/{ent_a.pk}/inspections",
        {
            "result": "serious",
            "findings": "无测温",
            "follow_up": "整改后复查",
            "follow_up_due": (dt.date.today() + dt.timedelta(days=3)).isoformat(),
        },
        content_type="application/json",
    )
    assert ok.status_code == 201 and ok.json()["commitment_id"] is not None
    assert Enterprise.objects.get(pk=ent_a.pk).status == "not"
    done = client.post(f"/api/enterprises/inspections/{ok.json()['id']}/done")
    assert done.status_code == 200 and done.json()["follow_up_done_at"]
    assert client.post(f"/api/enterprises/inspections/{ok.json()['id']}/done").status_code == 409


def test_a_client_id_reused_with_another_filing_is_a_conflict(ent_user, api_of):
    client = api_of(ent_user)
    url = "/api/enterprises/mine/commitments"
    assert client.post(url, {**FILING, "client_id": "phone-1"}, content_type="application/json").status_code == 201
    changed = client.post(url, {**FILING, "employees_returning": 100, "client_id": "phone-1"},
                          content_type="application/json")
    assert changed.status_code == 409
    assert changed.json()["code"] == "idempotency_conflict"
    assert Commitment.objects.count() == 1 and Enterprise.objects.get().status == "partly"


def test_a_client_id_belongs_to_its_filer(ent_user, ent_b, econ_b, make_user, api_of):
    other = make_user("enterprise_user", "990102", username="ent_user_b")
    services.enterprise_member_link(actor=econ_b, enterprise=ent_b, user=other)
    first = api_of(ent_user).post("/api/enterprises/mine/commitments", {**FILING, "client_id": "phone-1"},
                                  content_type="application/json")
    second = api_of(other).post("/api/enterprises/mine/commitments",
                                {**FILING, "employees_returning": 100, "client_id": "phone-1"},
                                content_type="application/json")
    assert second.status_code == 201, second.content
    assert second.json()["id"] != first.json()["id"]
    assert Enterprise.objects.get(pk=ent_b.pk).status == "fully"

"""Policy catalogue: rules validated with the bad node named, matching with reasons, delivery and uptake."""

from __future__ import annotations

from apps.enterprises import services
from apps.enterprises.models import PolicyDelivery

SME_RENT = {
    "all": [
        {"attr": "size_class", "in": ["small", "micro"]},
        {"attr": "status", "ne": "fully"},
        {"attr": "reasons", "contains_any": ["capital", "orders"]},
    ]
}


def _policy(client, code="R1", rule=None):
    return client.post(
        "/api/policies/",
        {"code": code, "title": "小微企业房租减免", "category": "rent", "rule": rule or SME_RENT},
        content_type="application/json",
    )


def test_an_invalid_rule_is_rejected_naming_the_node(econ_a, api_of):
    response = _policy(api_of(econ_a), rule={"all": [{"attr": "size_class", "gt": 5}]})
    assert response.status_code == 422
    assert response.json()["details"][0]["path"] == "$.all[0].gt"


def test_only_policy_managers_edit_the_catalogue(make_user, api_of):
    officer = make_user("district_officer", "990101", username="d1")
    assert _policy(api_of(officer)).status_code == 403


def test_matching_follows_attributes_and_reasons(econ_a, api_of, ent_a):
    client = api_of(econ_a)
    assert _policy(client).status_code == 201
    matches = client.get(f"/api/enterprises/{ent_a.pk}/policies").json()
    assert matches[0]["eligible"] is False
    assert [e["passed"] for e in matches[0]["explanations"]] == [False, True, True, False]
    assert client.put(
        f"/api/enterprises/{ent_a.pk}/reasons",
        {"reasons": ["capital", "labour"]},
        content_type="application/json",
    ).json() == ["capital", "labour"]
    assert client.get(f"/api/enterprises/{ent_a.pk}/policies").json()[0]["eligible"] is True
    summary = client.get("/api/enterprises/nonresumed/reasons").json()
    assert {r["reason"]: r["n"] for r in summary} == {"capital": 1, "labour": 1}


def test_delivery_needs_eligibility_and_records_uptake(econ_a, api_of, ent_a):
    client = api_of(econ_a)
    policy_id = _policy(client).json()["id"]
    refused = client.post(
        f"/api/enterprises/{ent_a.pk}/deliveries", {"policy_id": policy_id}, content_type="application/json"
    )
    assert refused.status_code == 422 and refused.json()["code"] == "not_eligible"
    services.reasons_set(actor=econ_a, enterprise=ent_a, reasons=["orders"])
    delivered = client.post(
        f"/api/enterprises/{ent_a.pk}/deliveries",
        {"policy_id": policy_id, "channel": "上门"},
        content_type="application/json",
    )
    assert delivered.status_code == 201
    again = client.post(
        f"/api/enterprises/{ent_a.pk}/deliveries", {"policy_id": policy_id}, content_type="application/json"
    )
    assert again.json()["id"] == delivered.json()["id"] and PolicyDelivery.objects.count() == 1
    granted = client.patch(
        f"/api/enterprises/deliveries/{delivered.json()['id']}",
        {"uptake": "granted", "amount": "3.5"},
        content_type="application/json",
    )
    assert granted.json()["uptake"] == "granted" and float(granted.json()["amount"]) == 3.5

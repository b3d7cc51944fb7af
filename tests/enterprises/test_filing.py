"""Commitment filing (变审批为承诺): accepted at once, sets the status with history; inspections afterwards."""

from __future__ import annotations

import datetime as dt

import pytest

from apps.common.errors import ValidationFailed
from apps.enterprises import services
from apps.enterprises.choices import DEFAULT_GUIDELINE
from apps.enterprises.models import Commitment, Enterprise, StatusChange

FILING = {
    "planned_date": "2020-02-20",
    "employees_returning": 60,
    "employees_from_outside": 12,
    "measures": [code for code, *_ in DEFAULT_GUIDELINE],
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


def _rates(client):
    (total,) = client.get("/api/enterprises/rates").json()
    return total["resumed"] if "resumed" in total else total["fully"] + total["partly"], total[
        "filed_not_open"
    ]


def test_a_commitment_for_a_later_date_counts_from_that_date_and_is_shown_apart(
    ent_user, ent_a, econ_a, api_of, client_of
):
    from django.utils import timezone

    from apps.enterprises import selectors

    planned = timezone.localdate() + dt.timedelta(days=3)
    response = api_of(ent_user).post(
        "/api/enterprises/mine/commitments",
        {**FILING, "planned_date": planned.isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["opened_at"] is None
    assert Enterprise.objects.get(pk=ent_a.pk).status == "not"  # filed is not resumed
    officer = api_of(econ_a)
    assert _rates(officer) == (0, 1)
    page = client_of(econ_a).get("/enterprises/dashboard/").content.decode()
    assert 'id="kpi-waiting"' in page and "<strong>1</strong>" in page.split('id="kpi-waiting"')[1][:200]
    # The scheduler on the days before the planned date changes nothing.
    assert services.commitments_open_due(today=planned - dt.timedelta(days=1)) == 0
    assert Enterprise.objects.get(pk=ent_a.pk).status == "not"
    # On the planned date it takes effect, from the start of that day.
    assert services.commitments_open_due(today=planned) == 1
    ent = Enterprise.objects.get(pk=ent_a.pk)
    assert ent.status == "partly" and timezone.localtime(ent.status_at).date() == planned
    assert StatusChange.objects.get(enterprise=ent).day == planned
    assert _rates(officer) == (1, 0)
    curve = selectors.resumption_curve(user=econ_a, start=planned - dt.timedelta(days=1), end=planned)
    assert [c["resumed"] for c in curve] == [0, 1]
    assert services.commitments_open_due(today=planned) == 0  # once only
    assert StatusChange.objects.count() == 1


def test_a_status_reported_after_filing_is_kept_when_the_commitment_opens(ent_user, ent_a):
    from django.utils import timezone

    planned = timezone.localdate() + dt.timedelta(days=2)
    services.commitment_file(actor=ent_user, data={**FILING, "planned_date": planned.isoformat()})
    services.enterprise_status_set(actor=ent_user, enterprise=ent_a, status="fully")
    services.commitments_open_due(today=planned)
    assert Enterprise.objects.get(pk=ent_a.pk).status == "fully"
    assert Commitment.objects.get().opened_at is not None


def test_the_guideline_requires_every_mandatory_measure_as_data(ent_user, ent_a, api_of):
    from apps.enterprises.models import GuidelineMeasure

    client = api_of(ent_user)
    url = "/api/enterprises/mine/commitments"
    one = client.post(url, {**FILING, "measures": ["masks"]}, content_type="application/json")
    assert one.status_code == 422
    (detail,) = one.json()["details"]
    assert (detail["field"], detail["code"]) == ("measures", "mandatory_measure_missing")
    assert "canteen" in detail["message"] and Enterprise.objects.get(pk=ent_a.pk).status == "not"
    # The headquarters makes the canteen rule optional (an enterprise without a canteen) and retires another.
    services.guideline_measures()  # as installed (a transactional test elsewhere may have emptied the table)
    GuidelineMeasure.objects.filter(code="canteen").update(mandatory=False)
    GuidelineMeasure.objects.filter(code="plan").update(active=False)
    without = [m for m in FILING["measures"] if m not in ("canteen", "plan")]
    accepted = client.post(url, {**FILING, "measures": without}, content_type="application/json")
    assert accepted.status_code == 201, accepted.json()
    retired = client.post(url, {**FILING, "measures": FILING["measures"]}, content_type="application/json")
    assert retired.status_code == 422 and retired.json()["details"][0]["code"] == "unknown_measure"


def test_the_filing_page_marks_the_mandatory_measures_and_a_waiting_commitment(ent_user, client_of):
    from django.utils import timezone

    client = client_of(ent_user)
    page = client.get("/enterprises/mine/").content.decode()
    assert page.count('name="measures"') == 8 and page.count(" required> ") == 8
    assert "复工导则要求落实所有标 * 的措施" in page
    planned = timezone.localdate() + dt.timedelta(days=5)
    response = client.post(
        "/enterprises/mine/",
        {**FILING, "action": "commitment", "planned_date": planned.isoformat(), "employees_returning": "60"},
        follow=True,
    )
    html = response.content.decode()
    assert f"自计划复工日期 {planned.isoformat()} 起计入复工" in html  # the message, in zh-Hans
    assert f"{planned.isoformat()} 起复工" in html  # the waiting commitment's badge


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

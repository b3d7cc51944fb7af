"""Schools' reopening readiness and disputes: evidence, reopening gate, life cycle, protected parties, scope."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from apps.accounts.models import AuditLog
from apps.society import selectors, services
from apps.society.choices import DEFAULT_CHECKLIST
from apps.society.models import ChecklistItem, Dispute
from tests.factories import DISTRICT_A, DISTRICT_B

TODAY = timezone.localdate()


@pytest.fixture
def econ_hq(make_user):
    return make_user("economic_officer", "990100", username="econ_hq")


def put(client, url, data):
    return client.put(url, json.dumps(data), content_type="application/json")


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def new_school(client, code="S1", area=DISTRICT_A + "001"):
    r = post(
        client,
        "/api/society/schools",
        {"code": code, "name": f"第{code}小学", "area_code": area, "level": "primary", "students": 800},
    )
    assert r.status_code == 201, r.content
    return r.json()


def test_a_new_school_gets_the_default_checklist_of_four_groups(officer_a, api_of):
    school = new_school(api_of(officer_a))
    assert school["items_total"] == len(DEFAULT_CHECKLIST) == 16
    assert {c["group"] for c in school["checklist"]} == {
        "one_plan",
        "two_contingencies",
        "three_teams",
        "ten_in_place",
    }
    assert school["readiness"] == 0


def test_ticking_an_item_needs_evidence(officer_a, api_of):
    client = api_of(officer_a)
    school = new_school(client)
    r = put(client, f"/api/society/schools/{school['id']}/checklist/plan", {"done": True})
    assert r.status_code == 422 and r.json()["code"] == "evidence_required"
    r = put(
        client,
        f"/api/society/schools/{school['id']}/checklist/plan",
        {"done": True, "evidence": "区教委批复〔2020〕3号"},
    )
    assert r.json()["items_done"] == 1


def test_a_school_reopens_only_when_every_item_is_done(officer_a, api_of):
    client = api_of(officer_a)
    school = new_school(client)
    url = f"/api/society/schools/{school['id']}"
    r = client.patch(url, json.dumps({"actual_reopen": TODAY.isoformat()}), content_type="application/json")
    assert r.status_code == 409 and len(r.json()["details"]) == 16
    for item in ChecklistItem.objects.all():
        put(client, f"{url}/checklist/{item.code}", {"done": True, "evidence": "现场核查"})
    r = client.patch(url, json.dumps({"actual_reopen": TODAY.isoformat()}), content_type="application/json")
    assert r.status_code == 200 and r.json()["readiness"] == 1


def test_a_deactivated_item_no_longer_counts(officer_a, api_of):
    client = api_of(officer_a)
    school = new_school(client)
    ChecklistItem.objects.exclude(code="plan").update(active=False)
    put(client, f"/api/society/schools/{school['id']}/checklist/plan", {"done": True, "evidence": "批复"})
    assert client.get(f"/api/society/schools/{school['id']}").json()["readiness"] == 1
    assert [s["code"] for s in client.get("/api/society/schools?readiness=ready").json()["items"]] == ["S1"]


def test_readiness_by_district_counts_ready_and_reopened(officer_a, officer_b, econ_hq, api_of):
    new_school(api_of(officer_a), "A1")
    new_school(api_of(officer_a), "A2")
    new_school(api_of(officer_b), "B1", area=DISTRICT_B + "001")
    rows = api_of(econ_hq).get("/api/society/schools/readiness").json()
    assert {r["district_code"]: r["schools"] for r in rows} == {DISTRICT_A: 2, DISTRICT_B: 1}
    assert [r["district_code"] for r in api_of(officer_b).get("/api/society/schools/readiness").json()] == [
        DISTRICT_B
    ]


def test_schools_are_scoped_to_the_district(officer_a, officer_b, api_of):
    school = new_school(api_of(officer_a))
    b = api_of(officer_b)
    assert b.get(f"/api/society/schools/{school['id']}").status_code == 404
    assert b.get("/api/society/schools").json()["items"] == []
    assert (
        post(
            b, "/api/society/schools", {"code": "X", "name": "X", "area_code": DISTRICT_A, "level": "primary"}
        ).status_code
        == 403
    )
    assert "S1" not in b.get("/api/society/schools/export").content.decode("utf-8-sig")


def dispute(client, area=DISTRICT_A + "001", **extra):
    data = {
        "area_code": area,
        "kind": "labour",
        "summary": "拖欠工资",
        "claimant": "张三丰",
        "respondent": "统筹市某某制造有限公司",
        "owner_name": "李调解",
        "amount": "38000",
        "opened_on": (TODAY - dt.timedelta(days=12)).isoformat(),
    }
    data.update(extra)
    r = post(client, "/api/society/disputes", data)
    assert r.status_code == 201, r.content
    return r.json()


def test_dispute_parties_are_stored_encrypted_and_shown_masked(officer_a, api_of):
    d = dispute(api_of(officer_a))
    assert d["claimant"] == "张*丰" and "某某制造" not in d["respondent"]
    row = Dispute.objects.get()
    assert "张三丰".encode() not in bytes(row.claimant_enc)
    found = api_of(officer_a).get("/api/society/disputes?party=张三丰").json()["items"]
    assert [x["ref"] for x in found] == [d["ref"]]


def test_revealing_parties_needs_the_permission_and_is_audited(officer_a, make_user, api_of):
    d = dispute(api_of(officer_a))
    assert post(api_of(officer_a), f"/api/society/disputes/{d['id']}/reveal", {}).status_code == 403
    econ_a = make_user("economic_officer", DISTRICT_A, username="econ_a")
    r = post(api_of(econ_a), f"/api/society/disputes/{d['id']}/reveal", {"reason": "调解需要"})
    assert r.json() == {"claimant": "张三丰", "respondent": "统筹市某某制造有限公司"}
    assert AuditLog.objects.filter(action="reveal", object_id=str(d["id"])).count() == 1


@pytest.mark.parametrize(
    ("path", "ok"),
    [
        (["mediating", "resolved"], True),
        (["referred", "resolved"], True),
        (["resolved"], True),
        (["resolved", "mediating"], False),
        (["referred", "mediating"], False),
        (["mediating", "open"], False),
    ],
)
def test_the_dispute_life_cycle_allows_only_its_transitions(officer_a, api_of, path, ok):
    client = api_of(officer_a)
    d = dispute(client)
    codes = [
        post(
            client, f"/api/society/disputes/{d['id']}/transition", {"status": s, "resolution": "调解达成协议"}
        ).status_code
        for s in path
    ]
    assert (codes[-1] == 200) is ok
    assert all(c == 200 for c in codes[:-1])


def test_resolving_needs_a_resolution_and_records_time_to_resolve(officer_a, api_of):
    client = api_of(officer_a)
    d = dispute(client)
    r = post(client, f"/api/society/disputes/{d['id']}/transition", {"status": "resolved"})
    assert r.status_code == 422 and r.json()["code"] == "resolution_required"
    r = post(
        client,
        f"/api/society/disputes/{d['id']}/transition",
        {"status": "resolved", "resolution": "分期支付"},
    )
    assert r.json()["days_to_resolve"] == 12
    (stats,) = client.get("/api/society/disputes/stats").json()
    assert stats["median_days_to_resolve"] == 12 and stats["amount"] == 38000


def test_disputes_are_scoped_to_the_district(officer_a, officer_b, api_of):
    d = dispute(api_of(officer_a))
    b = api_of(officer_b)
    assert b.get(f"/api/society/disputes/{d['id']}").status_code == 404
    assert post(b, f"/api/society/disputes/{d['id']}/transition", {"status": "mediating"}).status_code == 404
    assert b.get("/api/society/disputes").json()["items"] == []
    assert (
        post(
            b,
            "/api/society/disputes",
            {
                "area_code": DISTRICT_A,
                "kind": "labour",
                "summary": "x",
                "claimant": "x",
                "respondent": "y",
                "owner_name": "z",
            },
        ).status_code
        == 403
    )
    csv = api_of(officer_a).get("/api/society/disputes/export").content.decode("utf-8-sig")
    assert d["ref"] in csv and "张三丰" not in csv


def test_lists_have_bounded_query_counts(officer_a, api_of, django_assert_max_num_queries):
    client = api_of(officer_a)
    for i in range(5):
        new_school(client, f"Q{i}")
        dispute(client)
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/society/schools").json()["items"]) == 5
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/society/disputes").json()["items"]) == 5


def test_pages_render_and_tick_items(officer_a, client_of, api_of):
    school = new_school(api_of(officer_a))
    d = dispute(api_of(officer_a))
    c = client_of(officer_a)
    assert "第S1小学" in c.get("/society/schools/").content.decode()
    assert "防控机制到位" in c.get(f"/society/schools/{school['id']}/").content.decode()
    r = c.post(f"/society/schools/{school['id']}/", {"item": "plan", "done": "on", "evidence": "批复文件"})
    assert r.status_code == 302
    assert (
        selectors.school_readiness(school=selectors.school_get(user=officer_a, pk=school["id"]))["done"] == 1
    )
    assert d["ref"] in c.get("/society/disputes/").content.decode()
    assert "张*丰" in c.get(f"/society/disputes/{d['id']}/").content.decode()
    r = c.post(
        "/society/disputes/new/",
        {
            "area_code": DISTRICT_A,
            "kind": "contract",
            "summary": "合同违约",
            "claimant": "王五",
            "respondent": "赵六",
            "owner_name": "李",
        },
    )
    assert r.status_code == 302


def test_checklist_defaults_are_created_once(city):
    assert services.checklist_ensure_defaults() == 16
    assert services.checklist_ensure_defaults() == 0


def test_the_headquarters_configures_the_checklist_and_readiness_follows(officer_a, econ_hq, api_of):
    client = api_of(officer_a)
    school = new_school(client)
    item = {"code": "ten_ventilation", "group": "ten_in_place", "text_zh": "教室通风到位", "order": 99}
    assert post(client, "/api/society/checklist", item).status_code == 403
    assert post(api_of(econ_hq), "/api/society/checklist", item).status_code == 201
    assert client.get(f"/api/society/schools/{school['id']}").json()["items_total"] == 17
    retired = {**item, "code": "ten_family", "text_zh": "家校联动到位", "active": False}
    assert post(api_of(econ_hq), "/api/society/checklist", retired).status_code == 201
    assert client.get(f"/api/society/schools/{school['id']}").json()["items_total"] == 16
    bad = post(api_of(econ_hq), "/api/society/checklist", {**item, "group": "nine_in_place"})
    assert bad.status_code == 422


def ready_high_school(client, code="H1"):
    r = post(
        client,
        "/api/society/schools",
        {
            "code": code,
            "name": f"第{code}中学",
            "area_code": DISTRICT_A + "001",
            "level": "high",
            "students": 1500,
        },
    )
    school = r.json()
    for item in ChecklistItem.objects.all():
        put(
            client,
            f"/api/society/schools/{school['id']}/checklist/{item.code}",
            {"done": True, "evidence": "现场核查"},
        )
    return school


def test_a_school_reopens_grade_by_grade_the_graduating_year_first(officer_a, api_of):
    client = api_of(officer_a)
    school = ready_high_school(client)
    url = f"/api/society/schools/{school['id']}/grades"
    detail = client.get(f"/api/society/schools/{school['id']}").json()
    assert [(g["grade"], g["graduating"]) for g in detail["grades"]] == [(3, True), (2, False), (1, False)]
    assert (detail["actual_reopen"], detail["grades_back"], detail["fully_reopened"]) == (None, 0, False)
    senior_back = timezone.localdate() - dt.timedelta(days=7)
    for grade in (1, 2, 3):
        r = put(client, f"{url}/{grade}", {"students": 500, "planned_reopen": senior_back.isoformat()})
        assert r.status_code == 200, r.content
    r = put(client, f"{url}/3", {"actual_reopen": senior_back.isoformat()})
    body = r.json()
    # The senior year is back: the school counts as reopened (partly), the other grades are not.
    assert (body["actual_reopen"], body["grades_back"], body["students_back"]) == (
        senior_back.isoformat(),
        1,
        500,
    )
    assert [g["actual_reopen"] for g in body["grades"]] == [senior_back.isoformat(), None, None]
    assert not body["fully_reopened"]
    later = timezone.localdate() - dt.timedelta(days=1)
    for grade in (1, 2):
        body = put(client, f"{url}/{grade}", {"actual_reopen": later.isoformat()}).json()
    assert (body["actual_reopen"], body["grades_back"], body["fully_reopened"]) == (
        senior_back.isoformat(),
        3,
        True,
    )


def test_a_grade_reopens_only_when_the_school_is_ready_and_never_in_the_future(officer_a, officer_b, api_of):
    client = api_of(officer_a)
    r = post(
        client,
        "/api/society/schools",
        {"code": "H2", "name": "第二中学", "area_code": DISTRICT_A + "001", "level": "high"},
    )
    url = f"/api/society/schools/{r.json()['id']}/grades"
    assert put(client, f"{url}/3", {"actual_reopen": timezone.localdate().isoformat()}).status_code == 409
    school = ready_high_school(client, "H3")
    url = f"/api/society/schools/{school['id']}/grades"
    future = put(
        client, f"{url}/3", {"actual_reopen": (timezone.localdate() + dt.timedelta(days=2)).isoformat()}
    )
    assert future.status_code == 422 and future.json()["details"][0]["field"] == "actual_reopen"
    bad = put(client, f"{url}/4", {"students": 10})  # a high school has three grades
    assert bad.status_code == 422 and bad.json()["details"][0]["field"] == "grade"
    assert put(api_of(officer_b), f"{url}/3", {"students": 10}).status_code in (403, 404)


def test_the_school_page_lets_an_officer_reopen_one_grade(officer_a, api_of, client):
    school = ready_high_school(api_of(officer_a))
    client.force_login(officer_a)
    page = client.get(f"/society/schools/{school['id']}/")
    html = page.content.decode()
    assert page.status_code == 200 and 'name="grade" value="3"' in html
    assert "分年级复学" in html and "高三" in html and "毕业年级" in html  # zh-Hans first
    day = timezone.localdate() - dt.timedelta(days=1)
    r = client.post(
        f"/society/schools/{school['id']}/",
        {"grade": "3", "actual_reopen": day.isoformat(), "students": "480"},
    )
    assert r.status_code == 302
    grades = selectors.school_grades(school=services.School.objects.get(pk=school["id"]))
    assert (grades["grades_back"], grades["students_back"]) == (1, 480)

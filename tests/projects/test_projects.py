"""Major projects: three-colour thresholds through the API, jurisdiction, battle map, public ranking, export."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from apps.projects import services
from apps.projects.models import Project
from tests.factories import DISTRICT_A, DISTRICT_B

TODAY = timezone.localdate()


def days(n: int) -> str:
    return (TODAY + dt.timedelta(days=n)).isoformat()


def body(ref: str, area: str = DISTRICT_A, **extra):
    data = {
        "ref": ref,
        "name": f"项目{ref}",
        "area_code": area,
        "investment_planned": "1000",
        "plan_start": days(-100),
        "plan_end": days(265),
        "official": "王主任",
        "investment_completed": "300",
        "stage": "in_progress",
        "milestones": [{"name": "主体封顶", "planned": days(-10)}, {"name": "竣工", "planned": days(200)}],
    }
    data.update(extra)
    return data


@pytest.fixture
def econ_a(make_user):
    return make_user("economic_officer", DISTRICT_A, username="econ_a")


@pytest.fixture
def econ_b(make_user):
    return make_user("economic_officer", DISTRICT_B, username="econ_b")


@pytest.fixture
def hq(make_user):
    return make_user("economic_officer", "990100", username="econ_hq")


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_a_project_ten_days_behind_is_yellow_and_says_why(econ_a, api_of):
    r = post(api_of(econ_a), "/api/projects/", body("P1"))
    assert r.status_code == 201, r.content
    out = r.json()
    assert out["colour"] == "yellow"
    assert out["colour_reasons"][0]["code"] == "schedule_days_behind"
    assert "10 days overdue" in out["colour_reasons"][0]["en"]


def test_raising_the_threshold_recolours_projects_at_once(econ_a, hq, api_of):
    post(api_of(econ_a), "/api/projects/", body("P1"))
    r = api_of(hq).put(
        "/api/projects/thresholds",
        json.dumps(
            {
                "yellow_days_behind": 15,
                "red_days_behind": 30,
                "red_overdue_share": 0.5,
                "yellow_investment_shortfall": 0.1,
                "red_investment_shortfall": 0.3,
            }
        ),
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert Project.objects.get(ref="P1").colour == "blue"


def test_a_district_officer_cannot_set_the_city_thresholds(econ_a, api_of):
    r = api_of(econ_a).put(
        "/api/projects/thresholds", json.dumps({"yellow_days_behind": 99}), content_type="application/json"
    )
    assert r.status_code == 403
    assert r.json()["code"] == "forbidden"


def test_inconsistent_thresholds_are_rejected(hq, api_of):
    r = api_of(hq).put(
        "/api/projects/thresholds",
        json.dumps({"yellow_days_behind": 40, "red_days_behind": 30}),
        content_type="application/json",
    )
    assert r.status_code == 422


def test_forty_days_behind_is_red_and_investment_shortfall_is_a_reason(econ_a, api_of):
    data = body("P2", milestones=[{"name": "开工", "planned": days(-40)}], investment_completed="0")
    out = post(api_of(econ_a), "/api/projects/", data).json()
    assert out["colour"] == "red"
    codes = {r["code"]: r["colour"] for r in out["colour_reasons"]}
    assert codes["schedule_days_behind"] == "red" and codes["investment_shortfall"] == "red"


def test_reaching_the_milestone_turns_the_project_blue(econ_a, api_of):
    client = api_of(econ_a)
    data = body("P3", investment_completed="400")
    out = post(client, "/api/projects/", data).json()
    assert out["colour"] == "yellow"
    mid = out["milestones"][0]["id"]
    r = client.patch(
        f"/api/projects/{out['id']}/milestones/{mid}",
        json.dumps({"actual": days(-1)}),
        content_type="application/json",
    )
    assert r.status_code == 200
    assert client.get(f"/api/projects/{out['id']}").json()["colour"] == "blue"


def test_a_stage_cannot_go_backwards(econ_a, api_of):
    client = api_of(econ_a)
    out = post(client, "/api/projects/", body("P4")).json()
    r = client.patch(
        f"/api/projects/{out['id']}", json.dumps({"stage": "signed"}), content_type="application/json"
    )
    assert r.status_code == 422 and r.json()["code"] == "stage_backwards"


def test_officers_see_and_change_only_their_own_district(econ_a, econ_b, api_of):
    a, b = api_of(econ_a), api_of(econ_b)
    pa = post(a, "/api/projects/", body("PA")).json()
    post(b, "/api/projects/", body("PB", area=DISTRICT_B))
    assert [p["ref"] for p in a.get("/api/projects/").json()["items"]] == ["PA"]
    assert b.get(f"/api/projects/{pa['id']}").status_code == 404
    assert post(b, "/api/projects/", body("PX", area=DISTRICT_A)).status_code == 403
    assert b.get("/api/projects/colours").json()["total"] == 1
    csv = b.get("/api/projects/export?format=csv").content.decode("utf-8-sig")
    assert "PB" in csv and "PA" not in csv


def test_the_battle_map_draws_districts_and_coloured_projects(econ_a, hq, api_of):
    post(api_of(econ_a), "/api/projects/", body("PM"))
    svg = api_of(hq).get("/api/projects/map.svg").content.decode()
    assert svg.count("<path") == 6  # the six districts of the demo city
    assert 'class="project-dot colour-yellow"' in svg
    assert api_of(econ_a).get("/api/projects/map.svg").content.decode().count("<path") == 1


def test_the_ranking_is_public_and_ranks_districts_by_start_rate(econ_a, econ_b, api_of):
    post(api_of(econ_a), "/api/projects/", body("R1"))
    post(api_of(econ_b), "/api/projects/", body("R2", area=DISTRICT_B, stage="signed"))
    anonymous = Client()
    rows = anonymous.get("/api/projects/ranking").json()
    assert rows[0]["district"] == DISTRICT_A and rows[0]["start_rank"] == 1
    assert {r["district"]: r["start_rate"] for r in rows}[DISTRICT_B] == 0
    page = anonymous.get("/projects/ranking/")
    assert page.status_code == 200 and "东湖区" in page.content.decode()


def test_the_list_endpoint_has_a_bounded_query_count(econ_a, api_of, django_assert_max_num_queries):
    client = api_of(econ_a)
    for i in range(12):
        post(client, "/api/projects/", body(f"Q{i:02d}"))
    with django_assert_max_num_queries(8):
        assert len(client.get("/api/projects/?page_size=50").json()["items"]) == 12


def test_stale_colours_are_refreshed_on_a_new_day(econ_a, api_of):
    post(api_of(econ_a), "/api/projects/", body("S1", milestones=[{"name": "开工", "planned": days(1)}]))
    assert Project.objects.get(ref="S1").colour == "blue"
    services.project_colours_refresh_stale(today=TODAY + dt.timedelta(days=5))
    assert Project.objects.get(ref="S1").colour == "yellow"


def test_pages_list_detail_and_map_render(econ_a, econ_b, client_of, api_of):
    out = post(api_of(econ_a), "/api/projects/", body("V1")).json()
    c = client_of(econ_a)
    assert "V1" in c.get("/projects/").content.decode()
    assert "主体封顶" in c.get(f"/projects/{out['id']}/").content.decode()
    assert "<svg" in c.get("/projects/map/").content.decode()
    assert client_of(econ_b).get(f"/projects/{out['id']}/").status_code == 404
    r = c.post(f"/projects/{out['id']}/progress/", {"stage": "completed", "investment_completed": "1000"})
    assert r.status_code == 302
    assert Project.objects.get(ref="V1").colour == "blue"


def test_the_battle_map_escapes_project_names(econ_a, api_of):
    post(api_of(econ_a), "/api/projects/", body("X<1>", name="<script>alert(1)</script>"))
    svg = api_of(econ_a).get("/api/projects/map.svg").content.decode()
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "X&lt;1&gt;" in svg


def test_the_headquarters_changes_thresholds_on_the_page(econ_a, hq, client_of, api_of):
    post(api_of(econ_a), "/api/projects/", body("T1"))
    assert "disabled" in client_of(econ_a).get("/projects/thresholds/").content.decode()
    form = {
        "yellow_days_behind": "15",
        "red_days_behind": "30",
        "red_overdue_share": "0.5",
        "min_milestones_for_share": "3",
        "yellow_investment_shortfall": "0.1",
        "red_investment_shortfall": "0.3",
    }
    assert client_of(econ_a).post("/projects/thresholds/", form).status_code == 403
    assert client_of(hq).post("/projects/thresholds/", form).status_code == 302
    assert Project.objects.get(ref="T1").colour == "blue"


def test_an_officer_registers_a_project_and_adds_a_milestone_on_the_pages(econ_a, econ_b, client_of):
    form = {
        "ref": "N1",
        "name": "东湖数据中心",
        "area_code": DISTRICT_A + "001",
        "stage": "started",
        "investment_planned": "5000",
        "investment_completed": "10",
        "plan_start": days(-30),
        "plan_end": days(300),
        "official": "王主任",
        "milestones": f"开工，{days(-20)}，{days(-20)}\n主体封顶, {days(-5)}",
    }
    r = client_of(econ_a).post("/projects/new/", form)
    assert r.status_code == 302
    project = Project.objects.get(ref="N1")
    assert project.milestones.count() == 2 and project.colour == "red"  # 10 of ~150 planned to date
    bad = client_of(econ_a).post("/projects/new/", {**form, "ref": "N2", "milestones": "开工"})
    assert bad.status_code == 422
    assert client_of(econ_b).post("/projects/new/", {**form, "ref": "N3"}).status_code == 403
    r = client_of(econ_a).post(
        f"/projects/{project.pk}/milestones/", {"name": "竣工验收", "planned": days(250)}
    )
    assert r.status_code == 302 and project.milestones.count() == 3


def test_out_of_range_numbers_are_refused_not_crashed(econ_a, api_of):
    r = post(api_of(econ_a), "/api/projects/", body("BIG", investment_planned="1e15"))
    assert r.status_code == 422 and r.json()["details"][0]["field"] == "investment_planned"


def test_a_red_project_raises_a_supervised_task_closed_when_it_recovers(econ_a, api_of):
    from apps.command.models import Task

    client = api_of(econ_a)
    data = body("P9", milestones=[{"name": "开工", "planned": days(-40)}], investment_completed="0")
    out = post(client, "/api/projects/", data).json()
    task = Task.objects.get(source_ref=f"projects.project:{out['id']}")
    assert (task.status, task.area_id, task.link) == ("open", DISTRICT_A, f"/projects/{out['id']}/")
    mid = out["milestones"][0]["id"]
    client.patch(
        f"/api/projects/{out['id']}/milestones/{mid}",
        json.dumps({"actual": days(-1)}),
        content_type="application/json",
    )
    client.patch(
        f"/api/projects/{out['id']}", json.dumps({"investment_completed": "900"}), content_type="application/json"
    )
    assert client.get(f"/api/projects/{out['id']}").json()["colour"] != "red"
    task.refresh_from_db()
    assert task.status == "closed" and task.events.last().kind == "source_resolved"

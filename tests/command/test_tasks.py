"""Supervised tasks (督办): assignment, evidence and acceptance, reopening, the escalation ladder, sources, and
accountability and the duty roster, through the API, as users of two districts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from apps.accounts.models import AuditLog
from apps.command import tasks_service
from apps.command.choices import TASK_TRANSITIONS, TaskEventKind, TaskLevel, TaskStatus
from apps.command.models import Notification, Task
from apps.common.errors import Conflict
from apps.common.supervision import raise_task, resolve_source
from tests.factories import DISTRICT_A, DISTRICT_B

pytestmark = pytest.mark.django_db


def later(hours: float) -> str:
    return (timezone.now() + dt.timedelta(hours=hours)).isoformat()


def post(client: Any, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, body, content_type="application/json")


@pytest.fixture
def task_a(commander: Any, officer_a: Any, api_of: Any) -> dict[str, Any]:
    response = post(
        api_of(commander),
        "/api/command/tasks",
        {
            "title": "核酸采样点扩容",
            "area_code": DISTRICT_A,
            "unit": "甲区卫健委",
            "assignee_id": officer_a.pk,
            "priority": "high",
            "due_at": later(24),
            "evidence_required": "新增采样点清单",
        },
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_the_assignee_is_told_and_only_the_right_district_sees_the_task(
    task_a: dict[str, Any], officer_a: Any, officer_b: Any, api_of: Any
) -> None:
    assert [t["id"] for t in api_of(officer_a).get("/api/command/tasks").json()["items"]] == [task_a["id"]]
    assert api_of(officer_b).get("/api/command/tasks").json()["items"] == []
    assert api_of(officer_b).get(f"/api/command/tasks/{task_a['id']}").status_code == 404
    answer = api_of(officer_a).get("/api/command/notifications", HTTP_ACCEPT_LANGUAGE="en")
    titles = [n["title"] for n in answer.json()["items"]]
    assert titles == ["New supervised task: 核酸采样点扩容"]


def test_a_district_officer_cannot_assign(officer_a: Any, api_of: Any) -> None:
    body = {"title": "x", "area_code": DISTRICT_A, "unit": "u", "due_at": later(5)}
    assert post(api_of(officer_a), "/api/command/tasks", body).status_code == 403


def test_a_task_needs_a_future_deadline_and_someone_responsible(commander: Any, api_of: Any) -> None:
    response = post(
        api_of(commander), "/api/command/tasks", {"title": "x", "area_code": DISTRICT_A, "due_at": later(-1)}
    )
    assert response.status_code == 422
    assert {d["field"] for d in response.json()["details"]} == {"due_at", "unit"}


def test_closing_needs_evidence_and_the_assigners_acceptance(
    task_a: dict[str, Any], commander: Any, officer_a: Any, make_user: Any, api_of: Any
) -> None:
    url = f"/api/command/tasks/{task_a['id']}"
    officer = api_of(officer_a)
    assert post(officer, f"{url}/progress", {"note": "已新增3个采样点"}).status_code == 200
    assert post(officer, f"{url}/submit", {"note": ""}).status_code == 422  # no evidence, no closing
    assert post(officer, f"{url}/submit", {"note": "清单见附件"}).json()["status"] == "submitted"
    assert post(officer, f"{url}/accept", {}).status_code == 403  # the assignee cannot accept their own work
    other_commander = make_user("commander", "990100", username="commander2")
    assert post(api_of(other_commander), f"{url}/accept", {}).status_code == 403  # only the assigner
    assert (
        post(api_of(commander), f"{url}/accept", {"accept": False, "note": "清单不全"}).json()["status"]
        == "open"
    )
    post(officer, f"{url}/submit", {"note": "完整清单"})
    closed = post(api_of(commander), f"{url}/accept", {}).json()
    assert closed["status"] == "closed" and closed["evidence"] == "完整清单"
    assert [e["kind"] for e in closed["events"]] == [
        "assigned", "progress", "submitted", "returned", "submitted", "accepted",
    ]  # fmt: skip


def test_reopening_is_recorded(task_a: dict[str, Any], commander: Any, officer_a: Any, api_of: Any) -> None:
    url = f"/api/command/tasks/{task_a['id']}"
    post(api_of(officer_a), f"{url}/submit", {"note": "done"})
    post(api_of(commander), f"{url}/accept", {})
    reopened = post(
        api_of(commander), f"{url}/reopen", {"note": "采样点再次排长队", "due_at": later(12)}
    ).json()
    assert (reopened["status"], reopened["reopened"], reopened["events"][-1]["kind"]) == (
        "open",
        1,
        "reopened",
    )
    assert AuditLog.objects.filter(object_type="command.task", reason="采样点再次排长队").exists()


@pytest.mark.parametrize("start", list(TaskStatus.values))
@pytest.mark.parametrize("step", ["progress", "submit", "accept", "return", "reopen"])
def test_every_step_follows_the_table(
    task_a: dict[str, Any], commander: Any, officer_a: Any, start: str, step: str
) -> None:
    Task.objects.filter(pk=task_a["id"]).update(status=start)
    task = Task.objects.get(pk=task_a["id"])
    kind = {
        "progress": "progress",
        "submit": "submitted",
        "accept": "accepted",
        "return": "returned",
        "reopen": "reopened",
    }
    act = {
        "progress": lambda: tasks_service.task_progress(actor=officer_a, task=task, note="n"),
        "submit": lambda: tasks_service.task_submit(actor=officer_a, task=task, evidence="e"),
        "accept": lambda: tasks_service.task_accept(actor=commander, task=task),
        "return": lambda: tasks_service.task_accept(actor=commander, task=task, accept=False),
        "reopen": lambda: tasks_service.task_reopen(actor=commander, task=task, note="again"),
    }[step]
    allowed = TASK_TRANSITIONS[start].get(kind[step])
    if allowed is None:
        with pytest.raises(Conflict):
            act()
    else:
        assert act().status == allowed


def test_an_overdue_task_climbs_reminder_then_unit_head_then_headquarters_once(
    task_a: dict[str, Any], commander: Any, officer_a: Any, make_user: Any, settings: Any
) -> None:
    settings.TONGCHOU_TASK_UNIT_HEAD_AFTER_HOURS = 4
    settings.TONGCHOU_TASK_HQ_AFTER_HOURS = 24
    head = make_user("district_officer", DISTRICT_A, username="head_a")
    Task.objects.filter(pk=task_a["id"]).update(unit_head=head)
    due = Task.objects.get(pk=task_a["id"]).due_at
    steps = [
        (due, {"reminded": 0, "unit_head": 0, "headquarters": 0}),
        (due + dt.timedelta(minutes=1), {"reminded": 1, "unit_head": 0, "headquarters": 0}),
        (due + dt.timedelta(hours=2), {"reminded": 0, "unit_head": 0, "headquarters": 0}),
        (due + dt.timedelta(hours=5), {"reminded": 0, "unit_head": 1, "headquarters": 0}),
        (due + dt.timedelta(hours=25), {"reminded": 0, "unit_head": 0, "headquarters": 1}),
        (due + dt.timedelta(hours=50), {"reminded": 0, "unit_head": 0, "headquarters": 0}),
    ]
    for at, expected in steps:
        assert tasks_service.tasks_escalate(now=at) == expected, at
    task = Task.objects.get(pk=task_a["id"])
    assert task.level == TaskLevel.HEADQUARTERS
    assert list(task.events.filter(kind=TaskEventKind.ESCALATED).values_list("level", flat=True)) == [1, 2, 3]
    kinds = Notification.objects.filter(kind="command.task_escalated")
    assert kinds.filter(recipient=head).count() == 1  # the named unit head
    hq = kinds.get(perm="task.assign")  # the headquarters of the area, urgent
    assert (hq.area_id, hq.severity) == (DISTRICT_A, "urgent")


def test_a_task_found_late_climbs_every_step_in_one_run(task_a: dict[str, Any]) -> None:
    due = Task.objects.get(pk=task_a["id"]).due_at
    assert tasks_service.tasks_escalate(now=due + dt.timedelta(days=3)) == {
        "reminded": 1, "unit_head": 1, "headquarters": 1,
    }  # fmt: skip


def test_a_source_raises_one_task_and_closes_it_when_resolved(officer_a: Any, api_of: Any) -> None:
    first = raise_task(
        source_ref="arrivals.stage:42", title="入境人员闭环超时", area_code=DISTRICT_A, priority="high"
    )
    again = raise_task(source_ref="arrivals.stage:42", title="入境人员闭环超时", area_code=DISTRICT_A)
    assert first.pk == again.pk and Task.objects.count() == 1
    assert (
        api_of(officer_a).get("/api/command/tasks", {"source": "arrivals"}).json()["items"][0]["id"]
        == first.pk
    )
    assert resolve_source("arrivals.stage:42") == 1
    closed = Task.objects.get(pk=first.pk)
    assert (closed.status, closed.events.last().kind) == ("closed", "source_resolved")
    # The source goes wrong again later: a new task, linked to the same source.
    assert raise_task(source_ref="arrivals.stage:42", title="再次超时", area_code=DISTRICT_A).pk != first.pk


def test_a_bad_source_reference_is_refused() -> None:
    with pytest.raises(ValueError):
        raise_task(source_ref="42", title="x", area_code=DISTRICT_A)


def test_accountability_records_are_for_the_commander_and_the_auditor_and_every_read_is_audited(
    task_a: dict[str, Any], commander: Any, officer_a: Any, make_user: Any, api_of: Any
) -> None:
    body = {
        "area_code": DISTRICT_A,
        "what_happened": "采样点排队超过4小时",
        "responsible": "甲区卫健委 王某",
        "decision": "talk",
        "task_id": task_a["id"],
    }
    assert post(api_of(officer_a), "/api/command/accountability", body).status_code == 403
    assert post(api_of(commander), "/api/command/accountability", body).status_code == 201
    assert api_of(officer_a).get("/api/command/accountability").json() == []
    auditor = make_user("auditor", "990100", username="auditor")
    before = AuditLog.objects.filter(object_type="command.accountabilityrecord", action="reveal").count()
    rows = api_of(auditor).get("/api/command/accountability").json()
    assert [r["responsible"] for r in rows] == ["甲区卫健委 王某"]
    assert (
        AuditLog.objects.filter(object_type="command.accountabilityrecord", action="reveal").count()
        == before + 1
    )
    officer_b_view = make_user("auditor", DISTRICT_B, username="auditor_b")
    assert api_of(officer_b_view).get("/api/command/accountability").json() == []


def test_the_duty_roster_names_the_leader_of_the_day(commander: Any, officer_a: Any, api_of: Any) -> None:
    today = timezone.localdate().isoformat()
    body = {"day": today, "area_code": "990100", "leader": "李副市长", "deputy": "张秘书长"}
    assert (
        api_of(officer_a).put("/api/command/duty", body, content_type="application/json").status_code == 403
    )
    assert (
        api_of(commander).put("/api/command/duty", body, content_type="application/json").status_code == 200
    )
    body["leader"] = "王副市长"  # the same day set again replaces it
    api_of(commander).put("/api/command/duty", body, content_type="application/json")
    assert [s["leader"] for s in api_of(officer_a).get("/api/command/duty").json()] == ["王副市长"]


def test_the_task_pages_work_for_the_assigner_and_the_assignee(
    task_a: dict[str, Any], commander: Any, officer_a: Any, officer_b: Any, client_of: Any
) -> None:
    page = client_of(officer_a).get(f"/command/tasks/{task_a['id']}/")
    assert page.status_code == 200 and "核酸采样点扩容" in page.content.decode()
    assert client_of(officer_b).get(f"/command/tasks/{task_a['id']}/").status_code == 404
    client_of(officer_a).post(f"/command/tasks/{task_a['id']}/act/", {"step": "submit", "note": "清单"})
    client_of(commander).post(f"/command/tasks/{task_a['id']}/act/", {"step": "accept"})
    assert Task.objects.get(pk=task_a["id"]).status == "closed"
    listing = client_of(commander).get("/command/tasks/", {"status": "closed"}).content.decode()
    assert "核酸采样点扩容" in listing

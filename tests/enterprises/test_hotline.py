"""Hotline: SLA deadlines, escalation to the department head then HQ (task and command), the state table, SLA."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from apps.common.errors import Conflict
from apps.enterprises import hotline, selectors
from apps.enterprises.choices import TICKET_TRANSITIONS, TicketStatus
from apps.enterprises.models import Ticket, TicketEvent
from apps.enterprises.tasks import escalate_overdue_tickets

UTC = dt.UTC
MONDAY_10 = dt.datetime(2020, 2, 17, 2, 0, tzinfo=UTC)  # 10:00 in Asia/Shanghai


def _open(user, category="tax", at=MONDAY_10):
    return hotline.ticket_open(
        actor=user, data={"category": category, "title": "发票", "description": "无法开票"}, now=at
    )


def test_the_deadline_comes_from_the_category_sla(ent_user, categories):
    assert _open(ent_user, "tax").due_at == MONDAY_10 + dt.timedelta(hours=24)
    # 8 office hours from Monday 10:00 (opens 9:00, closes 17:30): 7.5 h on Monday, then 0.5 h on Tuesday.
    labour = _open(ent_user, "labour")
    assert labour.due_at == dt.datetime(2020, 2, 18, 1, 30, tzinfo=UTC)
    assert labour.department.code == "hr"


def test_overdue_tickets_escalate_to_the_head_then_headquarters_once(ent_user, categories):
    ticket = _open(ent_user, "tax")
    due = ticket.due_at
    assert hotline.tickets_escalate(now=due) == {"department_head": 0, "headquarters": 0}
    assert hotline.tickets_escalate(now=due + dt.timedelta(minutes=1)) == {
        "department_head": 1,
        "headquarters": 0,
    }
    assert hotline.tickets_escalate(now=due + dt.timedelta(hours=2)) == {
        "department_head": 0,
        "headquarters": 0,
    }
    assert hotline.tickets_escalate(now=due + dt.timedelta(hours=25)) == {
        "department_head": 0,
        "headquarters": 1,
    }
    ticket.refresh_from_db()
    assert ticket.level == 2
    assert list(
        TicketEvent.objects.filter(ticket=ticket, kind="escalated").values_list("level", flat=True)
    ) == [1, 2]


def test_a_ticket_found_late_escalates_through_both_levels_in_one_run(ent_user, categories):
    ticket = _open(ent_user, "tax")
    assert hotline.tickets_escalate(now=ticket.due_at + dt.timedelta(days=3)) == {
        "department_head": 1,
        "headquarters": 1,
    }


def test_a_replied_ticket_does_not_escalate(ent_user, econ_a, categories):
    ticket = _open(ent_user, "tax")
    hotline.ticket_reply(actor=econ_a, ticket=ticket, reply="已协调", now=MONDAY_10 + dt.timedelta(hours=1))
    assert hotline.tickets_escalate(now=ticket.due_at + dt.timedelta(days=3))["department_head"] == 0


def test_the_task_and_the_command_escalate(ent_user, categories):
    ticket = _open(ent_user, "tax", at=dt.datetime.now(UTC) - dt.timedelta(hours=30))
    result = escalate_overdue_tickets.enqueue()  # the immediate backend in tests
    assert result.return_value == {"department_head": 1, "headquarters": 0}
    ticket.level = 0
    ticket.save()
    call_command("escalate_tickets")
    ticket.refresh_from_db()
    assert ticket.level == 1


@pytest.mark.parametrize("start", list(TicketStatus.values))
@pytest.mark.parametrize("to", list(TicketStatus.values))
def test_every_transition_follows_the_table(ent_user, econ_a, categories, start, to):
    ticket = _open(ent_user)
    Ticket.objects.filter(pk=ticket.pk).update(status=start)
    ticket.refresh_from_db()
    actions = {
        TicketStatus.REPLIED: lambda: hotline.ticket_reply(actor=econ_a, ticket=ticket, reply="ok"),
        TicketStatus.CLOSED: lambda: hotline.ticket_rate(actor=ent_user, ticket=ticket, satisfaction=4),
        TicketStatus.OPEN: lambda: hotline.ticket_reopen(actor=ent_user, ticket=ticket),
    }
    if to in TICKET_TRANSITIONS[start]:
        assert actions[to]().status == to
    else:
        with pytest.raises(Conflict):
            actions[to]()


def test_reply_rating_and_sla_report_by_department(ent_user, econ_a, api_of, categories):
    client, officer = api_of(ent_user), api_of(econ_a)
    opened = client.post(
        "/api/hotline/tickets",
        {"category": "tax", "title": "退税", "description": "进度?"},
        content_type="application/json",
    )
    assert opened.status_code == 201
    tid = opened.json()["id"]
    assert (
        client.post(
            f"/api/hotline/tickets/{tid}/reply", {"reply": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert (
        officer.post(
            f"/api/hotline/tickets/{tid}/reply", {"reply": "已办结"}, content_type="application/json"
        ).json()["status"]
        == "replied"
    )
    bad = client.post(
        f"/api/hotline/tickets/{tid}/rate", {"satisfaction": 9}, content_type="application/json"
    )
    assert bad.status_code == 422
    assert (
        client.post(
            f"/api/hotline/tickets/{tid}/rate", {"satisfaction": 5}, content_type="application/json"
        ).json()["status"]
        == "closed"
    )
    _open(ent_user, "labour", at=dt.datetime.now(UTC) - dt.timedelta(days=5))
    report = {r["department"]: r for r in officer.get("/api/hotline/sla").json()}
    assert report["税务局"]["resolved_on_time"] == 1 and report["税务局"]["mean_satisfaction"] == 5
    assert report["人社局"]["overdue_open"] == 1 and report["人社局"]["on_time_rate"] == 0


def test_a_department_head_sees_and_answers_its_tickets(ent_user, categories, make_user):
    head = make_user("citizen", "990101", username="tax_head")
    categories["tax"].department.head = head
    categories["tax"].department.save()
    ticket = _open(ent_user, "tax")
    assert selectors.tickets_list(user=head).count() == 1
    assert hotline.ticket_reply(actor=head, ticket=ticket, reply="局长批示").status == "replied"


def test_the_dashboard_sql_summary_equals_core_sla_report(ent_user, econ_a, categories):
    import random

    rng = random.Random(3)
    now = MONDAY_10 + dt.timedelta(days=6)
    for _ in range(40):
        ticket = _open(
            ent_user, rng.choice(["tax", "labour"]), at=MONDAY_10 + dt.timedelta(hours=rng.randint(0, 120))
        )
        roll = rng.random()
        if roll < 0.6:
            resolved = ticket.opened_at + dt.timedelta(hours=rng.uniform(0.5, 60))
            Ticket.objects.filter(pk=ticket.pk).update(
                status="replied", resolved_at=resolved, satisfaction=rng.choice([None, 2, 4, 5])
            )
    exact = {r["department"]: r["sla"] for r in selectors.sla_report(user=econ_a, now=now)}
    summary = {r["department"]: r["sla"] for r in selectors.sla_summary(user=econ_a, now=now)}
    assert exact.keys() == summary.keys()
    for name, want in exact.items():
        got = summary[name]
        for field in ("total", "resolved", "resolved_on_time", "open", "overdue_open", "open_by_level"):
            assert getattr(got, field) == getattr(want, field), field
        assert got.on_time_rate == want.on_time_rate
        assert (got.mean_satisfaction is None) == (want.mean_satisfaction is None)
        if want.mean_satisfaction is not None:
            assert got.mean_satisfaction == pytest.approx(want.mean_satisfaction)


def _open_keyed(user, key, title="发票"):
    data = {"category": "tax", "title": title, "description": "无法开票", "client_id": key}
    return hotline.ticket_open(actor=user, data=data, now=MONDAY_10)


def test_a_retried_ticket_is_stored_once_and_a_reused_key_with_new_content_is_refused(ent_user, categories):
    first = _open_keyed(ent_user, "phone-1")
    assert _open_keyed(ent_user, "phone-1").pk == first.pk  # the phone retried after a dropped answer
    with pytest.raises(Conflict) as refused:
        _open_keyed(ent_user, "phone-1", title="另一个问题")
    assert refused.value.code == "idempotency_conflict"
    assert Ticket.objects.filter(client_id="phone-1").count() == 1


def test_a_client_id_belongs_to_its_submitter(ent_user, ent_a, econ_a, make_user, categories):
    """A colleague whose phone happens to use the same key gets a ticket of their own, not the first one."""
    from apps.enterprises import services

    colleague = make_user("enterprise_user", ent_a.area.code[:6], username="ent_user_a2")
    services.enterprise_member_link(actor=econ_a, enterprise=ent_a, user=colleague)
    mine = _open_keyed(ent_user, "same-key")
    theirs = _open_keyed(colleague, "same-key", title="另一个问题")
    assert theirs.pk != mine.pk and theirs.opened_by == colleague and theirs.title == "另一个问题"
    assert Ticket.objects.filter(client_id="same-key").count() == 2


def test_a_ticket_taken_over_by_the_headquarters_becomes_a_supervised_task_closed_by_the_reply(
    ent_user, econ_a, categories
):
    from apps.command.models import Task

    ticket = _open(ent_user, "tax")
    hotline.tickets_escalate(now=ticket.due_at + dt.timedelta(hours=2))  # the department head: no task yet
    assert not Task.objects.exists()
    hotline.tickets_escalate(now=ticket.due_at + dt.timedelta(hours=25))
    task = Task.objects.get(source_ref=f"enterprises.ticket:{ticket.pk}")
    assert (task.status, task.priority, task.area_id) == ("open", "high", ticket.area_id)
    hotline.ticket_reply(actor=econ_a, ticket=ticket, reply="已协调")
    task.refresh_from_db()
    assert task.status == "closed"

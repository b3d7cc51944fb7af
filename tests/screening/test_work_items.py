"""Work items: owned by the community of the address, visited by its workers (two communities, two districts),
visit outcomes, the quarantine adaptor (installed or pending), escalation community → street → district, and
reassignment recorded."""

from __future__ import annotations

import datetime as dt
import sys
import types
from typing import Any

import pytest

from apps.common.errors import Conflict, NotFound, ValidationFailed
from apps.screening import selectors, services
from apps.screening.choices import RowState, VisitRule, WorkLevel, WorkStatus
from apps.screening.models import ListRow, WorkItem, WorkItemEvent
from apps.screening.selectors import reconciliation_differences
from tests.factories import COMMUNITY_A
from tests.screening.conftest import csv_of

pytestmark = pytest.mark.django_db
COMMUNITY_A2 = "990101001002"


@pytest.fixture
def items(make_list: Any, officer_a: Any) -> dict[str, WorkItem]:
    lst = make_list(rule=VisitRule.EVERYONE, visit_within_hours=24)
    services.list_import(
        actor=officer_a,
        lst=lst,
        filename="a.csv",
        data=csv_of(
            [
                ["张伟", "", "男", "1980-01-02", "13900000001", COMMUNITY_A, ""],
                ["李娜", "", "女", "1981-02-03", "13900000002", COMMUNITY_A2, ""],
                ["王芳", "", "女", "1982-03-04", "13900000003", "990101001", ""],  # only the street is known
            ]
        ),
    )
    return {i.row.name_masked: i for i in WorkItem.objects.select_related("row")}


@pytest.fixture
def worker_a(make_user: Any) -> Any:
    return make_user("community_worker", COMMUNITY_A, username="worker_a")


@pytest.fixture
def worker_a2(make_user: Any) -> Any:
    return make_user("community_worker", COMMUNITY_A2, username="worker_a2")


def test_each_item_belongs_to_the_community_of_the_address_or_the_street_when_vague(items: Any) -> None:
    assert {k: (v.area_id, v.level) for k, v in items.items()} == {
        "张*": (COMMUNITY_A, WorkLevel.COMMUNITY),
        "李*": (COMMUNITY_A2, WorkLevel.COMMUNITY),
        "王*": ("990101001", WorkLevel.STREET),
    }


def test_a_community_worker_sees_only_their_communitys_items(
    items: Any, worker_a: Any, worker_a2: Any, officer_b: Any
) -> None:
    assert [i.area_id for i in selectors.work_items(user=worker_a)] == [COMMUNITY_A]
    assert [i.area_id for i in selectors.work_items(user=worker_a2)] == [COMMUNITY_A2]
    assert list(selectors.work_items(user=officer_b)) == []
    with pytest.raises(NotFound):
        services.visit_record(actor=worker_a2, item_id=items["张*"].pk, outcome="found")


def test_found_resolves_the_item_and_not_found_keeps_it_open(
    items: Any, worker_a: Any, worker_a2: Any
) -> None:
    services.visit_record(actor=worker_a2, item_id=items["李*"].pk, outcome="not_found")
    assert WorkItem.objects.get(pk=items["李*"].pk).status == WorkStatus.OPEN
    services.visit_record(
        actor=worker_a, item_id=items["张*"].pk, outcome="found", health="normal", temperature=36.6
    )
    item = WorkItem.objects.get(pk=items["张*"].pk)
    assert (item.status, item.resolved_by, item.row.state) == (
        WorkStatus.RESOLVED,
        "visit",
        RowState.RESOLVED,
    )
    with pytest.raises(Conflict):
        services.visit_record(actor=worker_a, item_id=item.pk, outcome="found")
    assert reconciliation_differences() == []


def test_moved_away_needs_where_and_a_temperature_must_be_plausible(items: Any, worker_a: Any) -> None:
    with pytest.raises(ValidationFailed):
        services.visit_record(actor=worker_a, item_id=items["张*"].pk, outcome="moved_away")
    with pytest.raises(ValidationFailed):
        services.visit_record(actor=worker_a, item_id=items["张*"].pk, outcome="found", temperature=55)
    visit = services.visit_record(
        actor=worker_a, item_id=items["张*"].pk, outcome="moved_away", moved_to="武汉市"
    )
    assert visit.moved_to == "武汉市"


def test_a_quarantine_action_stays_pending_while_the_quarantine_app_is_absent(
    items: Any, worker_a: Any, registered: Any
) -> None:
    services.visit_record(actor=worker_a, item_id=items["张*"].pk, outcome="found", action="quarantine")
    item = WorkItem.objects.get(pk=items["张*"].pk)
    assert (item.pending_action, item.action_ref) == ("quarantine", "")


def test_a_quarantine_action_proposes_an_order_when_the_app_is_installed(
    make_list: Any, officer_a: Any, worker_a: Any, registered: Any, monkeypatch: Any
) -> None:
    person, plain = registered("刘洋", dt.date(1979, 5, 20), "13800000001")
    lst = make_list(rule=VisitRule.EVERYONE, name="密接")
    services.list_import(
        actor=officer_a, lst=lst, filename="a.csv", data=csv_of([["刘洋", plain["doc"], "", "", "", "", ""]])
    )
    item = WorkItem.objects.get(list=lst)
    calls: list[dict[str, Any]] = []

    def propose_order(**kw: Any) -> Any:
        calls.append(kw)
        return types.SimpleNamespace(pk=77)

    fake = types.ModuleType("apps.quarantine.services")
    fake.propose_order = propose_order  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "apps.quarantine", types.ModuleType("apps.quarantine"))
    monkeypatch.setitem(sys.modules, "apps.quarantine.services", fake)
    from django.apps import apps

    monkeypatch.setattr(apps, "is_installed", lambda name: name == "apps.quarantine")
    services.visit_record(actor=worker_a, item_id=item.pk, outcome="found", action="quarantine")
    item.refresh_from_db()
    assert (item.action_ref, item.pending_action) == ("order:77", "")
    assert calls[0]["person"].pk == person.pk and calls[0]["source"] == "screening"
    assert calls[0]["source_ref"] == f"workitem:{item.pk}"


def test_overdue_items_escalate_community_street_district(items: Any) -> None:
    item = items["张*"]
    now = item.due_at + dt.timedelta(minutes=1)
    assert services.work_items_escalate(now=item.due_at - dt.timedelta(minutes=1)) == 0
    assert services.work_items_escalate(now=now) == 3  # the street-level item goes to the district
    item.refresh_from_db()
    assert (item.area_id, item.level) == ("990101001", WorkLevel.STREET)
    assert WorkItem.objects.get(pk=items["王*"].pk).area_id == "990101"
    services.work_items_escalate(now=item.due_at + dt.timedelta(minutes=1))
    item.refresh_from_db()
    assert (item.area_id, item.level) == ("990101", WorkLevel.DISTRICT)
    assert (
        services.work_items_escalate(now=item.due_at + dt.timedelta(days=9)) == 0
    )  # the district is the top
    assert [(e.kind, e.from_area_id, e.to_area_id) for e in WorkItemEvent.objects.filter(item=item)] == [
        ("escalate", COMMUNITY_A, "990101001"),
        ("escalate", "990101001", "990101"),
    ]


def test_reassignment_moves_the_item_and_is_recorded(items: Any, worker_a: Any, worker_a2: Any) -> None:
    with pytest.raises(ValidationFailed):
        services.work_item_reassign(
            actor=worker_a, item_id=items["张*"].pk, area_code=COMMUNITY_A2, reason=" "
        )
    services.work_item_reassign(
        actor=worker_a, item_id=items["张*"].pk, area_code=COMMUNITY_A2, reason="已搬家"
    )
    event = WorkItemEvent.objects.get(item=items["张*"])
    assert (event.kind, event.actor, event.reason) == ("reassign", worker_a, "已搬家")
    assert {i.pk for i in selectors.work_items(user=worker_a2)} == {items["李*"].pk, items["张*"].pk}
    assert (
        ListRow.objects.get(pk=items["张*"].row_id).area_id == COMMUNITY_A
    )  # the count stays with the address


def test_a_visit_temperature_becomes_a_code_fact(
    make_list: Any, officer_a: Any, worker_a: Any, registered: Any
) -> None:
    from apps.codes.facts import PersonChunk, providers
    from apps.screening.facts import visit_facts

    person, plain = registered("刘洋", dt.date(1979, 5, 20), "13800000001")
    lst = make_list(rule=VisitRule.EVERYONE, name="发热")
    services.list_import(
        actor=officer_a, lst=lst, filename="a.csv", data=csv_of([["刘洋", plain["doc"], "", "", "", "", ""]])
    )
    item = WorkItem.objects.get(list=lst)
    services.visit_record(actor=worker_a, item_id=item.pk, outcome="found", health="fever", temperature=38.4)
    assert visit_facts in providers()
    facts = visit_facts(PersonChunk.of([person.pk]))
    assert [r.celsius for r in facts[person.pk]["temperatures"]] == [38.4]

"""Daily life: check-ins and their alerts, the missed-check-in sweep against a slow oracle, breaches from scans,
lab results matched to stays, requests with deadlines and escalation, the discipline inspection."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from apps.accounts.models import User
from apps.cases import services as cases
from apps.cases.models import Case
from apps.common.errors import Conflict, Forbidden, ValidationFailed
from apps.quarantine import daily, services
from apps.quarantine.choices import AlertKind, RoomStatus, StayStatus
from apps.quarantine.models import CheckIn, QuarantineAlert, Site, Stay
from apps.venues.services import scans_ingest, venue_create
from core import quarantine as core
from tests.factories import COMMUNITY_A

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def _in_room(stay: Stay, hotel: Site, manager: User, number: str = "101") -> Stay:
    services.allocate(actor=manager, stays=[stay], room=hotel.rooms.get(number=number))
    stay.refresh_from_db()
    return stay


def test_a_fever_at_the_rule_sets_threshold_raises_an_alert(
    person_a: Any, manager_a: User, hotel: Site, make_stay: Callable[..., Stay]
) -> None:
    stay = _in_room(make_stay(person_a), hotel, manager_a)
    threshold = daily.fever_threshold(timezone.localdate())
    at = timezone.now() - dt.timedelta(days=1)
    daily.checkin_record(
        actor=manager_a, stay=stay, temperature=float(threshold) - 0.1, at=at.replace(hour=1)
    )
    assert not QuarantineAlert.objects.exists()
    daily.checkin_record(actor=manager_a, stay=stay, temperature=float(threshold), at=at.replace(hour=10))
    assert QuarantineAlert.objects.get().kind == AlertKind.FEVER
    with pytest.raises(Conflict):  # the afternoon slot is taken
        daily.checkin_record(actor=manager_a, stay=stay, temperature=36.5, at=at.replace(hour=11))


def test_the_threshold_is_the_one_of_the_code_rules_and_the_checkpoints() -> None:
    from apps.codes.rules import current_ruleset
    from apps.venues.alerting import fever_threshold as checkpoint_threshold

    day = timezone.localdate()
    assert float(daily.fever_threshold(day)) == current_ruleset(day).fever_threshold_celsius
    assert daily.fever_threshold(day) == checkpoint_threshold()


def test_symptoms_raise_an_alert_and_a_bad_temperature_is_refused(
    person_a: Any, manager_a: User, manager_b: User, hotel: Site, make_stay: Callable[..., Stay]
) -> None:
    stay = _in_room(make_stay(person_a), hotel, manager_a)
    with pytest.raises(ValidationFailed):
        daily.checkin_record(actor=manager_a, stay=stay, temperature="hot")
    with pytest.raises(Forbidden):
        daily.checkin_record(actor=manager_b, stay=stay, temperature=36.6)
    daily.checkin_record(actor=None, stay=stay, temperature=36.6, symptoms=True, note="咳嗽", by_person=True)
    assert QuarantineAlert.objects.get().kind == AlertKind.SYMPTOMS
    assert CheckIn.objects.get().by_person


def _oracle_missed(now: dt.datetime) -> set[str]:
    """The slow version: every open stay, every passed slot of yesterday and today, looked up one by one."""
    today = now.astimezone(SH).date()
    out = set()
    for stay in Stay.objects.filter(status__in=("active", "monitoring")):
        for day in (today - dt.timedelta(days=1), today):
            for slot, until in core.CHECKIN_SLOTS:
                deadline = dt.datetime.combine(day, until, SH)
                if deadline > now or stay.start_day > day or stay.created_at >= deadline:
                    continue
                if not CheckIn.objects.filter(stay=stay, day=day, slot=slot).exists():
                    out.add(f"missed:{stay.pk}:{day.isoformat()}:{slot}")
    return out


def test_the_sweep_is_one_statement_and_agrees_with_the_slow_oracle(
    person_factory: Any,
    officer_a: User,
    manager_a: User,
    hotel: Site,
    make_stay: Callable[..., Stay],
    django_assert_num_queries: Any,
) -> None:
    stays = [
        make_stay(person_factory(actor=officer_a), kind="home", policy_code="h14-2020") for _ in range(4)
    ]
    waiting = make_stay(person_factory(actor=officer_a))  # no room yet: not swept
    # Stays made "now" would have no passed deadline: they began two days ago.
    Stay.objects.update(
        created_at=timezone.now() - dt.timedelta(days=2),
        start_day=timezone.localdate() - dt.timedelta(days=2),
    )
    now = timezone.now()
    yesterday = now - dt.timedelta(days=1)
    daily.checkin_record(
        actor=officer_a, stay=stays[0], temperature=36.5, at=yesterday.astimezone(SH).replace(hour=9)
    )
    daily.checkin_record(
        actor=officer_a, stay=stays[1], temperature=36.5, at=yesterday.astimezone(SH).replace(hour=15)
    )
    expected = _oracle_missed(now)
    with django_assert_num_queries(1):
        raised = daily.missed_checkins_sweep(now=now)
    got = set(QuarantineAlert.objects.filter(kind=AlertKind.MISSED_CHECKIN).values_list("key", flat=True))
    assert got == expected and raised == len(expected)
    assert not any(k.startswith(f"missed:{waiting.pk}:") for k in got)
    assert daily.missed_checkins_sweep(now=now) == 0  # idempotent
    alert = QuarantineAlert.objects.filter(kind=AlertKind.MISSED_CHECKIN).first()
    assert alert.area_id == stays[0].area_id  # at home: the residence's community worker and district


def test_a_scan_of_a_person_in_quarantine_is_a_breach(
    person_a: Any, officer_a: User, make_user: Callable[..., User], make_stay: Callable[..., Stay]
) -> None:
    stay = make_stay(person_a, kind="home", policy_code="h14-2020")
    venue = venue_create(
        actor=officer_a, data={"name": "超市", "category": "supermarket", "area_code": COMMUNITY_A}
    )
    guard = make_user("checkpoint_operator", "990101", username="guard")
    scan = {
        "client_id": "scan-0001",
        "venue": str(venue.pk),
        "person": person_a.pk,
        "scanned_at": timezone.now().isoformat(),
    }
    scans_ingest(actor=guard, scans=[scan])
    scans_ingest(actor=guard, scans=[scan])  # a retry raises nothing more
    alert = QuarantineAlert.objects.get(kind=AlertKind.BREACH)
    assert (alert.stay_id, alert.area_id) == (stay.pk, person_a.area_id)


def test_a_positive_lab_result_opens_a_case_and_moves_the_person_out(
    person_a: Any, manager_a: User, epi: User, hotel: Site, make_stay: Callable[..., Stay]
) -> None:
    stay = _in_room(make_stay(person_a), hotel, manager_a)
    cases.labs_import(
        actor=epi,
        lab="L",
        client_batch_id="b1",
        rows=[
            (
                1,
                {
                    "sample_id": "P1",
                    "sampled_at": timezone.now().isoformat(),
                    "result": "阳性",
                    "person_id": str(person_a.pk),
                },
            )
        ],
    )
    stay.refresh_from_db()
    assert stay.status == StayStatus.HOSPITAL
    assert Case.objects.filter(person=person_a).count() == 1
    assert hotel.rooms.get(number="101").status == RoomStatus.CLEANING
    assert QuarantineAlert.objects.filter(kind=AlertKind.POSITIVE, stay=stay).exists()


def test_requests_are_due_by_kind_and_escalate_when_late(
    person_a: Any, manager_a: User, hotel: Site, make_stay: Callable[..., Stay]
) -> None:
    stay = _in_room(make_stay(person_a), hotel, manager_a)
    opened = timezone.now() - dt.timedelta(hours=10)
    meals = daily.request_open(actor=None, stay=stay, kind="meals", text="清真餐", by_person=True, now=opened)
    psych = daily.request_open(
        actor=None, stay=stay, kind="psychological", text="失眠", by_person=True, now=opened
    )
    assert meals.due_at == opened + dt.timedelta(hours=2)
    assert daily.requests_escalate() == 1  # meals are 8 hours late; support is not due yet
    meals.refresh_from_db()
    psych.refresh_from_db()
    assert (meals.escalation, psych.escalation) == (2, 0)
    daily.request_done(actor=manager_a, req=meals, answer="已送达")
    with pytest.raises(ValidationFailed):
        daily.request_open(actor=None, stay=stay, kind="taxi", text="x", by_person=True)


def test_the_inspection_answers_every_item(hotel: Site, manager_a: User) -> None:
    items = daily.checklist()
    assert len(items) == 10
    answers = [{"code": i.code, "ok": True} for i in items[1:]]
    with pytest.raises(ValidationFailed):
        daily.inspection_record(actor=manager_a, site=hotel, day=timezone.localdate(), results=answers)
    answers.append({"code": items[0].code, "ok": False, "finding": "走廊聚集", "follow_up": "劝返"})
    inspection = daily.inspection_record(
        actor=manager_a, site=hotel, day=timezone.localdate(), results=answers
    )
    assert inspection.findings == 1

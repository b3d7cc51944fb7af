"""The demo city's quarantine: hotels with rooms, and the outbreak's confirmed contacts at every stage."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from apps.cases import demo as cases_demo
from apps.demo import generator
from apps.demo.steps import users
from apps.quarantine import demo
from apps.quarantine.choices import OrderStatus, RoomStatus, StayStatus
from apps.quarantine.models import Allocation, QuarantineAlert, QuarantineOrder, Room, Stay
from tests.cases.test_demo import _persons


@pytest.mark.django_db
def test_the_demo_has_hotels_and_stays_at_every_stage_and_can_be_rerun(city: Any) -> None:
    ctx = generator.DemoContext(
        seed=2020, persons=2500, today=timezone.localdate(), out=lambda _: None, progress=False
    )
    _persons(ctx)
    users.run(ctx)
    cases_demo.run(ctx)
    summary = demo.run(ctx)
    assert (
        summary["contacts_confirmed"]
        == QuarantineOrder.objects.filter(source_ref__startswith="contact:").count()
    )
    assert summary["sites"] >= 6 and summary["rooms"] >= 6 * 32
    statuses = set(Stay.objects.values_list("status", flat=True))
    assert {StayStatus.ACTIVE, StayStatus.RELEASED} <= statuses, summary
    assert QuarantineOrder.objects.filter(status=OrderStatus.PROPOSED).exists()
    occupied = Room.objects.filter(status=RoomStatus.OCCUPIED).count()
    assert (
        occupied == Allocation.objects.filter(ended_at__isnull=True).values("room").distinct().count() > 0
    ), summary
    assert summary["missed_alerts"] == QuarantineAlert.objects.filter(kind="missed_checkin").count()
    again = demo.run(ctx)
    assert again["rooms"] == summary["rooms"] and Stay.objects.count() == sum(
        again[k] for k in ("waiting", "in_room", "home", "due_today", "released")
    )

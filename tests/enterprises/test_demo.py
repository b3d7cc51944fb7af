"""The demo step: a rising February–March curve, reasons for the rest, tickets; a second run adds nothing."""

from __future__ import annotations

import datetime as dt

from apps.demo.generator import DemoContext
from apps.enterprises import demo, selectors
from apps.enterprises.models import (
    Enterprise,
    EnterpriseReason,
    PolicyDelivery,
    PowerReading,
    StatusChange,
    Ticket,
)


def test_the_demo_step_builds_a_curve_and_is_idempotent(city, make_user):
    city_officer = make_user("economic_officer", "990100", username="econ")
    ctx = DemoContext(seed=5, persons=3000, today=dt.date(2020, 3, 31), out=lambda s: None, progress=False)
    summary = demo.run(ctx)
    assert summary["enterprises"] == 500 == Enterprise.objects.count()
    curve = selectors.resumption_curve(user=city_officer)
    rates = [c["resumed_rate"] for c in curve]
    assert curve[0]["day"] >= dt.date(2020, 2, 1) and curve[-1]["day"] == dt.date(2020, 3, 31)
    assert rates == sorted(rates) and rates[0] < 0.1 < 0.7 < rates[-1] < 1.0
    not_fully = Enterprise.objects.exclude(status="fully")
    assert not not_fully.exclude(pk__in=EnterpriseReason.objects.values("enterprise_id")).exists()
    counts = [m.objects.count() for m in (Enterprise, StatusChange, Ticket, PolicyDelivery, PowerReading)]
    demo.run(ctx)
    assert [
        m.objects.count() for m in (Enterprise, StatusChange, Ticket, PolicyDelivery, PowerReading)
    ] == counts

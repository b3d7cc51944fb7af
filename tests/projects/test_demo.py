"""The recovery demo steps: about 100 coloured projects, dekad reports with flags, one price spike, schools, disputes."""

import datetime as dt

from django.utils import timezone

from apps.demo.generator import DemoContext
from apps.indicators import demo as indicators_demo
from apps.indicators.selectors import latest_indicator_progress
from apps.prices import demo as prices_demo
from apps.prices.selectors import active_price_alerts
from apps.projects import demo as projects_demo
from apps.projects.models import Project
from apps.projects.selectors import project_colour_counts
from apps.society import demo as society_demo
from apps.society.models import Dispute, School
from apps.society.selectors import school_readiness_by_district


def test_the_recovery_demo_fills_every_district_and_is_idempotent(make_user):
    hq = make_user("economic_officer", "990100", username="econ_hq")
    ctx = DemoContext(seed=2020, persons=0, today=timezone.localdate(), out=lambda s: None, progress=False)
    steps = (projects_demo, indicators_demo, prices_demo, society_demo)
    for step in steps:
        step.run(ctx)
    counts = project_colour_counts(user=hq)
    assert counts["total"] == 100 and all(counts[c] > 0 for c in ("blue", "yellow", "red"))
    rows = latest_indicator_progress(user=hq)
    assert {r.district_code for r in rows} == {f"99010{i}" for i in range(1, 7)}
    states = [r.state for r in rows]
    assert states.count("missing") >= 1 and states.count("late") >= 2
    alerts = active_price_alerts(user=hq, days=2)
    assert {(a.item.code, a.market.code) for a in alerts} == {("pork", alerts[0].market.code)}
    assert len(school_readiness_by_district(user=hq)) == 6
    before = (Project.objects.count(), School.objects.count(), Dispute.objects.count())
    for step in steps:
        step.run(ctx)
    assert (Project.objects.count(), School.objects.count(), Dispute.objects.count()) == before
    assert Dispute.objects.count() == 60 and before[1] == 90
    assert max(Project.objects.values_list("plan_start", flat=True)) <= ctx.today + dt.timedelta(days=60)

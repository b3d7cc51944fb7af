"""The demo steps of codes and venues: venues of every kind, daily scan patterns, alerts; rerunnable."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db.models import Count
from django.utils import timezone

from apps.codes import demo as codes_demo
from apps.codes.models import HealthCode
from apps.demo import generator
from apps.demo.steps import areas
from apps.venues import demo as venues_demo
from apps.venues.choices import VenueCategory
from apps.venues.models import Alert, Scan, Venue


def _persons(ctx: generator.DemoContext) -> None:
    from apps.people.services import person_columns, persons_bulk_insert
    from core import synthetic
    from core.persons import CleanPerson

    specs = list(synthetic.people(ctx.rng("persons"), ctx.persons, ctx.today, synthetic.community_codes()))
    fields = ("name", "doc_type", "doc_number", "sex", "birth_date", "phone", "area_code", "address")
    fields += ("nationality", "household_ref", "relation")
    clean = [CleanPerson(**{f: getattr(p, f) for f in fields}) for p in specs]
    now = timezone.now()
    persons_bulk_insert([person_columns(c, now) for c in clean], households=[c.household_ref for c in clean])


@pytest.mark.django_db
def test_the_demo_builds_venues_scans_and_alerts_and_can_be_rerun(city: Any) -> None:
    ctx = generator.DemoContext(
        seed=2020, persons=1500, today=dt.date.today(), out=lambda _: None, progress=False
    )
    areas.run(ctx)
    _persons(ctx)
    codes = codes_demo.run(ctx)
    assert codes["codes"] == HealthCode.objects.count() >= 1500 and codes["not_green"] > 0
    summary = venues_demo.run(ctx)
    assert set(Venue.objects.values_list("category", flat=True)) == set(VenueCategory.values)
    assert summary["scans"] == Scan.objects.count() > 1500
    # Daily pattern: the morning and evening peaks at community gates outnumber the small hours.
    hours = [
        timezone.localtime(t).hour
        for t in Scan.objects.filter(venue__category="community_gate").values_list("scanned_at", flat=True)
    ]
    assert sum(7 <= h <= 9 for h in hours) > 5 * sum(h <= 5 for h in hours)
    assert Alert.objects.count() == summary["alerts"] > 0
    per_day = Scan.objects.values("scanned_at__date").annotate(n=Count("id"))
    assert len(per_day) >= 3
    again = venues_demo.run(ctx)
    assert (again["scans"], again["alerts"]) == (0, 0)
    assert Scan.objects.count() == summary["scans"]

"""The demo outbreak: imported seeds, a peak and a decline, labs, hospital stays, traced contacts; rerunnable."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.cases import demo
from apps.cases.choices import CaseStatus, Origin
from apps.cases.models import Case, Contact, LabResult, TransmissionLink
from apps.demo import generator
from apps.demo.steps import areas, users
from apps.epi import selectors


def _persons(ctx: generator.DemoContext) -> None:
    """The persons step's insert path without its duplicate seeding (not what this test is about)."""
    from django.utils import timezone

    from apps.people.services import person_columns, persons_bulk_insert
    from core import synthetic
    from core.persons import CleanPerson

    specs = list(synthetic.people(ctx.rng("persons"), ctx.persons, ctx.today, synthetic.community_codes()))
    clean = [
        CleanPerson(
            name=p.name,
            doc_type=p.doc_type,
            doc_number=p.doc_number,
            sex=p.sex,
            birth_date=p.birth_date,
            phone=p.phone,
            area_code=p.area_code,
            address=p.address,
            nationality=p.nationality,
            household_ref=p.household_ref,
            relation=p.relation,
        )
        for p in specs
    ]
    now = timezone.now()
    persons_bulk_insert([person_columns(c, now) for c in clean], households=[c.household_ref for c in clean])


@pytest.mark.django_db
def test_the_demo_outbreak_rises_peaks_and_declines_and_can_be_rerun(make_user: Any) -> None:
    ctx = generator.DemoContext(
        seed=2020, persons=2500, today=dt.date.today(), out=lambda _: None, progress=False
    )
    areas.run(ctx)
    _persons(ctx)
    users.run(ctx)
    summary = demo.run(ctx)
    assert summary["cases"] >= 40 and summary["imported"] >= 1 and summary["traced"] > 0
    assert Case.objects.filter(origin=Origin.ABROAD).exists()
    assert (
        Case.objects.filter(status=CaseStatus.RECOVERED).exists()
        and Case.objects.filter(status=CaseStatus.HOSPITALISED).exists()
    )
    assert LabResult.objects.filter(result="positive").count() >= summary["cases"] * 0.8
    assert TransmissionLink.objects.exists() and Contact.objects.exists()
    inc = selectors.incidence(user=make_user("epidemiologist", "990100"))
    weekly = [sum(inc.local[i : i + 7]) + sum(inc.imported[i : i + 7]) for i in range(0, len(inc.local), 7)]
    peak = weekly.index(max(weekly))
    assert 0 < peak < len(weekly) - 1 and weekly[-1] < max(weekly) / 2, weekly
    again = demo.run(ctx)
    assert again["cases"] == summary["cases"] and Case.objects.count() == summary["cases"]

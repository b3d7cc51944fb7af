"""Health-code facts from cases: the latest case's status, confirmed contacts only, negative tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from apps.cases import services
from apps.cases.choices import CaseStatus
from apps.cases.facts import case_facts
from apps.cases.models import Contact
from apps.codes.facts import PersonChunk
from core import coderules


@pytest.mark.django_db
def test_facts_follow_the_case_and_only_confirmed_contacts(
    person_factory: Any, officer_a: Any, epi: Any, django_assert_max_num_queries: Any
) -> None:
    case_person, close, secondary, negative = (person_factory(actor=officer_a) for _ in range(4))
    case = services.case_report(actor=epi, person=case_person, status=CaseStatus.SUSPECTED)
    now = timezone.now()
    rows = {
        p.pk: Contact.objects.create(
            case=case, person=p, degree=d, first_exposed_at=now, last_exposed_at=now - dt.timedelta(days=1)
        )
        for p, d in ((close, 1), (secondary, 2))
    }
    services.labs_import(
        actor=epi,
        lab="L",
        client_batch_id="neg",
        rows=[
            (
                1,
                {
                    "sample_id": "N1",
                    "sampled_at": (now - dt.timedelta(hours=1)).isoformat(),
                    "result": "阴性",
                    "person_id": str(negative.pk),
                },
            )
        ],
    )
    ids = [case_person.pk, close.pk, secondary.pk, negative.pk]
    assert case_facts(PersonChunk.of(ids))[case_person.pk]["case_status"] is coderules.CaseStatus.SUSPECTED
    assert close.pk not in case_facts(PersonChunk.of(ids))  # a suggestion is not a fact
    for contact in rows.values():
        services.contact_decide(actor=epi, contact=contact, confirm=True)
    chunk = PersonChunk.of(ids)
    with django_assert_max_num_queries(3):
        facts = case_facts(chunk)
    assert facts[close.pk]["contact_status"] is coderules.ContactStatus.CLOSE
    assert facts[secondary.pk]["contact_status"] is coderules.ContactStatus.SECONDARY
    assert facts[close.pk]["last_exposure_on"] == timezone.localdate() - dt.timedelta(days=1)
    assert facts[negative.pk]["negative_tests"] == (timezone.localdate(now - dt.timedelta(hours=1)),)
    services.case_transition(actor=epi, case=case, to=CaseStatus.EXCLUDED)
    assert (
        case_facts(PersonChunk.of([case_person.pk]))[case_person.pk]["case_status"]
        is coderules.CaseStatus.EXCLUDED
    )


@pytest.mark.django_db
def test_a_bulk_recompute_by_id_span_gives_the_same_codes_as_one_by_id_list(
    person_factory: Any, officer_a: Any, epi: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from apps.codes import facts as facts_module
    from apps.codes.models import HealthCode
    from apps.codes.services import codes_recompute

    people = [person_factory(actor=officer_a) for _ in range(7)]
    services.case_report(actor=epi, person=people[1], status=CaseStatus.SUSPECTED)
    confirmed = services.case_report(actor=epi, person=people[4], status=CaseStatus.SUSPECTED)
    services.case_transition(actor=epi, case=confirmed, to=CaseStatus.CONFIRMED)
    now = timezone.now()
    Contact.objects.create(
        case=confirmed,
        person=people[5],
        degree=1,
        status="confirmed",
        first_exposed_at=now,
        last_exposed_at=now - dt.timedelta(days=2),
    )
    monkeypatch.setattr(facts_module, "CHUNK", 3)  # several spans, each with rows of its neighbours around it
    seen: list[PersonChunk] = []
    facts_module.register(seen_chunks := lambda chunk: seen.append(chunk) or {})
    try:
        codes_recompute()
    finally:
        facts_module.unregister(seen_chunks)
    assert seen and all(c.span is not None and len(c.rows) <= 3 for c in seen)

    def codes() -> dict[int, tuple[str, list[str]]]:
        return {
            pid: (colour, [r["code"] for r in reasons])
            for pid, colour, reasons in HealthCode.objects.values_list("person_id", "colour", "reasons")
        }

    by_span = codes()
    HealthCode.objects.all().delete()
    codes_recompute(person_ids=[p.pk for p in people])
    assert codes() == by_span
    assert [by_span[p.pk][0] for p in people] == ["green", "red", "green", "green", "red", "red", "green"]

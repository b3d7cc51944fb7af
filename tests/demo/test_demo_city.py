"""The demo city is deterministic, consistent and idempotent."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from apps.accounts.models import User
from apps.people.models import Household, Person
from apps.people.services import person_plain

pytestmark = pytest.mark.django_db


def _run(**kwargs) -> str:
    out = io.StringIO()
    call_command("demo_city", persons=600, seed=7, no_progress=True, only=["areas", "persons", "users"], stdout=out,
                 **kwargs)
    return out.getvalue()


def test_it_generates_persons_with_consistent_ids_and_users():
    output = _run()
    persons = Person.objects.filter(doc_type="resident_id")
    assert 550 <= persons.count() <= 605
    for person in persons[:200]:
        plain = person_plain(person)
        assert plain["doc_number"][:6] == person.area_id[:6]  # ID prefix matches the residence district
        assert plain["doc_number"][6:14] == person.birth_date.strftime("%Y%m%d")
    assert Household.objects.count() > 100
    assert "officer_a" in output and "demo-officer_a-2020" in output
    assert User.objects.filter(username="officer_b", grants__area_id="990102").exists()


def test_running_it_twice_duplicates_nothing():
    _run()
    counts = (Person.objects.count(), Household.objects.count(), User.objects.count())
    output = _run()
    assert (Person.objects.count(), Household.objects.count(), User.objects.count()) == counts
    assert "skipped" in output


def test_the_same_seed_gives_the_same_city():
    _run()
    first = sorted(Person.objects.values_list("dedup_key", flat=True))
    _run(force=True)
    assert sorted(Person.objects.values_list("dedup_key", flat=True)) == first

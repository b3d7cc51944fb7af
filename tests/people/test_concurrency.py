"""Concurrent writers never duplicate a person or lose an update (PostgreSQL: real parallel transactions)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from apps.common.errors import Conflict
from apps.people.models import Person
from apps.people.services import person_create, person_update, persons_import
from tests.factories import COMMUNITY_A, resident_id

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="SQLite has one writer at a time; the race needs PostgreSQL's parallel transactions"),
]


def _parallel(*calls):
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test inspects
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_registrations_of_one_id_number_make_one_person(officer_a):
    data = {"name": "并发", "doc_number": resident_id(COMMUNITY_A), "area_code": COMMUNITY_A}
    results = _parallel(*[lambda: person_create(actor=officer_a, data=data)] * 4)
    assert sum(isinstance(r, Person) for r in results) == 1
    assert all(isinstance(r, (Person, Conflict)) for r in results), results
    assert Person.objects.count() == 1


def test_the_same_file_imported_twice_at_once_is_stored_once(officer_a):
    rows = "".join(f"人{i},{resident_id(COMMUNITY_A)},{COMMUNITY_A}\n" for i in range(50))
    data = ("姓名,身份证号,社区代码\n" + rows).encode()
    batches = _parallel(*[lambda: persons_import(actor=officer_a, data=data, filename="p.csv")] * 3)
    assert Person.objects.count() == 50
    assert sum(b.created_rows for b in batches) == 50


def test_parallel_changes_to_different_fields_are_both_kept(officer_a, person_factory):
    person = person_factory(actor=officer_a, phone="13800000001", address="旧地址")
    _parallel(lambda: person_update(actor=officer_a, person=person, data={"phone": "13900000002"}),
              lambda: person_update(actor=officer_a, person=person, data={"address": "新地址"}))
    from apps.people.services import person_plain

    plain = person_plain(Person.objects.get(pk=person.pk))
    assert (plain["phone"], plain["address"]) == ("13900000002", "新地址")

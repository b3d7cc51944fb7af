"""Many allocators at once on PostgreSQL (real parallel transactions): one room, exactly one winner."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from apps.common.errors import Conflict
from apps.quarantine import services
from apps.quarantine.models import Allocation, Room, Site

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite has one writer at a time; the race needs PostgreSQL's parallel transactions",
    ),
]


def _parallel(*calls: Any) -> list[object]:
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i: int, call: Any) -> None:
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


def test_twelve_allocators_one_room_exactly_one_wins(
    person_factory: Any, officer_a: Any, manager_a: Any, make_stay: Any
) -> None:
    site = Site.objects.create(name="并发酒店", area_id="990101")
    room = Room.objects.create(site=site, number="101", floor=1, beds=2)
    stays = [make_stay(person_factory(actor=officer_a)) for _ in range(12)]
    results = _parallel(
        *[lambda s=s: services.allocate(actor=manager_a, stays=[s], room=room) for s in stays]
    )
    winners = [r for r in results if isinstance(r, list)]
    assert len(winners) == 1, results
    assert all(isinstance(r, list | Conflict) for r in results), results
    assert Allocation.objects.filter(room=room, ended_at__isnull=True).count() == 1


def test_twelve_allocators_many_rooms_never_share_a_bed(
    person_factory: Any, officer_a: Any, manager_a: Any, make_stay: Any
) -> None:
    site = Site.objects.create(name="并发酒店二", area_id="990101")
    rooms = [Room.objects.create(site=site, number=str(n), floor=1) for n in range(4)]
    stays = [make_stay(person_factory(actor=officer_a)) for _ in range(12)]
    calls = [
        lambda s=s, i=i: services.allocate(actor=manager_a, stays=[s], room=rooms[i % 4])
        for i, s in enumerate(stays)
    ]
    results = _parallel(*calls)
    assert sum(isinstance(r, list) for r in results) == 4
    open_bookings = list(Allocation.objects.filter(ended_at__isnull=True).values_list("room_id", "bed"))
    assert len(open_bookings) == len(set(open_bookings)) == 4

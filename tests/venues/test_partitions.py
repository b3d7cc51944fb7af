"""Scans partitioned by local day on PostgreSQL: where rows land, partitions made ahead, whole days purged."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from apps.venues import partitions
from apps.venues.models import Scan, ScanAggregate, Venue
from apps.venues.services import scans_ingest, scans_purge, venue_create
from tests.factories import COMMUNITY_A, DISTRICT_A

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite keeps one plain scan table"
)


@pytest.fixture
def venue(officer_a: Any) -> Venue:
    return venue_create(
        actor=officer_a, data={"name": "东门超市", "category": "supermarket", "area_code": COMMUNITY_A}
    )


@pytest.fixture
def upload(make_user: Any, venue: Venue, person_factory: Any, officer_a: Any) -> Any:
    guard = make_user("checkpoint_operator", DISTRICT_A, username="guard")
    person = person_factory(actor=officer_a)

    def send(*times: dt.datetime) -> list[str]:
        ids = [uuid.uuid4().hex for _ in times]
        batch = [
            {
                "client_id": cid,
                "venue": venue.pk,
                "person": person.pk,
                "scanned_at": t.isoformat(),
                "colour": "green",
            }
            for cid, t in zip(ids, times, strict=True)
        ]
        assert scans_ingest(actor=guard, scans=batch).accepted == len(batch)
        assert scans_ingest(actor=guard, scans=batch).duplicates == len(batch)  # a retry adds nothing
        return ids

    return send


def _day(days_ago: int, hour: int = 10) -> dt.datetime:
    local = timezone.localdate() - dt.timedelta(days=days_ago)
    return dt.datetime.combine(local, dt.time(hour), tzinfo=timezone.get_current_timezone())


@pytest.mark.django_db
def test_a_client_id_is_stored_once_per_device_whatever_the_time(upload: Any, venue: Venue) -> None:
    # The partitioned table cannot hold a unique key without the time; the key table holds it instead.
    guard = Scan.objects.get(client_id=upload(_day(1))[0]).operator
    first = Scan.objects.get()
    moved = {"client_id": first.client_id, "venue": venue.pk, "person": first.person_id,
             "scanned_at": _day(2, 9).isoformat(), "colour": "green"}
    again = scans_ingest(actor=guard, scans=[moved])
    assert (again.accepted, again.duplicates) == (0, 1)
    assert Scan.objects.count() == 1


@on_postgresql
@pytest.mark.django_db
def test_the_table_is_partitioned_by_local_day_from_a_month_back_to_a_week_ahead() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE relname = 'venues_scan'")
        assert cursor.fetchone()[0] == "p"
    # The migration made a week ahead of the day the test database was made, which is yesterday when the suite
    # crosses midnight; the daily job (ensure_ahead) keeps the week ahead of today.
    made = partitions.ensure_ahead()
    today = timezone.localdate()
    assert made in ([], [today + dt.timedelta(days=7)])
    days = partitions.partition_days()
    assert days[0] <= today - dt.timedelta(days=28) and days[-1] == today + dt.timedelta(days=7)
    assert all((b - a).days == 1 for a, b in zip(days, days[1:], strict=False))
    assert partitions.ensure_ahead() == []  # already there: nothing made twice


@on_postgresql
@pytest.mark.django_db
def test_scans_land_in_their_days_partition_and_strays_in_the_default(upload: Any) -> None:
    late_evening = _day(1, hour=23)  # 23:00 Shanghai is 15:00 UTC: the local day decides
    # Today's scan at local midnight: any later hour could still lie in the future when the suite runs.
    today, yesterday, long_ago = upload(_day(0, hour=0), late_evening, _day(60))
    assert partitions.where_is(today) == f"venues_scan_{timezone.localdate():%Y%m%d}"
    assert partitions.where_is(yesterday) == f"venues_scan_{late_evening.date():%Y%m%d}"
    assert partitions.where_is(long_ago) == partitions.DEFAULT
    # Making that day's partition later moves its rows out of the default.
    assert partitions.ensure_days(_day(60).date(), _day(60).date()) == [_day(60).date()]
    assert partitions.where_is(long_ago) == f"venues_scan_{_day(60).date():%Y%m%d}"
    assert Scan.objects.count() == 3


@on_postgresql
@pytest.mark.django_db
def test_the_purge_drops_whole_old_days_and_deletes_the_rest_before_the_cutoff(upload: Any) -> None:
    now = _day(0, hour=12)
    upload(_day(60), _day(31), _day(30), _day(28, hour=9), _day(28, hour=15), _day(2))
    log = scans_purge(now=now)  # cutoff: 28 days ago at 12:00
    assert log.deleted == 4
    days = partitions.partition_days()
    assert days[0] == _day(28).date()  # the day that straddles the cutoff stays, minus its morning
    assert sorted(Scan.objects.values_list("scanned_at", flat=True)) == [_day(28, hour=15), _day(2)]
    assert sum(ScanAggregate.objects.values_list("scans", flat=True)) == 4
    assert scans_purge(now=now).deleted == 0

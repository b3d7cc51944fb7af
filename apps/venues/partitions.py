"""Scans partitioned by local day on PostgreSQL (architecture.md: 30 M scans a day at peak, kept 28 days).

The table ``venues_scan`` is ``PARTITION BY RANGE (scanned_at)`` with one partition per day in the city's time
zone (``venues_scan_YYYYMMDD``) and a DEFAULT partition for anything outside them, so an insert never fails
for want of a partition. The scheduler creates the coming days ahead; the purge drops whole days instead of
deleting rows. SQLite keeps one plain table: these functions do nothing there.

PostgreSQL requires the partition key in every unique constraint: the primary key is (id, scanned_at), and the
idempotency key (one client id per device, whatever the time) lives in the plain table ``venues_scankey``
(``ScanKey``). A foreign key to a partitioned table would need the partition key too, so ``Alert.scan`` is a
plain column (alerts keep their own copy of the scan).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

TABLE = "venues_scan"
DEFAULT = f"{TABLE}_default"
AHEAD_DAYS = 7
_NAME = re.compile(rf"^{TABLE}_(\d{{8}})$")


def enabled() -> bool:
    return connection.vendor == "postgresql"


def _bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)


def partition_days() -> list[dt.date]:
    """The days that have their own partition, oldest first."""
    if not enabled():
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s",
            [TABLE],
        )
        names = [row[0] for row in cursor.fetchall()]
    return sorted(dt.datetime.strptime(m.group(1), "%Y%m%d").date() for n in names if (m := _NAME.match(n)))


def ensure_days(first: dt.date, last: dt.date) -> list[dt.date]:
    """Create the partitions of these days (inclusive) that are missing; returns the days created.

    Rows of such a day that already sit in the DEFAULT partition move into the new one in the same transaction.
    """
    if not enabled() or last < first:
        return []
    have = set(partition_days())
    created = []
    day = first
    while day <= last:
        if day not in have:
            _create_day(day)
            created.append(day)
        day += dt.timedelta(days=1)
    return created


@transaction.atomic
def _create_day(day: dt.date) -> None:
    name = f"{TABLE}_{day:%Y%m%d}"
    start, end = _bounds(day)
    with connection.cursor() as cursor:
        # Attaching validates the DEFAULT partition holds no row of the range: move them first, under a lock
        # that keeps concurrent inserts out until the new partition is in place.
        cursor.execute(f"LOCK TABLE {DEFAULT} IN ACCESS EXCLUSIVE MODE")
        cursor.execute(f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS)")
        cursor.execute(
            f"WITH moved AS (DELETE FROM {DEFAULT} WHERE scanned_at >= %s AND scanned_at < %s RETURNING *) "
            f"INSERT INTO {name} SELECT * FROM moved",
            [start, end],
        )
        cursor.execute(
            f"ALTER TABLE {TABLE} ATTACH PARTITION {name} "
            f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"  # our own dates, not input
        )


def ensure_ahead(today: dt.date | None = None, days: int = AHEAD_DAYS) -> list[dt.date]:
    """Partitions for today and the coming days (the scheduler's daily job)."""
    today = today or timezone.localdate()
    return ensure_days(today, today + dt.timedelta(days=days))


def drop_days_before(cutoff: dt.datetime) -> list[dt.date]:
    """Drop the partitions that end at or before ``cutoff`` (their rows are older than it); returns their days."""
    days = [day for day in partition_days() if _bounds(day)[1] <= cutoff]
    if days:
        with connection.cursor() as cursor:
            # Deferred foreign-key checks of rows written earlier in this transaction would block the drop.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for day in days:
                cursor.execute(f"DROP TABLE {TABLE}_{day:%Y%m%d}")
    return days


def where_is(client_id: str) -> Any:
    """The partition holding a scan (for tests and for the curious operator)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {TABLE} WHERE client_id = %s", [client_id])
        row = cursor.fetchone()
    return row[0] if row else None

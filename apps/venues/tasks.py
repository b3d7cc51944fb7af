"""Scheduled work of the venues app."""

from __future__ import annotations

from django_tasks import task


@task()
def purge_old_scans() -> int:
    """Daily: scans past the retention period go, their per-venue daily counts stay."""
    from apps.venues.services import scans_purge

    return scans_purge().deleted


@task()
def ensure_scan_partitions() -> int:
    """Daily on PostgreSQL: the partitions of today and the coming week exist before their scans arrive."""
    from apps.venues.partitions import ensure_ahead

    return len(ensure_ahead())

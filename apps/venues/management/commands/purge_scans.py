"""Purge scans older than the retention period, keeping per-venue daily counts."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from apps.venues.services import retention_days, scans_purge


class Command(BaseCommand):
    help = "Delete scans older than TONGCHOU_SCAN_RETENTION_DAYS (default 28), keeping aggregate counts."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--days", type=int, default=None, help=f"retention in days (default {retention_days()})"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        log = scans_purge(days=options["days"])
        self.stdout.write(f"purged {log.deleted} scans before {log.cutoff:%Y-%m-%d %H:%M} UTC")

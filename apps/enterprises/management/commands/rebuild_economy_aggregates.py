"""`manage.py rebuild_economy_aggregates`: recount the dashboard's counters from the registry and history."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from apps.enterprises.aggregates import aggregates_rebuild


class Command(BaseCommand):
    help = (
        "Recount resumption cells, curve days and reason cells (after bulk loads or manual database edits)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = aggregates_rebuild()
        self.stdout.write(
            f"rebuilt {counts['cells']} resumption cells, {counts['days']} curve days, {counts['reasons']} reason cells"
        )

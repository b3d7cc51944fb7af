"""`risk_recompute [--day YYYY-MM-DD]`: recompute clusters and district risk levels (run daily from cron)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from apps.cases.services import clusters_recompute
from apps.epi.services import risk_recompute


class Command(BaseCommand):
    help = "Recompute clusters and every district's risk level (低/中/高风险) with its reason."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--day", type=dt.date.fromisoformat, default=None, help="local day (default today)"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        clusters = clusters_recompute()
        levels = risk_recompute(today=opts["day"])
        for code, row in sorted(levels.items()):
            self.stdout.write(f"{code} {row.level:<6} {row.reason_en}")
        self.stdout.write(self.style.SUCCESS(f"{clusters} clusters, {len(levels)} districts assessed"))

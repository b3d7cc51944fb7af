"""`demo_city --persons N --seed S`: generate the deterministic synthetic city (idempotent)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from apps.demo import generator


class Command(BaseCommand):
    help = "Generate the synthetic demo city: areas, persons, demo users and what later steps add."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--persons", type=int, default=20_000)
        parser.add_argument("--seed", type=int, default=2020)
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None,
                            help="the date the city is generated for (YYYY-MM-DD); default today")
        parser.add_argument("--only", nargs="*", default=None, help="run only these steps")
        parser.add_argument("--force", action="store_true", help="run steps again even if already generated")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        started = time.perf_counter()
        ctx = generator.DemoContext(
            seed=opts["seed"],
            persons=opts["persons"],
            today=opts["today"] or dt.date.today(),
            out=self.stdout.write,
            progress=not opts["no_progress"],
        )
        generator.run(ctx, only=set(opts["only"]) if opts["only"] else None, force=opts["force"])
        if connection.vendor == "postgresql":
            # The planner's statistics after the bulk load, without waiting for autovacuum.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(self.style.SUCCESS(f"demo city ready in {time.perf_counter() - started:.1f} s"))

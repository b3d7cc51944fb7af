"""Recompute every person's health code (or some), with a progress bar and a summary."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from tqdm import tqdm

from apps.codes.services import codes_recompute
from apps.people.models import Person


class Command(BaseCommand):
    help = "Recompute health codes for the whole population (or --person ids); writes only rows that changed."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--person", type=int, action="append", help="a person id (repeatable)")

    def handle(self, *args: Any, **options: Any) -> None:
        ids = options.get("person")
        total = len(ids) if ids else Person.objects.filter(merged_into__isnull=True).count()
        started = time.perf_counter()
        with tqdm(total=total, unit="persons", disable=options["verbosity"] == 0) as bar:
            stats = codes_recompute(person_ids=ids, progress=bar.update)
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"{stats.persons} persons, {stats.written} codes written, {stats.non_green} not green, {seconds:.1f} s"
        )

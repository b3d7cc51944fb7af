"""`trace_case <case id> [...]`: run contact tracing for cases now and print what was found."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.cases.models import Case
from apps.cases.tracing import trace_case


class Command(BaseCommand):
    help = "Trace close and secondary contacts of the given cases (suggestions for the epidemiologists)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("case_ids", nargs="+", type=int)

    def handle(self, *args: Any, **opts: Any) -> None:
        for pk in opts["case_ids"]:
            case = Case.objects.filter(pk=pk).first()
            if case is None:
                raise CommandError(f"no case {pk}")
            found = trace_case(case)
            self.stdout.write(f"case {pk}: {found['close']} close, {found['secondary']} secondary contacts")

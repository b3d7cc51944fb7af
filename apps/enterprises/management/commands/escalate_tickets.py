"""`manage.py escalate_tickets`: escalate overdue hotline tickets now, or enqueue the background job."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from apps.enterprises.hotline import tickets_escalate
from apps.enterprises.tasks import escalate_overdue_tickets


class Command(BaseCommand):
    help = "Escalate overdue enterprise-hotline tickets to the department head, then the headquarters."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enqueue", action="store_true", help="hand the work to the task worker instead")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = escalate_overdue_tickets.enqueue()
            self.stdout.write(f"enqueued escalation job {result.id}")
            return
        counts = tickets_escalate()
        self.stdout.write(
            f"escalated {counts['department_head']} to department heads, {counts['headquarters']} to headquarters"
        )

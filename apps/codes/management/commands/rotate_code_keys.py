"""Rotate the health-code signing key: a new key signs from now on, old ones keep verifying until codes expire."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from apps.accounts.audit import audit_record
from apps.accounts.choices import AuditAction
from apps.codes.keys import key_rotate


class Command(BaseCommand):
    help = "Create a new code signing key and retire the current one."

    def handle(self, *args: Any, **options: Any) -> None:
        row = key_rotate()
        audit_record(actor=None, action=AuditAction.KEY_ROTATE, obj=row, object_repr=f"signing key {row.kid}")
        self.stdout.write(
            f"new signing key {row.kid}; earlier keys retired (their codes verify until they expire)"
        )

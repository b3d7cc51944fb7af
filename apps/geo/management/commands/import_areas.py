"""`manage.py import_areas FILE`: load a GB/T 2260-style area list (CSV/XLSX); prints every rejected row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.common.errors import ServiceError
from apps.geo.services import areas_import


class Command(BaseCommand):
    help = "Import administrative areas (columns 区划代码/code, 名称/name_zh, 英文名称/name_en, 边界/boundary)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            report = areas_import(data=file.read_bytes(), filename=file.name)
        except (OSError, ServiceError) as exc:
            raise CommandError(str(exc)) from exc
        for error in report.errors:
            self.stderr.write(f"line {error['line']}: {error['field']}: {error['message']}")
        self.stdout.write(f"{report.saved_rows} of {report.total_rows} rows saved, {len(report.errors)} rejected")

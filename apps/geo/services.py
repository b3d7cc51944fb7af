"""Writes of the geo app: upsert areas, and import them from CSV/XLSX with a per-row error report."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from apps.accounts.audit import audit_record
from apps.accounts.choices import AuditAction, Perm
from apps.accounts.models import User
from apps.accounts.scoping import has_perm_at
from apps.common.errors import ValidationFailed
from apps.geo.models import Area
from core import geocodes, tabular
from core.geometry import GeometryError, boundary_rings

AREA_ALIASES = {
    "code": ("区划代码", "代码"),
    "name_zh": ("名称", "中文名称", "name"),
    "name_en": ("英文名称", "english name"),
    "parent_code": ("上级代码", "parent"),
    "boundary": ("边界", "geojson"),
}


@dataclass
class AreaImportReport:
    total_rows: int = 0
    saved_rows: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)


@transaction.atomic
def areas_upsert(rows: Iterable[Mapping[str, Any]]) -> int:
    """Create or update areas from clean dicts (code, name_zh, name_en, boundary); parents come first."""
    items = sorted(rows, key=lambda r: (len(r["code"]), r["code"]))
    existing = set(Area.objects.filter(code__in=[r["code"] for r in items]).values_list("code", flat=True))
    new = [
        Area(code=r["code"], level=geocodes.level_of(r["code"]), parent_id=geocodes.parent_code(r["code"]),
             name_zh=r["name_zh"], name_en=r.get("name_en", ""), boundary=r.get("boundary"))
        for r in items if r["code"] not in existing
    ]
    # Parents before children, so the foreign key always points at a row that exists.
    for level in sorted({a.level for a in new}):
        Area.objects.bulk_create([a for a in new if a.level == level], batch_size=2000)
    for r in items:
        if r["code"] in existing:
            Area.objects.filter(code=r["code"]).update(
                name_zh=r["name_zh"], name_en=r.get("name_en", ""), boundary=r.get("boundary")
            )
    return len(items)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a coordinate")


def areas_import(*, data: bytes, filename: str, actor: User | None = None,
                 request: HttpRequest | None = None) -> AreaImportReport:
    """Import areas from CSV/XLSX; every bad row is reported with its line; with an actor, only areas inside the
    actor's area-management grants are accepted, and the import is audited."""
    try:
        header, rows = tabular.read_table(data, filename)
        columns = tabular.resolve_mapping(header, AREA_ALIASES)
    except tabular.TableError as exc:
        raise ValidationFailed("bad_file", str(exc)) from None
    if "code" not in columns or "name_zh" not in columns:
        raise ValidationFailed("missing_columns", "the file needs at least the columns code and name_zh")
    report = AreaImportReport()
    known = set(Area.objects.values_list("code", flat=True))
    clean: list[dict[str, Any]] = []
    parsed = [(row.line, tabular.remap(row, columns)) for row in rows]
    file_codes = {v["code"].strip() for _, v in parsed}
    for line, values in parsed:
        report.total_rows += 1
        code = values["code"].strip()
        try:
            geocodes.level_of(code)
        except geocodes.AreaCodeError as exc:
            report.errors.append({"line": line, "field": "code", "message": str(exc)})
            continue
        parent = geocodes.parent_code(code)
        given_parent = values.get("parent_code", "").strip()
        if given_parent and given_parent != parent:
            report.errors.append({"line": line, "field": "parent_code",
                                  "message": f"the parent of {code} is {parent}, not {given_parent}"})
            continue
        if parent and parent not in known and parent not in file_codes:
            report.errors.append({"line": line, "field": "code", "message": f"unknown parent area {parent}"})
            continue
        if actor is not None and not has_perm_at(actor, Perm.AREA_MANAGE, code):
            report.errors.append({"line": line, "field": "code", "message": f"{code} lies outside your jurisdiction"})
            continue
        if not values["name_zh"].strip():
            report.errors.append({"line": line, "field": "name_zh", "message": "name is required"})
            continue
        boundary = None
        if values.get("boundary", "").strip():
            try:
                boundary = json.loads(values["boundary"], parse_constant=_no_constant)
                boundary_rings(boundary)
            except (ValueError, RecursionError) as exc:
                message = str(exc) if isinstance(exc, GeometryError) else "boundary must be GeoJSON"
                report.errors.append({"line": line, "field": "boundary", "message": message})
                continue
        clean.append({"code": code, "name_zh": values["name_zh"].strip(),
                      "name_en": values.get("name_en", "").strip(), "boundary": boundary})
    # A child whose parent row was rejected cannot be saved either: report it instead of failing.
    accepted = known | {c["code"] for c in clean}
    for item in sorted(clean, key=lambda c: len(c["code"])):  # parents first, so a rejection cascades down
        parent = geocodes.parent_code(item["code"])
        if parent and parent not in accepted:
            clean.remove(item)
            accepted.discard(item["code"])
            report.errors.append({"line": next(line for line, v in parsed if v["code"].strip() == item["code"]),
                                  "field": "code", "message": f"its parent {parent} was rejected"})
    report.saved_rows = areas_upsert(clean)
    report.errors.sort(key=lambda e: e["line"])
    if actor is not None:
        audit_record(actor=actor, action=AuditAction.IMPORT, object_type="geo.area", object_repr=filename[:200],
                     after={"saved": report.saved_rows, "errors": len(report.errors)}, request=request)
    return report

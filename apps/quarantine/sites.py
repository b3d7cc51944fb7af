"""Sites and rooms: created one by one or imported from a CSV/XLSX file (one row per room, the site named on
each row); every bad row is reported with its line, field and reason, good rows are kept, re-import is
idempotent (a site is its area and name, a room its site and number)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from apps.accounts.audit import audit_record
from apps.accounts.choices import QUARANTINE_SITES, AuditAction
from apps.accounts.models import User
from apps.common.errors import ValidationFailed
from apps.geo.models import Area
from apps.quarantine.choices import RoomType, SiteKind
from apps.quarantine.models import Room, Site
from apps.quarantine.services import _require
from core.tabular import TableError, read_table, remap, resolve_mapping

ROOM_ALIASES: dict[str, list[str]] = {
    "site": ["site", "site_name", "隔离点", "酒店", "隔离点名称"],
    "site_kind": ["site_kind", "类型", "隔离点类型"],
    "area_code": ["area_code", "area", "区划代码", "所属区域"],
    "address": ["address", "地址"],
    "room": ["room", "number", "房间号", "房号"],
    "floor": ["floor", "楼层"],
    "room_type": ["room_type", "房型"],
    "beds": ["beds", "床位", "床位数"],
}
_TYPE_WORDS = {"单人间": "single", "双人间": "double", "家庭房": "family", "无障碍": "accessible"}
_KIND_WORDS = {"酒店": "hotel", "宿舍": "dormitory", "其他": "other"}


@dataclass
class RoomImportReport:
    total_rows: int = 0
    sites_created: int = 0
    rooms_created: int = 0
    rooms_existing: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)


@transaction.atomic
def site_create(*, actor: User, data: Mapping[str, Any], request: HttpRequest | None = None) -> Site:
    name, area_code = str(data.get("name") or "").strip(), str(data.get("area_code") or "").strip()
    kind = str(data.get("kind") or SiteKind.HOTEL)
    problems = []
    if not 1 <= len(name) <= 120:
        problems.append({"field": "name", "message": "required, at most 120 characters"})
    if kind not in SiteKind.values:
        problems.append({"field": "kind", "message": "hotel, dormitory or other"})
    if not Area.objects.filter(code=area_code).exists():
        problems.append({"field": "area_code", "message": "no such area"})
    if problems:
        raise ValidationFailed("invalid_site", "the site is not valid", problems)
    _require(actor, QUARANTINE_SITES, area_code)
    site, created = Site.objects.get_or_create(
        area_id=area_code,
        name=name,
        defaults={
            "kind": kind,
            "address": str(data.get("address") or "")[:200],
            "phone": str(data.get("phone") or "")[:32],
        },
    )
    if created:
        audit_record(actor=actor, action=AuditAction.CREATE, obj=site, request=request)
    return site


def _room_row(raw: Mapping[str, str]) -> tuple[dict[str, Any], list[dict[str, str]]]:
    problems: list[dict[str, str]] = []
    site = (raw.get("site") or "").strip()
    if not 1 <= len(site) <= 120:
        problems.append({"field": "site", "message": "required, at most 120 characters"})
    number = (raw.get("room") or "").strip()
    if not 1 <= len(number) <= 16:
        problems.append({"field": "room", "message": "required, at most 16 characters"})
    try:
        floor = int((raw.get("floor") or "").strip())
        if not -5 <= floor <= 200:
            raise ValueError
    except ValueError:
        floor = 0
        problems.append({"field": "floor", "message": "a whole number from -5 to 200"})
    try:
        beds = int((raw.get("beds") or "1").strip() or "1")
        if not 1 <= beds <= 12:
            raise ValueError
    except ValueError:
        beds = 0
        problems.append({"field": "beds", "message": "a whole number from 1 to 12"})
    room_type = (raw.get("room_type") or "single").strip()
    room_type = _TYPE_WORDS.get(room_type, room_type.lower())
    if room_type not in RoomType.values:
        problems.append({"field": "room_type", "message": "single, double, family or accessible"})
    kind = (raw.get("site_kind") or "hotel").strip()
    kind = _KIND_WORDS.get(kind, kind.lower())
    if kind not in SiteKind.values:
        problems.append({"field": "site_kind", "message": "hotel, dormitory or other"})
    row = {
        "site": site,
        "kind": kind,
        "area_code": (raw.get("area_code") or "").strip(),
        "address": (raw.get("address") or "").strip()[:200],
        "number": number,
        "floor": floor,
        "beds": beds,
        "type": room_type,
    }
    return row, problems


@transaction.atomic
def rooms_import(
    *, actor: User, data: bytes, filename: str, request: HttpRequest | None = None
) -> RoomImportReport:
    """Import sites and rooms from a table; the user needs quarantine.sites at each row's area."""
    from apps.accounts.scoping import has_perm_at

    try:
        header, rows = read_table(data, filename)
    except TableError as exc:
        raise ValidationFailed("invalid_file", str(exc)) from None
    mapping = resolve_mapping(header, ROOM_ALIASES)
    missing = [f for f in ("site", "area_code", "room", "floor") if f not in mapping]
    if missing:
        raise ValidationFailed(
            "missing_columns",
            "the file needs site, area_code, room and floor columns",
            [{"field": f} for f in missing],
        )
    report = RoomImportReport()
    areas = set(Area.objects.values_list("code", flat=True))
    sites: dict[tuple[str, str], Site] = {}
    for row in rows:
        report.total_rows += 1
        values, problems = _room_row(remap(row, mapping))
        if values["area_code"] not in areas:
            problems.append({"field": "area_code", "message": "no such area"})
        elif not has_perm_at(actor, QUARANTINE_SITES, values["area_code"]):
            problems.append({"field": "area_code", "message": "outside your jurisdiction"})
        if problems:
            report.errors.append({"line": row.line, "problems": problems})
            continue
        key = (values["area_code"], values["site"])
        if key not in sites:
            sites[key], created = Site.objects.get_or_create(
                area_id=key[0], name=key[1], defaults={"kind": values["kind"], "address": values["address"]}
            )
            report.sites_created += created
        _, created = Room.objects.get_or_create(
            site=sites[key],
            number=values["number"],
            defaults={"floor": values["floor"], "beds": values["beds"], "type": values["type"]},
        )
        if created:
            report.rooms_created += 1
        else:
            report.rooms_existing += 1
    audit_record(
        actor=actor,
        action=AuditAction.IMPORT,
        object_type="quarantine.room",
        object_repr=f"rooms {filename}"[:200],
        request=request,
        after={"created": report.rooms_created, "errors": len(report.errors)},
    )
    return report

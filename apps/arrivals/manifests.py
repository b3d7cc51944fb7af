"""Passenger manifests (flight or train) into travellers: column mapping, bad rows reported, matched by document.

A manifest row is a passenger: name, document type and number, nationality, seat (flight) or carriage
(train), destination area code and address, phone. Good rows are kept whatever the bad ones; the
passenger is matched to the person registry by the keyed hash of the document (``pii.doc_key``), a
missing person is created, the seat or carriage goes to ``cases.TripPassenger`` (where contact tracing
reads it) and the passenger becomes a traveller at the loop's first stage. Importing the same file
again creates nothing twice: the trip is unique by (mode, number, departure), a passenger by
(trip, person), a traveller by ``manifest:<trip>:<person>``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.accounts.audit import audit_record
from apps.accounts.choices import AuditAction, Perm
from apps.accounts.models import User
from apps.accounts.scoping import has_perm_at
from apps.arrivals.choices import OriginKind, OriginRisk, Stage, Transport
from apps.arrivals.models import ManifestImport, Traveller, TravellerEvent
from apps.arrivals.services import enter_stage
from apps.cases.models import Trip, TripPassenger
from apps.common.errors import ValidationFailed
from apps.geo.selectors import all_area_codes
from apps.people import pii
from apps.people.models import Person
from apps.people.services import person_columns
from core import tabular
from core.persons import DOC_TYPES, FieldError, clean_person

MANIFEST_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "passenger", "passenger name"),
    "doc_type": ("证件类型", "document type"),
    "doc_number": ("证件号码", "证件号", "document number", "passport"),
    "nationality": ("国籍", "country"),
    "seat": ("座位", "座位号", "seat no"),
    "carriage": ("车厢", "coach"),
    "destination": ("目的地", "目的地区划", "destination area", "area_code"),
    "address": ("目的地址", "地址", "destination address"),
    "phone": ("电话", "手机", "mobile"),
}
REQUIRED = ("name", "doc_number", "destination")
DOC_WORDS = {
    "护照": "passport",
    "身份证": "resident_id",
    "居民身份证": "resident_id",
    "港澳通行证": "hk_macao_permit",
    "台胞证": "taiwan_permit",
    "外国人居留证": "foreign_residence",
}
CHUNK = 2000


@dataclass(frozen=True)
class TripInfo:
    mode: str  # "flight" | "train"
    number: str
    departs_at: dt.datetime
    arrives_at: dt.datetime
    origin: str  # where it departs from, as printed
    origin_kind: str  # OriginKind
    origin_country: str = ""
    origin_risk: str = OriginRisk.LOW
    port_area_id: str = ""


def _trip_info_errors(info: TripInfo) -> list[dict[str, str]]:
    errors = []
    if info.mode not in (Transport.FLIGHT, Transport.TRAIN):
        errors.append({"field": "mode", "message": "flight or train"})
    if not info.number.strip() or len(info.number) > 16:
        errors.append({"field": "number", "message": "1 to 16 characters"})
    if info.origin_kind not in OriginKind.values:
        errors.append({"field": "origin_kind", "message": "abroad, domestic or province"})
    if info.origin_risk not in OriginRisk.values:
        errors.append({"field": "origin_risk", "message": "low, medium or high"})
    if info.arrives_at < info.departs_at:
        errors.append({"field": "arrives_at", "message": "arrival before departure"})
    return errors


def _clean_row(values: Mapping[str, str], area_codes: set[str], today: dt.date) -> Any:
    doc_type = values.get("doc_type", "").strip()
    doc_type = DOC_WORDS.get(doc_type, doc_type.lower()) or "passport"
    data = {
        "name": values.get("name", ""),
        "doc_type": doc_type,
        "doc_number": values.get("doc_number", "").strip().upper(),
        "nationality": values.get("nationality", ""),
        "phone": values.get("phone", ""),
        "address": values.get("address", ""),
        "area_code": values.get("destination", "").strip(),
    }
    if doc_type not in DOC_TYPES:
        return [FieldError("doc_type", "unknown", f"unknown document type {doc_type!r}")]
    if not data["doc_number"]:
        return [FieldError("doc_number", "required", "the document number is required")]
    return clean_person(data, area_codes=area_codes, today=today)


def manifest_import(
    *,
    actor: User,
    data: bytes,
    filename: str,
    trip: TripInfo,
    mapping: Mapping[str, str] | None = None,
) -> ManifestImport:
    """Import one manifest for one trip; returns the report. Raises ValidationFailed only for a file
    that is not a table, lacks a required column, or a trip description that is wrong."""
    if errors := _trip_info_errors(trip):
        raise ValidationFailed("invalid_trip", "the trip description has errors", errors)
    try:
        header, rows = tabular.read_table(data, filename)
        columns = tabular.resolve_mapping(header, MANIFEST_ALIASES, mapping)
    except tabular.TableError as exc:
        raise ValidationFailed("bad_file", str(exc)) from None
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        raise ValidationFailed(
            "missing_columns",
            "the file lacks columns: " + ", ".join(missing),
            [{"field": f} for f in missing],
        )
    area_codes, today = all_area_codes(), timezone.localdate()
    report_errors: list[dict[str, Any]] = []
    good: dict[str, tuple[int, Any, dict[str, str]]] = {}  # dedup key → (line, clean, raw)
    total = 0
    for row in rows:
        total += 1
        values = tabular.remap(row, columns)
        clean = _clean_row(values, area_codes, today)
        if isinstance(clean, list):
            report_errors.extend(
                {"line": row.line, "field": e.field, "code": e.code, "message": e.message} for e in clean
            )
            continue
        if not has_perm_at(actor, Perm.ARRIVAL_CHANGE, clean.area_code) and not has_perm_at(
            actor, Perm.ARRIVAL_CHANGE, trip.port_area_id
        ):
            report_errors.append(
                {
                    "line": row.line,
                    "field": "destination",
                    "code": "outside_jurisdiction",
                    "message": f"area {clean.area_code} lies outside your jurisdiction",
                }
            )
            continue
        key = pii.doc_key(clean.doc_type, clean.doc_number)
        if key in good:
            report_errors.append(
                {
                    "line": row.line,
                    "field": "doc_number",
                    "code": "repeated_in_file",
                    "message": f"the same document is already on line {good[key][0]}",
                }
            )
            continue
        good[key] = (row.line, clean, values)
    now = timezone.now()
    with transaction.atomic():
        trip_row, _ = Trip.objects.get_or_create(
            mode=trip.mode,
            number=trip.number.strip().upper(),
            departs_at=trip.departs_at,
            defaults={"origin": trip.origin[:64], "destination": trip.port_area_id},
        )
        persons = _match_or_create(good, now)
        batch = ManifestImport(
            trip=trip_row,
            filename=filename[:255],
            file_sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by=actor,
            port_area_id=trip.port_area_id,
            total_rows=total,
            errors=report_errors,
        )
        batch.persons_created = sum(1 for _, created in persons.values() if created)
        batch.matched = len(persons) - batch.persons_created
        passengers = []
        travellers = []
        for key, (_line, clean, values) in good.items():
            person_id = persons[key][0]
            seat = values.get("seat", "").strip().upper()[:8]
            carriage = values.get("carriage", "").strip()[:8]
            passengers.append(TripPassenger(trip=trip_row, person_id=person_id, seat=seat, carriage=carriage))
            traveller = Traveller(
                person_id=person_id,
                source_ref=f"manifest:{trip_row.pk}:{person_id}",
                origin_kind=trip.origin_kind,
                origin_country=trip.origin_country.upper()[:2],
                origin_area=trip.origin[:64],
                origin_risk=trip.origin_risk,
                transport=trip.mode,
                transport_no=trip_row.number,
                trip=trip_row,
                arrived_at=trip.arrives_at,
                port_area_id=trip.port_area_id,
                destination_area_id=clean.area_code,
            )
            enter_stage(traveller, Stage.TRANSPORT, trip.arrives_at)
            travellers.append(traveller)
        for start in range(0, len(passengers), CHUNK):
            TripPassenger.objects.bulk_create(passengers[start : start + CHUNK], ignore_conflicts=True)
        refs = [t.source_ref for t in travellers]
        known: set[str] = set()
        for start in range(0, len(refs), CHUNK):
            known.update(
                Traveller.objects.filter(source_ref__in=refs[start : start + CHUNK]).values_list(
                    "source_ref", flat=True
                )
            )
        fresh = [t for t in travellers if t.source_ref not in known]
        for start in range(0, len(fresh), CHUNK):
            Traveller.objects.bulk_create(fresh[start : start + CHUNK], ignore_conflicts=True)
        ids = {}
        fresh_refs = [t.source_ref for t in fresh]
        for start in range(0, len(fresh_refs), CHUNK):
            ids.update(
                Traveller.objects.filter(source_ref__in=fresh_refs[start : start + CHUNK]).values_list(
                    "source_ref", "pk"
                )
            )
        TravellerEvent.objects.bulk_create(
            [
                TravellerEvent(traveller_id=ids[t.source_ref], to_stage=Stage.TRANSPORT, at=now, actor=actor)
                for t in fresh
            ],
            batch_size=CHUNK,
        )
        batch.travellers_created = len(fresh)
        batch.save()
        audit_record(
            actor=actor,
            action=AuditAction.IMPORT,
            obj=batch,
            area_code=trip.port_area_id,
            after={
                "rows": total,
                "travellers": len(fresh),
                "bad": len({e["line"] for e in report_errors}),
            },
        )
    return batch


def _match_or_create(
    good: Mapping[str, tuple[int, Any, dict[str, str]]], now: dt.datetime
) -> dict[str, tuple[int, bool]]:
    """dedup key → (person id, created): found by the keyed document hash, or created in bulk."""
    keys = list(good)
    found: dict[str, int] = {}
    for start in range(0, len(keys), CHUNK):
        for key, pk, merged in Person.objects.filter(dedup_key__in=keys[start : start + CHUNK]).values_list(
            "dedup_key", "pk", "merged_into_id"
        ):
            found[key] = merged or pk
    new = [Person(**person_columns(good[key][1], now)) for key in keys if key not in found]
    for start in range(0, len(new), CHUNK):
        Person.objects.bulk_create(new[start : start + CHUNK], ignore_conflicts=True)
    created_keys = [p.dedup_key for p in new]
    result = {key: (pk, False) for key, pk in found.items()}
    for start in range(0, len(created_keys), CHUNK):
        for key, pk in Person.objects.filter(dedup_key__in=created_keys[start : start + CHUNK]).values_list(
            "dedup_key", "pk"
        ):
            result[key] = (pk, True)
    return result

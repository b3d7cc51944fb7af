"""Every write of the venues app: venues, batch scan ingest (idempotent by client id), alerts, retention purge."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from apps.accounts.audit import audit_record
from apps.accounts.choices import AuditAction, Perm
from apps.accounts.models import User
from apps.accounts.scoping import grant_prefixes, has_perm_at
from apps.common.apitypes import BIGINT_MAX, EARLIEST_DAY, latest_day
from apps.common.bulk import insert_ignoring_conflicts
from apps.common.errors import Forbidden, ValidationFailed
from apps.common.notify import notify_many, notify_resolved
from apps.geo.models import Area
from apps.people.models import Person
from apps.people.pii import person_refs
from apps.venues import partitions
from apps.venues.alerting import alert_notes, fever_threshold, scan_alert_kinds_for
from apps.venues.choices import AlertStatus, ScanRejection, VenueCategory, VenueStatus
from apps.venues.models import Alert, PurgeLog, Scan, ScanAggregate, ScanKey, Venue
from core import signing

MIN_TEMPERATURE, MAX_TEMPERATURE = Decimal("34.0"), Decimal("43.0")
CLOCK_SKEW = dt.timedelta(minutes=5)
VENUE_CODE_DAYS = 366
SCAN_COLUMNS = (
    "person_id",
    "venue_id",
    "scanned_at",
    "temperature",
    "colour",
    "device_id",
    "operator_id",
    "client_id",
    "received_at",
)


def retention_days() -> int:
    return int(getattr(settings, "TONGCHOU_SCAN_RETENTION_DAYS", 28))


# --------------------------------------------------------------------------- venues


@transaction.atomic
def venue_create(*, actor: User, data: Mapping[str, Any], request: HttpRequest | None = None) -> Venue:
    area = str(data.get("area_code", ""))
    errors = []
    if not str(data.get("name", "")).strip():
        errors.append({"field": "name", "message": "required"})
    if data.get("category") not in VenueCategory.values:
        errors.append({"field": "category", "message": "unknown category"})
    status = data.get("status") or VenueStatus.OPEN
    if status not in VenueStatus.values:
        errors.append({"field": "status", "message": "unknown status"})
    if errors:
        raise ValidationFailed("invalid_venue", "the venue is not valid", errors)
    if not has_perm_at(actor, Perm.VENUE_CHANGE, area):
        raise Forbidden("outside_jurisdiction", "this area is outside your jurisdiction")
    if not Area.objects.filter(code=area).exists():  # a code under the officer's area that names no area
        raise ValidationFailed(
            "invalid_venue", "the venue is not valid", [{"field": "area_code", "message": "no such area"}]
        )
    venue = Venue.objects.create(
        name=str(data["name"]).strip()[:200],
        category=data["category"],
        area_id=area,
        address=str(data.get("address", ""))[:300],
        capacity=data.get("capacity") or None,
        status=status,
        limit_percent=data.get("limit_percent") or None,
        lat=data.get("lat"),
        lon=data.get("lon"),
    )
    audit_record(actor=actor, action=AuditAction.CREATE, obj=venue, request=request)
    return venue


def venue_qr_text(*, venue: Venue, now: dt.datetime | None = None) -> str:
    """The venue's signed check-in code (场所码), valid a year; citizens scan it to record a visit."""
    from apps.codes.keys import current_key

    now = now or timezone.now()
    return signing.sign_code(
        current_key(),
        kind=signing.CodeKind.VENUE,
        ref=str(venue.ref),
        issued_at=now,
        expires_at=now + dt.timedelta(days=VENUE_CODE_DAYS),
    )


# --------------------------------------------------------------------------- scans


@dataclass
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    alerts: int = 0


def _reject(out: IngestResult, index: int, client_id: Any, code: ScanRejection, message: str = "") -> None:
    out.rejected.append(
        {"index": index, "client_id": client_id, "code": code.value, "message": message or str(code.label)}
    )


def _parse_time(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value)  # C speed; every ISO 8601 form a device sends
        except ValueError:
            try:
                parsed = parse_datetime(value)
            except ValueError:
                return None
            if parsed is None:
                return None
    else:
        return None
    if not EARLIEST_DAY <= parsed.date() <= latest_day():
        return None  # year 0001 or 9999: no device clock says that, and the database cannot shift it to UTC
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def scans_ingest(
    *,
    actor: User,
    scans: Sequence[Mapping[str, Any]],
    device_id: str = "",
    now: dt.datetime | None = None,
    citizen_person_id: int | None = None,
) -> IngestResult:
    """Store a device's batch: each scan is checked on its own, bad ones are reported, the rest are kept.

    A scan is ``{client_id, venue (ref or id), person (id) or code (QR text), scanned_at, temperature?, colour?}``.
    Client ids make retries safe: a scan already stored counts as a duplicate, never a second row.
    A citizen checking in with a venue code passes ``citizen_person_id`` instead of a person per scan.
    """
    now = now or timezone.now()
    out = IngestResult()
    keys = None
    # Each distinct venue text is parsed once per batch (a batch names a few venues thousands of times).
    venue_key_of: dict[str | int, int | uuid.UUID | None] = {}
    for item in scans:
        raw = item.get("venue") if isinstance(item, Mapping) else None
        if isinstance(raw, str | int) and raw not in venue_key_of:
            venue_key_of[raw] = _venue_key(raw)
    venue_keys = set(venue_key_of.values())
    venue_ids = {k for k in venue_keys if isinstance(k, int)}
    venue_refs = {k for k in venue_keys if isinstance(k, uuid.UUID)}
    venues: dict[int | uuid.UUID, tuple[int, str]] = {}
    if venue_refs or venue_ids:
        for pk, ref, area in Venue.objects.filter(Q(ref__in=venue_refs) | Q(pk__in=venue_ids)).values_list(
            "pk", "ref", "area_id"
        ):
            venues[pk] = venues[ref] = (pk, area)
    prefixes = tuple(grant_prefixes(actor, Perm.SCAN_UPLOAD)) if citizen_person_id is None else ("",)

    staged: list[tuple[int, dict[str, Any]]] = []
    person_ids: set[int] = set()
    seen_ids: set[str] = set()
    for index, item in enumerate(scans):
        if not isinstance(item, Mapping):
            _reject(out, index, None, ScanRejection.MALFORMED, "not an object")
            continue
        client_id = item.get("client_id")
        if not isinstance(client_id, str) or not 8 <= len(client_id) <= 64:
            _reject(out, index, client_id, ScanRejection.MALFORMED, "client_id must be 8 to 64 characters")
            continue
        if client_id in seen_ids:
            out.duplicates += 1
            continue
        seen_ids.add(client_id)
        raw = item.get("venue")
        key = venue_key_of.get(raw) if isinstance(raw, str | int) else None
        venue = venues.get(key) if key is not None else None
        if venue is None:
            _reject(out, index, client_id, ScanRejection.UNKNOWN_VENUE)
            continue
        if not venue[1].startswith(prefixes):
            _reject(out, index, client_id, ScanRejection.FORBIDDEN_VENUE)
            continue
        at = _parse_time(item.get("scanned_at"))
        if at is None:
            _reject(out, index, client_id, ScanRejection.MALFORMED, "scanned_at must be an ISO 8601 time")
            continue
        if at > now + CLOCK_SKEW:
            _reject(out, index, client_id, ScanRejection.TIME_IN_FUTURE)
            continue
        temperature = item.get("temperature")
        if temperature is not None and temperature != "":
            try:
                temperature = Decimal(str(temperature)).quantize(Decimal("0.1"))
                if not temperature.is_finite():
                    raise ValueError("NaN or infinity")
            except (InvalidOperation, ValueError):
                temperature = Decimal(0)
            if not MIN_TEMPERATURE <= temperature <= MAX_TEMPERATURE:
                _reject(out, index, client_id, ScanRejection.TEMPERATURE_IMPLAUSIBLE)
                continue
        else:
            temperature = None
        colour = item.get("colour") or ""
        person = citizen_person_id if citizen_person_id is not None else item.get("person")
        ref = item.get("person_ref")
        if citizen_person_id is None and ref not in (None, ""):
            # A checkpoint page sends the reference from a code it verified itself (offline, signature included).
            person = person_refs().decode(int(ref) if isinstance(ref, str) and ref.isdigit() else ref)
            if person is None:
                _reject(out, index, client_id, ScanRejection.UNKNOWN_PERSON)
                continue
        code_text = item.get("code")
        if code_text:
            if keys is None:
                from apps.codes.keys import public_keys

                keys = public_keys()
            verdict = signing.verify(code_text, keys, at, expected_kind=signing.CodeKind.HEALTH)
            if verdict.status not in (signing.VerdictStatus.VALID, signing.VerdictStatus.EXPIRED) or (
                verdict.payload is None
            ):
                _reject(out, index, client_id, ScanRejection.MALFORMED, f"code: {verdict.message_en}")
                continue
            person = person_refs().decode(verdict.payload.ref)  # None: a signed code of no person of ours
            if person is None:
                _reject(out, index, client_id, ScanRejection.UNKNOWN_PERSON)
                continue
            colour = verdict.payload.colour.value if verdict.payload.colour else ""
        if isinstance(person, str) and person.isdigit():
            person = int(person)
        if not isinstance(person, int) or isinstance(person, bool) or not 0 < person <= BIGINT_MAX:
            _reject(out, index, client_id, ScanRejection.UNKNOWN_PERSON)
            continue
        if colour not in ("", "green", "yellow", "red"):
            _reject(out, index, client_id, ScanRejection.MALFORMED, "colour must be green, yellow or red")
            continue
        person_ids.add(person)
        staged.append(
            (
                index,
                {
                    "person_id": person,
                    "venue_id": venue[0],
                    "venue_area": venue[1],
                    "scanned_at": at,
                    "temperature": temperature,
                    "colour": colour,
                    "client_id": client_id,
                },
            )
        )
    known = _existing_persons(person_ids)
    rows = []
    operator_id = actor.pk if citizen_person_id is None and actor.is_authenticated else None
    for index, s in staged:
        if s["person_id"] not in known:
            _reject(out, index, s["client_id"], ScanRejection.UNKNOWN_PERSON)
            continue
        rows.append(
            (
                s["person_id"],
                s["venue_id"],
                s["scanned_at"],
                s["temperature"],
                s["colour"],
                device_id[:64],
                operator_id,
                s["client_id"],
                now,
            )
        )
    by_client = {s["client_id"]: s for _, s in staged}
    with transaction.atomic():
        fever = fever_threshold()  # the code rules' threshold: one setting for both
        stored = scans_store(rows, fever)
        out.accepted = len(stored)
        out.duplicates += len(rows) - len(stored)
        # Alerts and codes follow only what this batch stored: a retry whose client id is already taken (even
        # with another person or time in it) stores nothing and so raises nothing.
        kept = [{**by_client[row[7]], "scan_id": scan_id} for scan_id, row in stored]
        flagged = [s for s in kept if _may_alert(s["colour"], s["temperature"], fever)]
        if flagged:
            out.alerts = _raise_alerts(flagged, known, fever)
        if kept:
            from apps.venues.signals import scans_stored

            scans_stored.send(sender=Scan, scans=kept)
        fevers = [s["person_id"] for s in kept if (s["temperature"] or 0) >= fever]
        if fevers:
            from apps.codes.services import codes_recompute_on_commit

            # In the background (db_worker): a checkpoint's upload must not wait for the codes.
            codes_recompute_on_commit(fevers, background=True)
    return out


def _venue_key(value: Any) -> int | uuid.UUID | None:
    """A venue is named by its id or by the UUID in its venue code."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 < value <= BIGINT_MAX else None
    if isinstance(value, str):
        if value.isdigit() and len(value) < 19:
            return int(value)
        try:
            return uuid.UUID(value)
        except ValueError:
            return None
    return None


def _existing_persons(ids: set[int]) -> dict[int, str]:
    ordered = sorted(ids)
    if connection.vendor == "postgresql":
        # One array parameter instead of one prepared parameter per id.
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id, area_id FROM {Person._meta.db_table} WHERE id = ANY(%s)", [ordered])
            return dict(cursor.fetchall())
    out: dict[int, str] = {}
    for start in range(0, len(ordered), 5000):
        out.update(Person.objects.filter(pk__in=ordered[start : start + 5000]).values_list("pk", "area_id"))
    return out


def device_key(device_id: str, operator_id: int | None, person_id: int) -> str:
    """Whose client ids a scan's id is unique among: its device, else the uploading user, else the citizen."""
    if device_id:
        return device_id
    return f"user:{operator_id}" if operator_id is not None else f"person:{person_id}"


def scans_store(
    rows: Sequence[tuple[Any, ...]], fever: Decimal | None = None
) -> list[tuple[int | None, tuple[Any, ...]]]:
    """Store the scans (rows of SCAN_COLUMNS) whose (device, client id) key is new; return them with their ids
    (on PostgreSQL only the alerting scans' ids are known; the others' are None).

    The keys are claimed first in ScanKey (one unique index, not partitioned): a row whose key another batch
    holds, whatever its time or payload, is not stored. Call inside a transaction.
    """
    if not rows:
        return []
    keys = {(device_key(r[5], r[6], r[0]), r[7]): r for r in rows}
    claimed = _claim_keys(list(keys))
    fresh = [row for key, row in keys.items() if key in claimed]
    if not fresh:
        return []
    if connection.vendor != "postgresql":
        objs = Scan.objects.bulk_create([Scan(**dict(zip(SCAN_COLUMNS, row, strict=True))) for row in fresh])
        return [(obj.pk, row) for obj, row in zip(objs, fresh, strict=True)]
    table, cols = Scan._meta.db_table, ", ".join(SCAN_COLUMNS)
    fever = fever_threshold() if fever is None else fever
    alerting = [row for row in fresh if _may_alert(row[4], row[3], fever)]
    quiet = [row for row in fresh if not _may_alert(row[4], row[3], fever)]
    stored: list[tuple[int | None, tuple[Any, ...]]] = [(None, row) for row in quiet]
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            for row in quiet:
                copy.write_row(row)
        if alerting:
            # The few scans that raise an alert get their ids drawn ahead, so their alerts can name them.
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, len(alerting)],
            )
            ids = [i for (i,) in cursor.fetchall()]
            with cursor.cursor.copy(f"COPY {table} (id, {cols}) FROM STDIN") as copy:
                for scan_id, row in zip(ids, alerting, strict=True):
                    copy.write_row((scan_id, *row))
            stored += list(zip(ids, alerting, strict=True))
    return stored


def _may_alert(colour: str, temperature: Decimal | None, fever: Decimal) -> bool:
    """A scan that may raise an alert (apps.venues.alerting decides which): a red or yellow code, or a fever."""
    return colour in ("red", "yellow") or (temperature or 0) >= fever


def _claim_keys_postgresql(cursor: Any, table: str, keys: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """The usual case (a first upload) is one COPY of the keys; a key already there (a retried batch, or the same
    batch uploaded twice at once) makes that COPY fail on the primary key, and the batch then goes through
    INSERT … ON CONFLICT DO NOTHING RETURNING, which names exactly the keys this batch won."""
    import psycopg

    try:
        with transaction.atomic(), cursor.cursor.copy(f"COPY {table} (device, client_id) FROM STDIN") as copy:
            for key in keys:
                copy.write_row(key)
        return set(keys)
    except (IntegrityError, psycopg.errors.UniqueViolation):
        cursor.execute(
            f"INSERT INTO {table} (device, client_id) SELECT * FROM unnest(%s::text[], %s::text[]) "
            "ON CONFLICT (device, client_id) DO NOTHING RETURNING device, client_id",
            [[k[0] for k in keys], [k[1] for k in keys]],
        )
        return set(cursor.fetchall())


def _claim_keys(keys: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Insert these (device, client id) keys where new; return the ones inserted."""
    table = ScanKey._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            return _claim_keys_postgresql(cursor, table, keys)
    # SQLite: one writer at a time, so the keys not there before the insert are the ones this batch stored.
    taken: set[tuple[str, str]] = set()
    for device in {k[0] for k in keys}:
        ids = [k[1] for k in keys if k[0] == device]
        for start in range(0, len(ids), 5000):
            taken.update(
                ScanKey.objects.filter(device=device, client_id__in=ids[start : start + 5000]).values_list(
                    "device", "client_id"
                )
            )
    new = [k for k in keys if k not in taken]
    insert_ignoring_conflicts(table, ("device", "client_id"), new, "device, client_id")
    return set(new)


def _raise_alerts(flagged: list[dict[str, Any]], residence: dict[int, str], fever: Decimal) -> int:
    """One alert per stored scan (``scan_id`` in each) and kind that needs action (apps.venues.alerting); a re-run
    finds its alert already there."""
    scan_ids = {s["scan_id"] for s in flagged}
    alerts = []
    for s, kinds in zip(flagged, scan_alert_kinds_for(flagged, residence, fever=fever), strict=True):
        for kind in kinds:
            alerts.append(
                Alert(
                    kind=kind,
                    scan_id=s["scan_id"],
                    person_id=s["person_id"],
                    venue_id=s["venue_id"],
                    venue_area_id=s["venue_area"],
                    residence_area_id=residence[s["person_id"]],
                    occurred_at=s["scanned_at"],
                    temperature=s["temperature"],
                    colour=s["colour"],
                )
            )
    before = set(Alert.objects.filter(scan_id__in=scan_ids).values_list("pk", flat=True))
    Alert.objects.bulk_create(alerts, ignore_conflicts=True)
    new = list(Alert.objects.filter(scan_id__in=scan_ids).exclude(pk__in=before).select_related("venue"))
    notify_many(alert_notes(new))  # the one notification centre (apps.common.notify)
    return len(new)


@transaction.atomic
def alert_acknowledge(*, actor: User, alert: Alert, close: bool = False) -> Alert:
    if not (
        has_perm_at(actor, Perm.ALERT_VIEW, alert.venue_area_id)
        or has_perm_at(actor, Perm.ALERT_VIEW, alert.residence_area_id)
    ):
        raise Forbidden("outside_jurisdiction", "this alert is outside your jurisdiction")
    alert.status = AlertStatus.CLOSED if close else AlertStatus.ACKNOWLEDGED
    alert.handled_by = actor
    alert.handled_at = timezone.now()
    alert.save(update_fields=["status", "handled_by", "handled_at"])
    if close:
        notify_resolved(f"venues.alert:{alert.pk}")
    return alert


# --------------------------------------------------------------------------- retention


@transaction.atomic
def scans_purge(*, now: dt.datetime | None = None, days: int | None = None) -> PurgeLog:
    """Delete scans older than the retention period, first folding them into per-venue daily counts."""
    now = now or timezone.now()
    days = retention_days() if days is None else days
    cutoff = now - dt.timedelta(days=days)
    old = Scan.objects.filter(scanned_at__lt=cutoff)
    grouped = (
        old.annotate(day=TruncDate("scanned_at", tzinfo=timezone.get_current_timezone()))
        .values("venue_id", "day", "colour")
        .annotate(n=Count("id"), fevers=Count("id", filter=Q(temperature__gte=fever_threshold())))
    )
    for g in grouped:
        agg, created = ScanAggregate.objects.select_for_update().get_or_create(
            venue_id=g["venue_id"],
            day=g["day"],
            colour=g["colour"],
            defaults={"scans": g["n"], "fevers": g["fevers"]},
        )
        if not created:
            agg.scans += g["n"]
            agg.fevers += g["fevers"]
            agg.save(update_fields=["scans", "fevers"])
    # Alerts keep their own copy of what matters; unlink them. Whole days go by dropping their partition
    # (PostgreSQL); what is left before the cutoff (part of a day, the default partition, SQLite) is deleted in
    # SQL without loading the rows into Python (a day at peak is tens of millions of scans).
    Alert.objects.filter(scan__scanned_at__lt=cutoff).update(scan=None)
    deleted_scans = sum(g["n"] for g in grouped)
    partitions.drop_days_before(cutoff)
    old._raw_delete(old.db)
    keys = ScanKey.objects.filter(
        received_at__lt=cutoff
    )  # a key outlives its scan by the time it took to arrive
    keys._raw_delete(keys.db)
    log = PurgeLog.objects.create(cutoff=cutoff, deleted=deleted_scans, retention_days=days)
    audit_record(
        actor=None,
        action=AuditAction.SCAN_PURGE,
        object_type="venues.scan",
        object_repr=f"{deleted_scans} scans before {cutoff.isoformat()}",
        after={"deleted": deleted_scans, "cutoff": cutoff.isoformat(), "retention_days": days},
    )
    return log

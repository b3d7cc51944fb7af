"""Contact tracing for one case: gather the scans, households and manifests around it, run core.tracing,
store the suggestions with their evidence.

Only the neighbourhood of the case is loaded: first the case's own scans and every scan at those venues
within the window, then the same for its close contacts. core.tracing on that subset gives exactly what
it would give on the whole city (every query it makes is a person's scans or a venue's scans near a
time, and all of those lie in the subset), which the tests check against the oracle on the full data.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import BigIntegerField, Func, Q
from django.utils import timezone

from apps.cases.choices import ContactStatus, TransportMode
from apps.cases.models import Case, Contact, TripPassenger
from apps.common.bulk import insert_ignoring_conflicts
from apps.people.models import Person
from apps.venues.models import Scan
from core import tracing

EVIDENCE_KEPT = 50  # per contact; evidence_count has the full number


def _epoch(value: dt.datetime | None) -> int | None:
    return None if value is None else int(value.timestamp())


def traced_case(case: Case) -> tracing.TracedCase:
    return tracing.TracedCase(
        person_id=case.person_id,
        onset_at=None if case.onset_date is None else tracing.local_day_start(case.onset_date),
        sampled_at=_epoch(case.sampled_at),
        reported_at=_epoch(case.reported_at),
        isolated_at=_epoch(case.isolated_at),
    )


@dataclasses.dataclass
class Neighbourhood:
    """Scan rows, household map and manifest entries loaded so far (grown stage by stage)."""

    scans: dict[int, tuple[int, int, int, int]] = dataclasses.field(default_factory=dict)
    household_of: dict[int, int] = dataclasses.field(default_factory=dict)
    households_loaded: set[int] = dataclasses.field(default_factory=set)  # household ids
    persons_looked_up: set[int] = dataclasses.field(default_factory=set)  # person ids, never mixed with those
    manifest: dict[tuple[str, int], tracing.ManifestEntry] = dataclasses.field(default_factory=dict)

    def index(self) -> tracing.ScanIndex:
        rows = np.array(list(self.scans.values()), dtype=np.int64).reshape(-1, 4)
        return tracing.ScanIndex(rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3])

    def households(self) -> tracing.Households:
        return tracing.Households(self.household_of)

    def manifests(self) -> tracing.Manifests:
        return tracing.Manifests(self.manifest.values())


class EpochSeconds(Func):
    """A datetime column as whole seconds since 1970: what core.tracing works in, and integers load many
    times faster than datetimes (32,000 scans: 1.4 s of datetime parsing before, a few ms now)."""

    output_field = BigIntegerField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"FLOOR(EXTRACT(EPOCH FROM {sql}))::bigint", params

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(strftime('%%s', {sql}) AS INTEGER)", params


SCAN_FIELDS = ("pk", "person_id", "venue_id", "at")


def _scan_rows(qs: Any) -> Any:
    return qs.annotate(at=EpochSeconds("scanned_at")).values_list(*SCAN_FIELDS)


def _add_scans(nb: Neighbourhood, rows: Iterable[tuple[int, int, int, int]]) -> None:
    for pk, person, venue, at in rows:
        nb.scans[pk] = (pk, person, venue, at)


def _chunks(items: Sequence[Any], size: int = 900) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


RANGES_PER_QUERY = 100  # (key, time range) pairs OR-ed into one indexed query


def _scans_in_ranges(
    column: str, ranges: Sequence[tuple[int, int, int]], pad: int
) -> list[tuple[int, int, int, int]]:
    """Scans with ``column = key`` and time in ``[start - pad, end + pad]`` for each range, in one query
    (each term is a range scan of the (person|venue, scanned_at) index)."""
    if connection.vendor == "postgresql" and ranges:
        return _scans_in_ranges_pg(column, ranges, pad)
    q = Q()
    for key, start, end in ranges:
        q |= Q(
            **{column: key},
            scanned_at__gte=dt.datetime.fromtimestamp(start - pad, dt.UTC),
            scanned_at__lte=dt.datetime.fromtimestamp(end + pad, dt.UTC),
        )
    return list(_scan_rows(Scan.objects.filter(q))) if ranges else []


def _scans_in_ranges_pg(
    column: str, ranges: Sequence[tuple[int, int, int]], pad: int
) -> list[tuple[int, int, int, int]]:
    """The same on PostgreSQL as one lateral join over the ranges passed as arrays: planned once whatever the
    number of ranges, and each range probes only the day partitions its times fall in (pruned at run time),
    where an OR of a hundred ranges is planned against every partition."""
    assert column in ("person_id", "venue_id")
    table = Scan._meta.db_table
    keys = [key for key, _, _ in ranges]
    starts = [dt.datetime.fromtimestamp(start - pad, dt.UTC) for _, start, _ in ranges]
    ends = [dt.datetime.fromtimestamp(end + pad, dt.UTC) for _, _, end in ranges]
    sql = (
        "SELECT s.id, s.person_id, s.venue_id, FLOOR(EXTRACT(EPOCH FROM s.scanned_at))::bigint"
        " FROM unnest(%s::bigint[], %s::timestamptz[], %s::timestamptz[]) AS r(k, lo, hi)"
        f" CROSS JOIN LATERAL (SELECT id, person_id, venue_id, scanned_at FROM {table}"
        f" WHERE {column} = r.k AND scanned_at BETWEEN r.lo AND r.hi) AS s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [keys, starts, ends])
        return [tuple(row) for row in cursor.fetchall()]  # type: ignore[misc]


def _per_query(ranges: Sequence[Any]) -> int:
    # PostgreSQL takes every range in one statement (arrays); elsewhere at most RANGES_PER_QUERY OR-ed terms.
    return max(len(ranges), 1) if connection.vendor == "postgresql" else RANGES_PER_QUERY


def load_around(
    nb: Neighbourhood,
    windows: dict[int, tuple[int, int]],
    window_seconds: int,
    all_scans_of: Sequence[int] = (),
) -> None:
    """Load each person's scans inside their window, every scan at those venues near those times, the
    members of their households and their trips (with fellow passengers)."""
    persons = sorted(windows)
    # The case without onset/sampling/report uses its first scan in the data: load all its scans.
    for chunk in _chunks(list(all_scans_of)):
        _add_scans(nb, _scan_rows(Scan.objects.filter(person_id__in=chunk)))
    own: list[tuple[int, int, int, int]] = []
    ranges = [(p, windows[p][0], windows[p][1]) for p in persons if windows[p][1] >= windows[p][0]]
    for chunk in _chunks(ranges, _per_query(ranges)):
        own.extend(_scans_in_ranges("person_id", chunk, 0))
    _add_scans(nb, own)
    # One range per venue covering all the times it was visited (a few wide ranges beat many narrow ones).
    spans: dict[int, tuple[int, int]] = {}
    for _, _, venue, t in own:
        lo, hi = spans.get(venue, (t, t))
        spans[venue] = (min(lo, t), max(hi, t))
    venue_ranges = [(v, lo, hi) for v, (lo, hi) in sorted(spans.items())]
    for chunk in _chunks(venue_ranges, _per_query(venue_ranges)):
        _add_scans(nb, _scans_in_ranges("venue_id", chunk, window_seconds))
    # Person ids and household ids are separate key spaces: a person whose pk happens to equal a loaded
    # household's id still needs their own household looked up.
    new = [p for p in persons if p not in nb.household_of and p not in nb.persons_looked_up]
    household_ids: set[int] = set()
    for chunk in _chunks(new):
        household_ids |= set(
            Person.objects.filter(pk__in=chunk, household__isnull=False).values_list(
                "household_id", flat=True
            )
        )
    household_ids -= nb.households_loaded
    for chunk in _chunks(sorted(household_ids)):
        for pk, household in Person.objects.filter(
            household_id__in=chunk, merged_into__isnull=True
        ).values_list("pk", "household_id"):
            nb.household_of[pk] = household
    nb.households_loaded |= household_ids
    nb.persons_looked_up |= set(persons)
    trip_ids: set[int] = set()
    for chunk in _chunks(persons):
        trip_ids |= set(TripPassenger.objects.filter(person_id__in=chunk).values_list("trip_id", flat=True))
    for chunk in _chunks(sorted(trip_ids)):
        passengers = TripPassenger.objects.filter(trip_id__in=chunk).values_list(
            "trip_id", "person_id", "seat", "carriage", "trip__mode", "trip__departs_at"
        )
        for trip, person, seat, carriage, mode, departs in passengers:
            if mode == TransportMode.FLIGHT:
                row = "".join(ch for ch in seat if ch.isdigit())
                if not row:
                    continue
                entry = tracing.ManifestEntry(
                    str(trip), person, tracing.TransportMode.FLIGHT, int(row), int(departs.timestamp())
                )
            else:
                if not carriage:
                    continue
                entry = tracing.ManifestEntry(
                    str(trip),
                    person,
                    tracing.TransportMode.TRAIN,
                    carriage.lstrip("0") or "0",
                    int(departs.timestamp()),
                )
            nb.manifest[(str(trip), person)] = entry


def find_contacts(
    case: Case, params: tracing.TracingParams
) -> tuple[tracing.ExposureWindow, list[tracing.Contact], list[tracing.Contact]]:
    """Close and secondary contacts of a case from the database (no writes)."""
    tc = traced_case(case)
    nb = Neighbourhood()
    probe = tracing.exposure_window(tc, params, None)
    if probe.rule == "none":
        load_around(nb, {}, params.window_seconds, all_scans_of=[case.person_id])
    index = nb.index() if nb.scans else None
    first = index.first_scan_at(case.person_id) if index is not None else None
    window = tracing.exposure_window(tc, params, first)
    load_around(nb, {case.person_id: (window.start, window.end)}, params.window_seconds)
    close = tracing.close_contacts(tc, nb.index(), nb.households(), nb.manifests(), params)
    if close:
        windows = {c.person_id: (c.first_exposed_at, params.now) for c in close}
        load_around(nb, windows, params.window_seconds)
    secondary = tracing.secondary_contacts(tc, close, nb.index(), nb.households(), nb.manifests(), params)
    return window, close, secondary


_EVIDENCE_FIELDS = tuple(f.name for f in dataclasses.fields(tracing.Evidence))


def evidence_json(evidence: Sequence[tracing.Evidence]) -> list[dict[str, Any]]:
    # Plain attribute reads, not dataclasses.asdict (a deep copy): thousands of contacts per case.
    out = []
    for item in evidence[:EVIDENCE_KEPT]:
        row = {k: v for k in _EVIDENCE_FIELDS if (v := getattr(item, k)) is not None}
        row["kind"] = item.kind.value
        out.append(row)
    return out


@transaction.atomic
def trace_case(case: Case, *, now: dt.datetime | None = None, window_minutes: int = 30) -> dict[str, int]:
    """Store the case's contacts as suggestions. Decided contacts keep their decision (their evidence is
    refreshed); suggestions no longer found are removed."""
    params = tracing.TracingParams(
        now=int((now or timezone.now()).timestamp()), window_seconds=window_minutes * 60
    )
    window, close, secondary = find_contacts(case, params)
    return contacts_store(case, window, close, secondary)


_CONTACT_COLUMNS = (
    "case_id", "person_id", "degree", "via_id", "kinds", "first_exposed_at", "last_exposed_at", "evidence",
    "evidence_count", "status", "decision_note", "created_at",
)  # fmt: skip


def _contacts_insert(case: Case, contacts: list[tuple[int, dict[str, Any]]]) -> None:
    """New suggestions as plain rows in one COPY (PostgreSQL) or executemany: thousands per case, where
    bulk_create spends most of its time building and preparing a model instance per row."""
    now = timezone.now()
    rows = [
        (case.pk, person, v["degree"], v["via_id"], json.dumps(v["kinds"]), v["first_exposed_at"],
         v["last_exposed_at"], json.dumps(v["evidence"]), v["evidence_count"], ContactStatus.SUGGESTED.value, "",
         now)
        for person, v in contacts
    ]  # fmt: skip
    insert_ignoring_conflicts(Contact._meta.db_table, _CONTACT_COLUMNS, rows, "case_id, person_id")


@transaction.atomic
def contacts_store(
    case: Case, window: tracing.ExposureWindow, close: list[tracing.Contact], secondary: list[tracing.Contact]
) -> dict[str, int]:
    """Store found contacts as the case's suggestions (shared with the benchmark's SQL-join oracle)."""
    existing = {c.person_id: c for c in Contact.objects.select_for_update().filter(case=case)}
    found_ids: set[int] = set()
    create: list[tuple[int, dict[str, Any]]] = []
    update: list[Contact] = []
    for contact in [*close, *secondary]:
        found_ids.add(contact.person_id)
        first = dt.datetime.fromtimestamp(contact.first_exposed_at, dt.UTC)
        last = dt.datetime.fromtimestamp(max(e.exposed_at for e in contact.evidence), dt.UTC)
        values = {
            "degree": int(contact.degree),
            "via_id": contact.evidence[0].via_person_id,
            "kinds": sorted({e.kind.value for e in contact.evidence}),
            "first_exposed_at": first,
            "last_exposed_at": last,
            "evidence": evidence_json(contact.evidence),
            "evidence_count": len(contact.evidence),
        }
        row = existing.get(contact.person_id)
        if row is None:
            create.append((contact.person_id, values))
        else:
            for key, value in values.items():
                setattr(row, key, value)
            update.append(row)
    _contacts_insert(case, create)
    if update:
        Contact.objects.bulk_update(
            update,
            [
                "degree",
                "via_id",
                "kinds",
                "first_exposed_at",
                "last_exposed_at",
                "evidence",
                "evidence_count",
            ],
            batch_size=500,
        )
    stale = [c.pk for p, c in existing.items() if p not in found_ids and c.status == ContactStatus.SUGGESTED]
    Contact.objects.filter(pk__in=stale).delete()
    Case.objects.filter(pk=case.pk).update(traced_at=timezone.now())
    return {
        "close": len(close),
        "secondary": len(secondary),
        "created": len(create),
        "removed": len(stale),
        "window_start": window.start,
        "window_end": window.end,
    }

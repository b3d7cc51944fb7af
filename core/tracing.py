"""Automatic contact discovery (流行病学调查, 追踪密切接触者): close and secondary contacts of a case, with evidence.

Conventions (every rule here is written again, independently, by the test oracle tests/oracles/tracing.py):

* Instants are integer epoch seconds (UTC). Use :func:`local_day_start` to turn a local calendar date
  (such as a symptom-onset date) into the instant at which that day starts in Asia/Shanghai.
* Exposure window of a case, ``[start, end]``, both ends inclusive:
  ``start`` is ``pre_onset_seconds`` (2 days) before symptom onset; when there is no onset (asymptomatic
  case, or onset unknown) 2 days before sampling; failing that 2 days before the report; failing that the
  case's first scan in the data (we then look at everything we have). ``end`` is isolation, or
  ``params.now`` when the case is not isolated. An empty window (``end < start``) finds no contact.
* Venue co-presence: a scan of another person at the same venue at time ``t2`` with
  ``|t2 - t1| <= window_seconds`` of a scan of the case at ``t1`` that lies inside the case's exposure
  window. The edge is inclusive: exactly 30 minutes apart is still a contact. The contact's scan itself
  may lie outside the window by up to ``window_seconds``. Every (case scan, contact scan) pair is one
  evidence item, so a person scanned twice gives two items.
* A scan is read as "present from the scan for ``window_seconds``"; ``overlap_seconds`` is the overlap of
  the two assumed stays (``window_seconds - |t2 - t1|``, zero at the edge) and the exposure instant is the
  start of that overlap (``max(t1, t2)``).
* Household: every other member of the case's household, exposed from the start of the window.
* Transport: a trip of the case departing inside the exposure window; on a flight, passengers seated
  within ``flight_row_distance`` (3) rows, inclusive; on a train, passengers in the same carriage.
* Secondary contacts (次密接): the same three rules applied to each close contact, over the close contact's
  own window: from its first exposure to the case until its isolation (``isolated_at``) or ``now``.
  The case and the close contacts themselves are never secondary contacts.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]

DAY_SECONDS = 86_400
SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_day_start(day: date, tz: ZoneInfo = SHANGHAI) -> int:
    """Epoch seconds at which the local calendar ``day`` starts (onset dates are local days)."""
    return int(datetime.combine(day, time(0, 0), tzinfo=tz).timestamp())


class ContactKind(enum.Enum):
    VENUE = "venue"
    HOUSEHOLD = "household"
    FLIGHT = "flight"
    TRAIN = "train"


class ContactDegree(enum.IntEnum):
    CLOSE = 1  # 密切接触者
    SECONDARY = 2  # 密接的密接 / 次密接


class TransportMode(enum.Enum):
    FLIGHT = "flight"
    TRAIN = "train"


_KIND_ORDER = {ContactKind.VENUE: 0, ContactKind.HOUSEHOLD: 1, ContactKind.FLIGHT: 2, ContactKind.TRAIN: 3}


@dataclass(frozen=True)
class TracingParams:
    now: int
    window_seconds: int = 30 * 60
    pre_onset_seconds: int = 2 * DAY_SECONDS
    flight_row_distance: int = 3

    def __post_init__(self) -> None:
        if self.window_seconds < 0 or self.pre_onset_seconds < 0 or self.flight_row_distance < 0:
            raise ValueError("tracing parameters must be non-negative")


@dataclass(frozen=True)
class TracedCase:
    """The instants (epoch seconds) that fix a case's exposure window; any of them may be unknown."""

    person_id: int
    onset_at: int | None = None
    sampled_at: int | None = None
    reported_at: int | None = None
    isolated_at: int | None = None


@dataclass(frozen=True)
class ManifestEntry:
    """One passenger on one trip (from an imported manifest). ``position`` is the seat row on a flight
    and the carriage on a train; ``departs_at`` decides whether the trip lies in an exposure window."""

    trip_id: str
    person_id: int
    mode: TransportMode
    position: int | str
    departs_at: int


@dataclass(frozen=True)
class Evidence:
    """Why one person is a contact. ``source_person_id`` is the case (close contacts) or the close
    contact (secondary contacts); ``via_person_id`` is set only for secondary contacts."""

    kind: ContactKind
    exposed_at: int
    source_person_id: int
    via_person_id: int | None = None
    venue_id: int | None = None
    source_scan_id: int | None = None
    source_scan_time: int | None = None
    contact_scan_id: int | None = None
    contact_scan_time: int | None = None
    overlap_seconds: int | None = None
    household_id: int | None = None
    trip_id: str | None = None
    source_position: str | None = None
    contact_position: str | None = None

    def sort_key(self) -> tuple[Any, ...]:
        def n(value: int | None) -> int:
            return -1 if value is None else value

        return (
            _KIND_ORDER[self.kind],
            self.exposed_at,
            n(self.via_person_id),
            n(self.venue_id),
            n(self.source_scan_time),
            n(self.source_scan_id),
            n(self.contact_scan_time),
            n(self.contact_scan_id),
            n(self.household_id),
            self.trip_id or "",
            self.source_position or "",
            self.contact_position or "",
        )


@dataclass(frozen=True)
class Contact:
    person_id: int
    degree: ContactDegree
    first_exposed_at: int
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class ExposureWindow:
    start: int
    end: int
    rule: str  # "onset" | "sampling" | "report" | "first_scan" | "none"

    @property
    def is_empty(self) -> bool:
        return self.end < self.start


def exposure_window(case: TracedCase, params: TracingParams, first_scan_at: int | None) -> ExposureWindow:
    """The case's exposure window by the rule in the module docstring."""
    end = case.isolated_at if case.isolated_at is not None else params.now
    for rule, instant in (
        ("onset", case.onset_at),
        ("sampling", case.sampled_at),
        ("report", case.reported_at),
    ):
        if instant is not None:
            return ExposureWindow(instant - params.pre_onset_seconds, end, rule)
    if first_scan_at is not None:
        return ExposureWindow(first_scan_at, end, "first_scan")
    return ExposureWindow(1, 0, "none")


def _compact(values: IntArray) -> npt.NDArray[np.signedinteger[Any]]:
    # Halves memory at 28 M scans when ids fit in 32 bits.
    if values.size and values.min() >= np.iinfo(np.int32).min and values.max() <= np.iinfo(np.int32).max:
        return values.astype(np.int32)
    return values


class ScanIndex:
    """All scans, sorted once by (venue, time) and by (person, time), for logarithmic window queries.

    Both orders are kept as one composite int64 key per scan (``group * span + time - t_min``), so a
    venue/person and a time range become a single ``searchsorted`` on one array, for many scans at once.
    """

    def __init__(
        self,
        scan_ids: npt.ArrayLike,
        person_ids: npt.ArrayLike,
        venue_ids: npt.ArrayLike,
        times: npt.ArrayLike,
    ) -> None:
        scan = np.asarray(scan_ids, dtype=np.int64)
        person = np.asarray(person_ids, dtype=np.int64)
        venue = np.asarray(venue_ids, dtype=np.int64)
        when = np.asarray(times, dtype=np.int64)
        if not scan.shape == person.shape == venue.shape == when.shape or scan.ndim != 1:
            raise ValueError("scan arrays must be one-dimensional and of equal length")
        self.size = int(scan.size)
        self.t_min = int(when.min()) if self.size else 0
        self.span = (int(when.max()) - self.t_min + 1) if self.size else 1
        self._venue_keys, venue_rank = self._ranks(venue)
        self._person_keys, person_rank = self._ranks(person)
        offset = when - self.t_min
        venue_key = venue_rank * self.span + offset
        order = np.argsort(venue_key)
        self._v_key = venue_key[order]
        self._v_person = _compact(person[order])
        self._v_scan = _compact(scan[order])
        del venue_key
        person_key = (person_rank[order] * self.span + offset[order]).astype(np.int64)
        p_order = np.argsort(person_key)
        self._p_key = person_key[p_order]
        self._p_pos = _compact(p_order.astype(np.int64))

    @classmethod
    def from_scans(cls, scans: Iterable[tuple[int, int, int, int]]) -> ScanIndex:
        """Build from ``(scan_id, person_id, venue_id, time)`` tuples."""
        rows = np.array(list(scans), dtype=np.int64).reshape(-1, 4)
        return cls(rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3])

    def _ranks(self, ids: IntArray) -> tuple[IntArray | None, IntArray]:
        # Non-negative ids are used as their own rank (no extra sort); others are ranked with np.unique.
        if ids.size == 0 or (ids.min() >= 0 and int(ids.max()) < (2**62) // self.span):
            return None, ids
        keys, rank = np.unique(ids, return_inverse=True)
        return keys, rank.astype(np.int64)

    @staticmethod
    def _rank_of(keys: IntArray | None, value: int) -> int | None:
        if keys is None:
            return value if value >= 0 else None
        i = int(np.searchsorted(keys, value))
        return i if i < keys.size and int(keys[i]) == value else None

    def _clamp(self, t: IntArray) -> IntArray:
        return np.clip(t - self.t_min, 0, self.span - 1)

    def person_scans(self, person_id: int, start: int, end: int) -> tuple[IntArray, IntArray, IntArray]:
        """``(scan_ids, venue_ids, times)`` of one person with ``start <= time <= end``, by time."""
        rank = self._rank_of(self._person_keys, person_id)
        empty = np.empty(0, dtype=np.int64)
        if (
            rank is None
            or end < start
            or self.size == 0
            or end < self.t_min
            or start >= self.t_min + self.span
        ):
            return empty, empty, empty
        first = max(start, self.t_min) - self.t_min
        last = min(end, self.t_min + self.span - 1) - self.t_min
        lo = int(np.searchsorted(self._p_key, rank * self.span + first, "left"))
        hi = int(np.searchsorted(self._p_key, rank * self.span + last, "right"))
        pos = self._p_pos[lo:hi].astype(np.int64)
        return self._v_scan[pos].astype(np.int64), self._venue_of(pos), self._time_of(pos)

    def first_scan_at(self, person_id: int) -> int | None:
        _, _, times = self.person_scans(person_id, self.t_min, self.t_min + self.span - 1)
        return int(times[0]) if times.size else None

    def _venue_of(self, pos: IntArray) -> IntArray:
        rank = self._v_key[pos] // self.span
        return rank if self._venue_keys is None else self._venue_keys[rank]

    def _time_of(self, pos: IntArray) -> IntArray:
        return self._v_key[pos] % self.span + self.t_min

    def co_present(
        self, venue_ids: IntArray, times: IntArray, window: int
    ) -> tuple[IntArray, IntArray, IntArray, IntArray]:
        """Every scan within ``window`` seconds (inclusive) of each query scan at the same venue.

        Returns ``(query_index, person_ids, scan_ids, times)`` of the matches, one row per pair.
        """
        empty = np.empty(0, dtype=np.int64)
        if self.size == 0 or venue_ids.size == 0:
            return empty, empty, empty, empty
        if self._venue_keys is None:
            rank = venue_ids.astype(np.int64)
            unknown = rank < 0
        else:
            rank = np.searchsorted(self._venue_keys, venue_ids).astype(np.int64)
            rank = np.minimum(rank, self._venue_keys.size - 1)
            unknown = self._venue_keys[rank] != venue_ids
        lo_t, hi_t = times - window, times + window
        lo = np.searchsorted(self._v_key, rank * self.span + self._clamp(lo_t), "left")
        hi = np.searchsorted(self._v_key, rank * self.span + self._clamp(hi_t), "right")
        # A window entirely before t_min or after t_max must match nothing, not the clamped edge scans.
        outside = unknown | (hi_t < self.t_min) | (lo_t > self.t_min + self.span - 1)
        hi = np.where(outside, lo, hi)
        counts = hi - lo
        total = int(counts.sum())
        if total == 0:
            return empty, empty, empty, empty
        query = np.repeat(np.arange(venue_ids.size, dtype=np.int64), counts)
        starts = np.repeat(lo - np.cumsum(counts) + counts, counts)
        pos = starts + np.arange(total, dtype=np.int64)
        return (
            query,
            self._v_person[pos].astype(np.int64),
            self._v_scan[pos].astype(np.int64),
            self._time_of(pos),
        )


class Households:
    """Person → household and household → members, built once from the registry."""

    def __init__(self, person_to_household: Mapping[int, int]) -> None:
        self.household_of: dict[int, int] = dict(person_to_household)
        members: dict[int, list[int]] = {}
        for person, household in self.household_of.items():
            members.setdefault(household, []).append(person)
        self.members: dict[int, tuple[int, ...]] = {h: tuple(sorted(m)) for h, m in members.items()}


class Manifests:
    """Transport manifests indexed by passenger and by trip."""

    def __init__(self, entries: Iterable[ManifestEntry]) -> None:
        self.by_person: dict[int, list[ManifestEntry]] = {}
        self.by_trip: dict[str, list[ManifestEntry]] = {}
        for entry in entries:
            self.by_person.setdefault(entry.person_id, []).append(entry)
            self.by_trip.setdefault(entry.trip_id, []).append(entry)


def _transport_match(source: ManifestEntry, other: ManifestEntry, params: TracingParams) -> bool:
    if source.mode is TransportMode.FLIGHT:
        if not (isinstance(source.position, int) and isinstance(other.position, int)):
            return False
        return abs(source.position - other.position) <= params.flight_row_distance
    return str(source.position) == str(other.position)


def _transport_evidence(
    source: ManifestEntry, other: ManifestEntry, source_person: int, via: int | None
) -> Evidence:
    kind = ContactKind.FLIGHT if source.mode is TransportMode.FLIGHT else ContactKind.TRAIN
    return Evidence(
        kind=kind,
        exposed_at=source.departs_at,
        source_person_id=source_person,
        via_person_id=via,
        trip_id=source.trip_id,
        source_position=str(source.position),
        contact_position=str(other.position),
    )


def _venue_evidence(
    source_person: int,
    via: int | None,
    venue: int,
    source_scan: int,
    source_time: int,
    contact_scan: int,
    contact_time: int,
    window: int,
) -> Evidence:
    return Evidence(
        kind=ContactKind.VENUE,
        exposed_at=max(source_time, contact_time),
        source_person_id=source_person,
        via_person_id=via,
        venue_id=venue,
        source_scan_id=source_scan,
        source_scan_time=source_time,
        contact_scan_id=contact_scan,
        contact_scan_time=contact_time,
        overlap_seconds=window - abs(contact_time - source_time),
    )


def _aggregate(found: dict[int, list[Evidence]], degree: ContactDegree, exclude: set[int]) -> list[Contact]:
    contacts = [
        Contact(
            person_id=person,
            degree=degree,
            first_exposed_at=min(e.exposed_at for e in items),
            evidence=tuple(sorted(items, key=Evidence.sort_key)),
        )
        for person, items in found.items()
        if person not in exclude and items
    ]
    contacts.sort(key=lambda c: (c.first_exposed_at, c.person_id))
    return contacts


def _contacts_of(
    source: int,
    start: int,
    end: int,
    via: int | None,
    index: ScanIndex,
    households: Households,
    manifests: Manifests,
    params: TracingParams,
    found: dict[int, list[Evidence]],
) -> None:
    if end < start:
        return
    scans, venues, times = index.person_scans(source, start, end)
    query, persons, contact_scans, contact_times = index.co_present(venues, times, params.window_seconds)
    for q, person, contact_scan, contact_time in zip(
        query.tolist(), persons.tolist(), contact_scans.tolist(), contact_times.tolist(), strict=True
    ):
        if person == source:
            continue
        found.setdefault(person, []).append(
            _venue_evidence(
                source,
                via,
                int(venues[q]),
                int(scans[q]),
                int(times[q]),
                contact_scan,
                contact_time,
                params.window_seconds,
            )
        )
    other: list[tuple[int, Evidence]] = []
    _other_evidence(source, start, end, via, households, manifests, params, other)
    for person, evidence in other:
        found.setdefault(person, []).append(evidence)


def _other_evidence(
    source: int,
    start: int,
    end: int,
    via: int | None,
    households: Households,
    manifests: Manifests,
    params: TracingParams,
    out: list[tuple[int, Evidence]],
) -> None:
    """Household and transport evidence of one source over ``[start, end]`` (few items: plain Python)."""
    household = households.household_of.get(source)
    if household is not None:
        for member in households.members[household]:
            if member != source:
                out.append(
                    (
                        member,
                        Evidence(
                            kind=ContactKind.HOUSEHOLD,
                            exposed_at=start,
                            source_person_id=source,
                            via_person_id=via,
                            household_id=household,
                        ),
                    )
                )
    for trip in manifests.by_person.get(source, ()):
        if not start <= trip.departs_at <= end:
            continue
        for other in manifests.by_trip[trip.trip_id]:
            if other.person_id != source and _transport_match(trip, other, params):
                out.append((other.person_id, _transport_evidence(trip, other, source, via)))


def close_contacts(
    case: TracedCase,
    index: ScanIndex,
    households: Households,
    manifests: Manifests,
    params: TracingParams,
) -> list[Contact]:
    """Close contacts of ``case``, each with all its evidence, sorted by first exposure then person."""
    window = exposure_window(case, params, index.first_scan_at(case.person_id))
    found: dict[int, list[Evidence]] = {}
    _contacts_of(case.person_id, window.start, window.end, None, index, households, manifests, params, found)
    return _aggregate(found, ContactDegree.CLOSE, {case.person_id})


def secondary_contacts(
    case: TracedCase,
    close: Sequence[Contact],
    index: ScanIndex,
    households: Households,
    manifests: Manifests,
    params: TracingParams,
    isolated_at: Mapping[int, int] | None = None,
) -> list[Contact]:
    """Secondary contacts: people who met a close contact between its first exposure to the case and its
    isolation (``isolated_at``, epoch seconds) or ``now``."""
    isolated = isolated_at or {}
    found: dict[int, list[Evidence]] = {}
    for contact in close:
        end = isolated.get(contact.person_id, params.now)
        _contacts_of(
            contact.person_id,
            contact.first_exposed_at,
            end,
            contact.person_id,
            index,
            households,
            manifests,
            params,
            found,
        )
    exclude = {case.person_id, *(c.person_id for c in close)}
    return _aggregate(found, ContactDegree.SECONDARY, exclude)


# --- Vectorised path: the same contacts as arrays (one row per evidence item), for the hot loop. ---


@dataclass(frozen=True)
class VenueEvidenceArrays:
    """Venue co-presence evidence as parallel arrays: row ``i`` is one (source scan, contact scan) pair."""

    contact: IntArray
    source: IntArray  # the person traced from: the case, or the close contact for secondary contacts
    venue: IntArray
    source_scan: IntArray
    source_time: IntArray
    contact_scan: IntArray
    contact_time: IntArray

    @property
    def size(self) -> int:
        return int(self.contact.size)

    def take(self, mask: npt.NDArray[np.bool_]) -> VenueEvidenceArrays:
        return VenueEvidenceArrays(*(getattr(self, f.name)[mask] for f in dataclasses.fields(self)))


@dataclass(frozen=True)
class ContactSet:
    """All contacts of one degree: what :func:`close_contacts` / :func:`secondary_contacts` return, kept as
    arrays. ``persons`` and ``first_exposed`` are sorted as those functions sort their contacts;
    :meth:`to_contacts` materialises the very same list (only needed for the few shown or stored)."""

    degree: ContactDegree
    venue: VenueEvidenceArrays
    other: tuple[tuple[int, Evidence], ...]  # household and transport evidence: (contact person, evidence)
    persons: IntArray
    first_exposed: IntArray
    window_seconds: int

    def to_contacts(self) -> list[Contact]:
        via = self.degree is ContactDegree.SECONDARY
        found: dict[int, list[Evidence]] = {}
        v = self.venue
        for person, source, venue, s_scan, s_time, c_scan, c_time in zip(
            v.contact.tolist(),
            v.source.tolist(),
            v.venue.tolist(),
            v.source_scan.tolist(),
            v.source_time.tolist(),
            v.contact_scan.tolist(),
            v.contact_time.tolist(),
            strict=True,
        ):
            found.setdefault(person, []).append(
                _venue_evidence(
                    source,
                    source if via else None,
                    venue,
                    s_scan,
                    s_time,
                    c_scan,
                    c_time,
                    self.window_seconds,
                )
            )
        for person, evidence in self.other:
            found.setdefault(person, []).append(evidence)
        return _aggregate(found, self.degree, set())


def _person_ranks(index: ScanIndex, persons: IntArray) -> tuple[IntArray, npt.NDArray[np.bool_]]:
    keys = index._person_keys
    if keys is None:
        return persons, persons >= 0
    if keys.size == 0:
        return np.zeros_like(persons), np.zeros(persons.shape, dtype=bool)
    rank = np.minimum(np.searchsorted(keys, persons), keys.size - 1).astype(np.int64)
    return rank, keys[rank] == persons


def _venue_arrays(
    index: ScanIndex, sources: IntArray, starts: IntArray, ends: IntArray, window: int
) -> VenueEvidenceArrays:
    """Every scan of each source inside its own ``[start, end]``, and every other person's scan within
    ``window`` of it at the same venue: two ``searchsorted`` passes for all sources at once."""
    empty = np.empty(0, dtype=np.int64)
    if index.size == 0 or sources.size == 0:
        return VenueEvidenceArrays(empty, empty, empty, empty, empty, empty, empty)
    rank, known = _person_ranks(index, sources)
    t_max = index.t_min + index.span - 1
    valid = known & (ends >= starts) & (ends >= index.t_min) & (starts <= t_max)
    lo = np.searchsorted(index._p_key, rank * index.span + index._clamp(starts), "left")
    hi = np.searchsorted(index._p_key, rank * index.span + index._clamp(ends), "right")
    hi = np.where(valid, hi, lo)
    counts = hi - lo
    total = int(counts.sum())
    if total == 0:
        return VenueEvidenceArrays(empty, empty, empty, empty, empty, empty, empty)
    owner = np.repeat(np.arange(sources.size, dtype=np.int64), counts)
    pos = np.repeat(lo - np.cumsum(counts) + counts, counts) + np.arange(total, dtype=np.int64)
    v_pos = index._p_pos[pos].astype(np.int64)
    s_scan = index._v_scan[v_pos].astype(np.int64)
    s_venue = index._venue_of(v_pos)
    s_time = index._time_of(v_pos)
    s_person = sources[owner]
    q, persons, c_scans, c_times = index.co_present(s_venue, s_time, window)
    keep = persons != s_person[q]
    q = q[keep]
    return VenueEvidenceArrays(
        contact=persons[keep],
        source=s_person[q],
        venue=s_venue[q],
        source_scan=s_scan[q],
        source_time=s_time[q],
        contact_scan=c_scans[keep],
        contact_time=c_times[keep],
    )


def _contact_set(
    degree: ContactDegree,
    venue: VenueEvidenceArrays,
    other: list[tuple[int, Evidence]],
    exclude: set[int],
    window: int,
) -> ContactSet:
    if exclude and venue.size:
        venue = venue.take(~np.isin(venue.contact, np.fromiter(exclude, dtype=np.int64, count=len(exclude))))
    kept = tuple((p, e) for p, e in other if p not in exclude)
    persons = np.concatenate([venue.contact, np.array([p for p, _ in kept], dtype=np.int64)])
    exposed = np.concatenate(
        [
            np.maximum(venue.source_time, venue.contact_time),
            np.array([e.exposed_at for _, e in kept], dtype=np.int64),
        ]
    )
    if persons.size == 0:
        empty = np.empty(0, dtype=np.int64)
        return ContactSet(degree, venue, kept, empty, empty, window)
    order = np.lexsort((exposed, persons))  # by person, then exposure: each person's first row is its minimum
    by_person, by_exposure = persons[order], exposed[order]
    first_rows = np.flatnonzero(np.concatenate([[True], by_person[1:] != by_person[:-1]]))
    unique, first = by_person[first_rows], by_exposure[first_rows]
    final = np.lexsort((unique, first))
    return ContactSet(degree, venue, kept, unique[final], first[final], window)


def close_contact_set(
    case: TracedCase,
    index: ScanIndex,
    households: Households,
    manifests: Manifests,
    params: TracingParams,
) -> ContactSet:
    """:func:`close_contacts` as arrays: ``close_contact_set(...).to_contacts() == close_contacts(...)``."""
    window = exposure_window(case, params, index.first_scan_at(case.person_id))
    other: list[tuple[int, Evidence]] = []
    if window.is_empty:
        venue = _venue_arrays(
            index, np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), 0
        )
    else:
        one = np.array([case.person_id], dtype=np.int64)
        venue = _venue_arrays(
            index,
            one,
            np.array([window.start], dtype=np.int64),
            np.array([window.end], dtype=np.int64),
            params.window_seconds,
        )
        _other_evidence(case.person_id, window.start, window.end, None, households, manifests, params, other)
    return _contact_set(ContactDegree.CLOSE, venue, other, {case.person_id}, params.window_seconds)


def secondary_contact_set(
    case: TracedCase,
    close: ContactSet,
    index: ScanIndex,
    households: Households,
    manifests: Manifests,
    params: TracingParams,
    isolated_at: Mapping[int, int] | None = None,
) -> ContactSet:
    """:func:`secondary_contacts` as arrays, all close contacts' windows searched at once."""
    isolated = isolated_at or {}
    sources = close.persons
    starts = close.first_exposed
    ends = np.array([isolated.get(p, params.now) for p in sources.tolist()], dtype=np.int64)
    venue = _venue_arrays(index, sources, starts, ends, params.window_seconds)
    other: list[tuple[int, Evidence]] = []
    for person, start, end in zip(sources.tolist(), starts.tolist(), ends.tolist(), strict=True):
        if end >= start:
            _other_evidence(person, start, end, person, households, manifests, params, other)
    exclude = {case.person_id, *sources.tolist()}
    return _contact_set(ContactDegree.SECONDARY, venue, other, exclude, params.window_seconds)

"""Contact tracing written again from its definition (core/tracing.py's docstring), for the tests only.

It shares nothing with core/tracing.py: it takes plain data (tuples, dicts, strings) and returns plain
data, and it is deliberately the slowest obvious reading of each rule (loops over every scan and every
passenger). Tests turn what the code under test returns into the same plain shape with :func:`plain` and
compare *every* evidence field, so a wrong kind, a missing ``via`` or a wrong seat cannot pass.

Inputs:
* ``case``: ``{"person": id, "onset": t|None, "sampled": t|None, "reported": t|None, "isolated": t|None}``
* ``scans``: ``(scan_id, person_id, venue_id, time)``
* ``households``: ``{person_id: household_id}``
* ``manifest``: ``(trip_id, person_id, mode, position, departs_at)`` with mode ``"flight"`` or ``"train"``;
  the position is the seat row (an int) on a flight, the carriage on a train.
* ``params``: ``{"now": t, "window": s, "pre_onset": s, "rows": n}``

An evidence item is a dict with every field of the definition (absent ones are None); a contact is
``(person_id, degree, first_exposed_at, evidence)`` with the evidence as a sorted list of item tuples.
"""

from __future__ import annotations

import dataclasses
from typing import Any

FIELDS = (
    "kind",
    "exposed_at",
    "source_person_id",
    "via_person_id",
    "venue_id",
    "source_scan_id",
    "source_scan_time",
    "contact_scan_id",
    "contact_scan_time",
    "overlap_seconds",
    "household_id",
    "trip_id",
    "source_position",
    "contact_position",
)

Item = tuple[Any, ...]  # one evidence item, its fields in FIELDS order
PlainContact = tuple[int, int, int, list[Item]]


def default_params(now: int) -> dict[str, int]:
    return {"now": now, "window": 30 * 60, "pre_onset": 2 * 86_400, "rows": 3}


def _item(**fields: Any) -> Item:
    return tuple(fields.get(name) for name in FIELDS)


def _canonical(items: list[Item]) -> list[Item]:
    return sorted(
        items, key=lambda item: tuple((v is None, str(type(v)), v if v is not None else 0) for v in item)
    )


def window_of(
    case: dict[str, Any], scans: list[tuple[int, int, int, int]], params: dict[str, int]
) -> tuple[int, int]:
    """``(start, end)``, both inclusive; empty when end < start."""
    end = params["now"] if case.get("isolated") is None else case["isolated"]
    for key in ("onset", "sampled", "reported"):
        if case.get(key) is not None:
            return case[key] - params["pre_onset"], end
    own = [t for _, person, _, t in scans if person == case["person"]]
    if own:
        return min(own), end
    return 1, 0


def _found_by(
    source: int,
    start: int,
    end: int,
    via: int | None,
    scans: list[tuple[int, int, int, int]],
    households: dict[int, int],
    manifest: list[tuple[str, int, str, Any, int]],
    params: dict[str, int],
) -> dict[int, list[Item]]:
    found: dict[int, list[Item]] = {}
    if end < start:
        return found
    w = params["window"]
    for s_id, s_person, s_venue, t1 in scans:
        if s_person != source or t1 < start or t1 > end:
            continue
        for c_id, c_person, c_venue, t2 in scans:
            if c_person == source or c_venue != s_venue or abs(t2 - t1) > w:
                continue
            found.setdefault(c_person, []).append(
                _item(
                    kind="venue",
                    exposed_at=t1 if t1 >= t2 else t2,
                    source_person_id=source,
                    via_person_id=via,
                    venue_id=s_venue,
                    source_scan_id=s_id,
                    source_scan_time=t1,
                    contact_scan_id=c_id,
                    contact_scan_time=t2,
                    overlap_seconds=w - abs(t2 - t1),
                )
            )
    if source in households:
        for person, household in households.items():
            if household == households[source] and person != source:
                found.setdefault(person, []).append(
                    _item(
                        kind="household",
                        exposed_at=start,
                        source_person_id=source,
                        via_person_id=via,
                        household_id=household,
                    )
                )
    for trip, person, mode, position, departs in manifest:
        if person != source or departs < start or departs > end:
            continue
        for other_trip, other, _, other_position, _ in manifest:
            if other_trip != trip or other == source:
                continue
            if mode == "flight":
                rows_apart = (
                    abs(position - other_position)
                    if type(position) is int and type(other_position) is int
                    else None
                )
                near = rows_apart is not None and rows_apart <= params["rows"]
            else:
                near = f"{position}" == f"{other_position}"
            if near:
                found.setdefault(other, []).append(
                    _item(
                        kind=mode,
                        exposed_at=departs,
                        source_person_id=source,
                        via_person_id=via,
                        trip_id=trip,
                        source_position=f"{position}",
                        contact_position=f"{other_position}",
                    )
                )
    return found


def _contacts(found: dict[int, list[Item]], degree: int, exclude: set[int]) -> list[PlainContact]:
    exposed = FIELDS.index("exposed_at")
    out = [
        (person, degree, min(item[exposed] for item in items), _canonical(items))
        for person, items in found.items()
        if person not in exclude
    ]
    return sorted(out, key=lambda c: (c[2], c[0]))


def close(case, scans, households, manifest, params) -> list[PlainContact]:  # type: ignore[no-untyped-def]
    start, end = window_of(case, scans, params)
    return _contacts(
        _found_by(case["person"], start, end, None, scans, households, manifest, params), 1, {case["person"]}
    )


def secondary(  # type: ignore[no-untyped-def]
    case, scans, households, manifest, params, isolated=None
) -> list[PlainContact]:
    isolated = isolated or {}
    first = close(case, scans, households, manifest, params)
    found: dict[int, list[Item]] = {}
    for person, _, exposed, _ in first:
        end = isolated.get(person, params["now"])
        for contact, items in _found_by(
            person, exposed, end, person, scans, households, manifest, params
        ).items():
            found.setdefault(contact, []).extend(items)
    return _contacts(found, 2, {case["person"], *(c[0] for c in first)})


def plain(contacts: Any) -> list[PlainContact]:
    """What the code under test returned (contacts with evidence objects), in the oracle's shape; the
    evidence order of each contact is checked separately (see :func:`evidence_is_ordered`)."""
    out = []
    for c in contacts:
        items = []
        for e in c.evidence:
            fields = {f.name: getattr(e, f.name) for f in dataclasses.fields(e)}
            assert set(fields) == set(FIELDS), "an evidence field the oracle does not check"
            fields["kind"] = e.kind.value
            items.append(_item(**fields))
        out.append((c.person_id, int(c.degree), c.first_exposed_at, _canonical(items)))
    return out


KIND_ORDER = {"venue": 0, "household": 1, "flight": 2, "train": 3}


def evidence_is_ordered(contacts: Any) -> bool:
    """Each contact's evidence lists venues, then household, flight, train, each by exposure instant."""
    for c in contacts:
        keys = [(KIND_ORDER[e.kind.value], e.exposed_at) for e in c.evidence]
        if keys != sorted(keys):
            return False
    return True

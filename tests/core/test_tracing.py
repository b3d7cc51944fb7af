"""Contact discovery: the indexed search equals the plain double loop, and each rule holds at its edges."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from core.tracing import (
    ContactDegree,
    ContactKind,
    Households,
    ManifestEntry,
    Manifests,
    ScanIndex,
    TracedCase,
    TracingParams,
    TransportMode,
    close_contacts,
    exposure_window,
    local_day_start,
    secondary_contacts,
)
from tests.oracles import tracing as oracle

T0 = 1_580_000_000  # 2020-01-26, an instant in the outbreak
HOUR = 3600
DAY = 86_400
PARAMS = TracingParams(now=T0 + 30 * DAY)

Scan = tuple[int, int, int, int]


def trace(
    case: TracedCase,
    scans: list[Scan],
    households: dict[int, int] | None = None,
    manifest: list[ManifestEntry] | None = None,
    params: TracingParams = PARAMS,
) -> dict[int, list[ContactKind]]:
    close = close_contacts(
        case, ScanIndex.from_scans(scans), Households(households or {}), Manifests(manifest or []), params
    )
    return {c.person_id: [e.kind for e in c.evidence] for c in close}


def test_it_counts_a_scan_exactly_at_the_window_edge_and_not_one_second_later() -> None:
    case = TracedCase(person_id=1, onset_at=T0)
    scans = [(1, 1, 7, T0), (2, 2, 7, T0 + 1800), (3, 3, 7, T0 + 1801), (4, 4, 7, T0 - 1800)]
    close = close_contacts(case, ScanIndex.from_scans(scans), Households({}), Manifests([]), PARAMS)
    assert [c.person_id for c in close] == [4, 2]
    edge = close[1].evidence[0]
    assert (edge.venue_id, edge.source_scan_time, edge.contact_scan_time) == (7, T0, T0 + 1800)
    assert edge.overlap_seconds == 0
    assert close[0].evidence[0].overlap_seconds == 0
    assert close[0].first_exposed_at == T0  # co-presence starts at the later of the two scans


def test_it_keeps_one_evidence_item_per_scan_of_a_person_scanned_twice() -> None:
    case = TracedCase(person_id=1, onset_at=T0)
    scans = [(1, 1, 7, T0), (2, 2, 7, T0 + 60), (3, 2, 7, T0 + 600)]
    close = close_contacts(case, ScanIndex.from_scans(scans), Households({}), Manifests([]), PARAMS)
    assert len(close) == 1
    assert [(e.contact_scan_id, e.overlap_seconds) for e in close[0].evidence] == [(2, 1740), (3, 1200)]


def test_it_never_lists_the_case_as_its_own_contact() -> None:
    case = TracedCase(person_id=1, onset_at=T0)
    scans = [(1, 1, 7, T0), (2, 1, 7, T0 + 60), (3, 1, 8, T0 + 120)]
    assert trace(case, scans, households={1: 5}) == {}


def test_it_ignores_a_meeting_before_the_exposure_window() -> None:
    case = TracedCase(person_id=1, onset_at=T0 + 5 * DAY)
    scans = [
        (1, 1, 7, T0 + 3 * DAY - 1),
        (2, 2, 7, T0 + 3 * DAY - 1),
        (3, 1, 8, T0 + 3 * DAY),
        (4, 3, 8, T0 + 3 * DAY),
    ]
    assert trace(case, scans) == {3: [ContactKind.VENUE]}


def test_it_ignores_a_meeting_after_isolation() -> None:
    case = TracedCase(person_id=1, onset_at=T0, isolated_at=T0 + DAY)
    scans = [(1, 1, 7, T0 + DAY), (2, 2, 7, T0 + DAY), (3, 1, 8, T0 + DAY + 1), (4, 3, 8, T0 + DAY + 1)]
    assert trace(case, scans) == {2: [ContactKind.VENUE]}


def test_it_falls_back_from_onset_to_sampling_to_report_to_first_scan() -> None:
    def rule(case: TracedCase, first_scan: int | None = None) -> tuple[int, int, str]:
        w = exposure_window(case, PARAMS, first_scan)
        return (w.start, w.end, w.rule)

    now = PARAMS.now
    assert rule(TracedCase(1, onset_at=T0, sampled_at=T0 + DAY)) == (T0 - 2 * DAY, now, "onset")
    assert rule(TracedCase(1, sampled_at=T0, reported_at=T0 + DAY)) == (T0 - 2 * DAY, now, "sampling")
    assert rule(TracedCase(1, reported_at=T0, isolated_at=T0 + HOUR)) == (T0 - 2 * DAY, T0 + HOUR, "report")
    assert rule(TracedCase(1), first_scan=T0) == (T0, now, "first_scan")
    assert exposure_window(TracedCase(1), PARAMS, None).is_empty


def test_it_traces_a_case_without_onset_date_from_two_days_before_sampling() -> None:
    case = TracedCase(person_id=1, sampled_at=T0)
    scans = [
        (1, 1, 7, T0 - 2 * DAY - 1),
        (2, 2, 7, T0 - 2 * DAY - 1),
        (3, 1, 8, T0 - 2 * DAY),
        (4, 3, 8, T0 - 2 * DAY),
    ]
    assert trace(case, scans) == {3: [ContactKind.VENUE]}


def test_it_traces_a_case_with_no_dates_from_its_first_scan() -> None:
    case = TracedCase(person_id=1)
    scans = [(1, 2, 7, T0 - DAY), (2, 1, 7, T0), (3, 3, 7, T0 + 60)]
    assert trace(case, scans) == {3: [ContactKind.VENUE]}


def test_it_finds_every_other_household_member() -> None:
    case = TracedCase(person_id=1, onset_at=T0)
    assert trace(case, [], households={1: 9, 2: 9, 3: 9, 4: 8}) == {
        2: [ContactKind.HOUSEHOLD],
        3: [ContactKind.HOUSEHOLD],
    }


def test_it_finds_flight_passengers_within_three_rows_inclusive() -> None:
    case = TracedCase(person_id=1, onset_at=T0)
    flight = [
        ManifestEntry("CA1234-20200126", p, TransportMode.FLIGHT, row, T0)
        for p, row in enumerate((20, 17, 23, 16, 24), 1)
    ]
    other_day = ManifestEntry("CA1234-20200127", 6, TransportMode.FLIGHT, 20, T0 + DAY)
    assert trace(case, [], manifest=[*flight, other_day]) == {
        2: [ContactKind.FLIGHT],
        3: [ContactKind.FLIGHT],
    }


def test_it_finds_train_passengers_in_the_same_carriage_only() -> None:
    case = TracedCase(person_id=1, onset_at=T0)
    train = [
        ManifestEntry("G101-20200126", 1, TransportMode.TRAIN, 5, T0),
        ManifestEntry("G101-20200126", 2, TransportMode.TRAIN, "5", T0),
        ManifestEntry("G101-20200126", 3, TransportMode.TRAIN, 6, T0),
    ]
    close = close_contacts(case, ScanIndex.from_scans([]), Households({}), Manifests(train), PARAMS)
    assert [(c.person_id, c.evidence[0].trip_id, c.evidence[0].contact_position) for c in close] == [
        (2, "G101-20200126", "5")
    ]


def test_it_ignores_a_trip_outside_the_exposure_window() -> None:
    case = TracedCase(person_id=1, onset_at=T0 + 5 * DAY)
    train = [ManifestEntry("G1", p, TransportMode.TRAIN, 5, T0) for p in (1, 2)]
    assert trace(case, [], manifest=train) == {}


def test_it_finds_secondary_contacts_only_after_the_close_contacts_exposure() -> None:
    case = TracedCase(person_id=1, onset_at=T0)
    scans = [
        (1, 1, 7, T0 + HOUR),  # case meets 2 at venue 7
        (2, 2, 7, T0 + HOUR),
        (3, 2, 8, T0),  # 2 meets 3 before being exposed: not a secondary contact
        (4, 3, 8, T0),
        (5, 2, 9, T0 + 2 * HOUR),  # 2 meets 4 after exposure: secondary contact via 2
        (6, 4, 9, T0 + 2 * HOUR + 60),
        (7, 2, 10, T0 + 3 * DAY),  # after 2's isolation
        (8, 5, 10, T0 + 3 * DAY),
    ]
    index = ScanIndex.from_scans(scans)
    households = Households({2: 1, 6: 1})
    close = close_contacts(case, index, households, Manifests([]), PARAMS)
    assert [c.person_id for c in close] == [2]
    second = secondary_contacts(case, close, index, households, Manifests([]), PARAMS, {2: T0 + 2 * DAY})
    assert [(c.person_id, c.degree) for c in second] == [
        (6, ContactDegree.SECONDARY),
        (4, ContactDegree.SECONDARY),
    ]
    assert {e.via_person_id for c in second for e in c.evidence} == {2}
    assert second[1].evidence[0].venue_id == 9


def test_local_day_start_is_midnight_in_shanghai() -> None:
    assert local_day_start(date(2020, 2, 1)) == int(datetime(2020, 1, 31, 16, tzinfo=UTC).timestamp())


def test_it_answers_queries_for_unknown_people_and_venues_with_nothing() -> None:
    index = ScanIndex.from_scans([(1, 1, -7, T0), (2, 2, 10**12, T0)])
    assert index.person_scans(99, T0 - DAY, T0 + DAY)[0].size == 0
    query, *_ = index.co_present(np.array([5, -7]), np.array([T0, T0 + 10 * DAY]), 60)
    assert query.size == 0


# --- the indexed search equals the oracle on generated cities ---

GRID = 300  # scans on a 5-minute grid, so window edges (multiples of 300 s) are hit exactly


@st.composite
def cities(
    draw: st.DrawFn,
) -> tuple[TracedCase, list[Scan], dict[int, int], list[ManifestEntry], TracingParams, dict[int, int]]:
    person_ids = draw(
        st.sampled_from([list(range(8)), [-3, -2, -1, 0, 1, 2, 3, 4], [10**12 + i for i in range(8)]])
    )
    venue_ids = draw(st.sampled_from([[0, 1, 2], [-5, 7, 10**9]]))
    steps = st.integers(0, 24)
    raw = draw(
        st.lists(st.tuples(st.sampled_from(person_ids), st.sampled_from(venue_ids), steps), max_size=40)
    )
    # The case scans often, so that most generated cities have venue contacts to compare.
    raw += draw(st.lists(st.tuples(st.just(person_ids[0]), st.sampled_from(venue_ids), steps), max_size=6))
    scans = [(1000 + i, p, v, T0 + s * GRID) for i, (p, v, s) in enumerate(raw)]
    households = draw(st.dictionaries(st.sampled_from(person_ids), st.integers(0, 2), max_size=8))
    manifest = [
        ManifestEntry(trip, p, mode, pos, T0 + step * GRID)
        for trip, mode, step, positions in (
            ("MU5101-20200126", TransportMode.FLIGHT, draw(steps), st.integers(1, 10)),
            ("D3001-20200126", TransportMode.TRAIN, draw(steps), st.sampled_from([1, 2, "1", "2"])),
        )
        for p, pos in draw(st.lists(st.tuples(st.sampled_from(person_ids), positions), max_size=6))
    ]
    maybe = st.one_of(st.none(), steps.map(lambda s: T0 + s * GRID))
    case = TracedCase(
        person_id=person_ids[0],
        onset_at=draw(maybe),
        sampled_at=draw(maybe),
        reported_at=draw(maybe),
        isolated_at=draw(maybe),
    )
    params = TracingParams(
        now=T0 + draw(st.integers(12, 30)) * GRID,
        window_seconds=draw(st.sampled_from([0, 300, 600, 900])),
        pre_onset_seconds=draw(st.sampled_from([0, 1800, 3 * HOUR])),
        flight_row_distance=draw(st.sampled_from([0, 1, 3])),
    )
    isolated = draw(
        st.dictionaries(st.sampled_from(person_ids), steps.map(lambda s: T0 + s * GRID), max_size=4)
    )
    return case, scans, households, manifest, params, isolated


def oracle_inputs(
    case: TracedCase, manifest: list[ManifestEntry], params: TracingParams
) -> tuple[dict[str, int | None], list[tuple[str, int, str, int | str, int]], dict[str, int]]:
    """The generated city in the independent oracle's plain shapes."""
    plain_case = {
        "person": case.person_id,
        "onset": case.onset_at,
        "sampled": case.sampled_at,
        "reported": case.reported_at,
        "isolated": case.isolated_at,
    }
    plain_manifest = [(m.trip_id, m.person_id, m.mode.value, m.position, m.departs_at) for m in manifest]
    plain_params = {
        "now": params.now,
        "window": params.window_seconds,
        "pre_onset": params.pre_onset_seconds,
        "rows": params.flight_row_distance,
    }
    return plain_case, plain_manifest, plain_params


@settings(max_examples=400, deadline=None)
@given(cities())
def test_indexed_close_and_secondary_contacts_equal_the_independent_oracle(
    city: tuple[TracedCase, list[Scan], dict[int, int], list[ManifestEntry], TracingParams, dict[int, int]],
) -> None:
    case, scans, households, manifest, params, isolated = city
    index = ScanIndex.from_scans(scans)
    hh, mf = Households(households), Manifests(manifest)
    close = close_contacts(case, index, hh, mf, params)
    o_case, o_manifest, o_params = oracle_inputs(case, manifest, params)
    assert oracle.plain(close) == oracle.close(o_case, scans, households, o_manifest, o_params)
    second = secondary_contacts(case, close, index, hh, mf, params, isolated)
    assert oracle.plain(second) == oracle.secondary(o_case, scans, households, o_manifest, o_params, isolated)
    assert oracle.evidence_is_ordered(close) and oracle.evidence_is_ordered(second)

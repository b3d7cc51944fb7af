"""The vectorised contact sets equal the independent oracle (tests/oracles/tracing.py) on every generated city."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings

from core.tracing import (
    Households,
    ManifestEntry,
    Manifests,
    ScanIndex,
    TracedCase,
    TracingParams,
    close_contact_set,
    secondary_contact_set,
)
from tests.core.test_tracing import DAY, T0, Scan, cities, oracle_inputs
from tests.oracles import tracing as oracle


@settings(max_examples=400, deadline=None)
@given(cities())
def test_contact_sets_equal_the_independent_oracle(
    city: tuple[TracedCase, list[Scan], dict[int, int], list[ManifestEntry], TracingParams, dict[int, int]],
) -> None:
    case, scans, households, manifest, params, isolated = city
    index = ScanIndex.from_scans(scans)
    hh, mf = Households(households), Manifests(manifest)
    o_case, o_manifest, o_params = oracle_inputs(case, manifest, params)
    close = close_contact_set(case, index, hh, mf, params)
    expected_close = oracle.close(o_case, scans, households, o_manifest, o_params)
    assert oracle.plain(close.to_contacts()) == expected_close
    assert oracle.evidence_is_ordered(close.to_contacts())
    assert close.persons.tolist() == [c[0] for c in expected_close]
    assert close.first_exposed.tolist() == [c[2] for c in expected_close]
    second = secondary_contact_set(case, close, index, hh, mf, params, isolated)
    expected = oracle.secondary(o_case, scans, households, o_manifest, o_params, isolated)
    assert oracle.plain(second.to_contacts()) == expected
    assert second.persons.tolist() == [c[0] for c in expected]
    assert second.first_exposed.tolist() == [c[2] for c in expected]


def test_a_window_outside_the_data_finds_nothing_not_the_edge_scans() -> None:
    scans = [(1, 1, 5, T0), (2, 2, 5, T0 + 60)]
    index = ScanIndex.from_scans(scans)
    late = TracedCase(person_id=1, onset_at=T0 + 10 * DAY)
    params = TracingParams(now=T0 + 12 * DAY)
    assert close_contact_set(late, index, Households({}), Manifests([]), params).persons.size == 0
    early = TracedCase(person_id=1, onset_at=T0 + 2 * DAY - 10)
    found = close_contact_set(early, index, Households({}), Manifests([]), params)
    assert np.array_equal(found.persons, np.array([2]))

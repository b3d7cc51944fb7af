"""The vectorised contact sets equal the plain double loop on every generated city."""

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
    close_contacts_bruteforce,
    secondary_contact_set,
    secondary_contacts_bruteforce,
)
from tests.core.test_tracing import DAY, T0, Scan, cities


@settings(max_examples=400, deadline=None)
@given(cities())
def test_contact_sets_equal_the_double_loop(
    city: tuple[TracedCase, list[Scan], dict[int, int], list[ManifestEntry], TracingParams, dict[int, int]],
) -> None:
    case, scans, households, manifest, params, isolated = city
    index = ScanIndex.from_scans(scans)
    hh, mf = Households(households), Manifests(manifest)
    close = close_contact_set(case, index, hh, mf, params)
    expected_close = close_contacts_bruteforce(case, scans, households, manifest, params)
    assert close.to_contacts() == expected_close
    assert close.persons.tolist() == [c.person_id for c in expected_close]
    assert close.first_exposed.tolist() == [c.first_exposed_at for c in expected_close]
    second = secondary_contact_set(case, close, index, hh, mf, params, isolated)
    expected = secondary_contacts_bruteforce(case, scans, households, manifest, params, isolated)
    assert second.to_contacts() == expected
    assert second.persons.tolist() == [c.person_id for c in expected]


def test_a_window_outside_the_data_finds_nothing_not_the_edge_scans() -> None:
    scans = [(1, 1, 5, T0), (2, 2, 5, T0 + 60)]
    index = ScanIndex.from_scans(scans)
    late = TracedCase(person_id=1, onset_at=T0 + 10 * DAY)
    params = TracingParams(now=T0 + 12 * DAY)
    assert close_contact_set(late, index, Households({}), Manifests([]), params).persons.size == 0
    early = TracedCase(person_id=1, onset_at=T0 + 2 * DAY - 10)
    found = close_contact_set(early, index, Households({}), Manifests([]), params)
    assert np.array_equal(found.persons, np.array([2]))

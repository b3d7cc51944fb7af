"""Clusters: union–find components equal a breadth-first search, and the window and size rules hold."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from core.clusters import CaseLink, ClusterCase, find_clusters, find_clusters_bfs

D0 = date(2020, 2, 1)


def cases(*pairs: tuple[int, int]) -> list[ClusterCase]:
    return [ClusterCase(case_id, D0 + timedelta(days=offset)) for case_id, offset in pairs]


def test_it_groups_linked_cases_into_one_cluster_with_its_dates_and_venues() -> None:
    found = find_clusters(
        cases((1, 0), (2, 3), (3, 9), (4, 2)),
        [CaseLink(1, 2, venue_id=70), CaseLink(2, 3), CaseLink(1, 3, venue_id=71)],
    )
    assert len(found) == 1
    cluster = found[0]
    assert (cluster.members, cluster.size) == ((1, 2, 3), 3)
    assert (cluster.first_day, cluster.last_day) == (D0, D0 + timedelta(days=9))
    assert cluster.venue_ids == (70, 71)


def test_it_ignores_a_single_case_and_links_to_people_who_are_not_cases() -> None:
    assert find_clusters(cases((1, 0)), [CaseLink(1, 99), CaseLink(1, 1)]) == []


def test_it_links_cases_exactly_fourteen_days_apart_but_not_fifteen() -> None:
    assert [c.members for c in find_clusters(cases((1, 0), (2, 14)), [CaseLink(1, 2)])] == [(1, 2)]
    assert find_clusters(cases((1, 0), (2, 15)), [CaseLink(1, 2)]) == []
    assert [c.members for c in find_clusters(cases((1, 0), (2, 15)), [CaseLink(1, 2)], window_days=15)] == [
        (1, 2)
    ]


def test_it_chains_cases_through_intermediate_links_beyond_the_window() -> None:
    found = find_clusters(cases((1, 0), (2, 10), (3, 20)), [CaseLink(1, 2), CaseLink(2, 3)])
    assert [(c.members, c.first_day, c.last_day) for c in found] == [((1, 2, 3), D0, D0 + timedelta(days=20))]


def test_it_sorts_clusters_by_first_day() -> None:
    found = find_clusters(cases((1, 5), (2, 6), (3, 0), (4, 1)), [CaseLink(1, 2), CaseLink(4, 3)])
    assert [c.members for c in found] == [(3, 4), (1, 2)]


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(st.integers(0, 30), st.integers(0, 40), max_size=30),
    st.lists(st.tuples(st.integers(0, 35), st.integers(0, 35), st.none() | st.integers(0, 3)), max_size=60),
    st.integers(0, 20),
)
def test_union_find_equals_breadth_first_search(
    days: dict[int, int], raw_links: list[tuple[int, int, int | None]], window: int
) -> None:
    case_list = cases(*days.items())
    links = [CaseLink(a, b, v) for a, b, v in raw_links]
    assert find_clusters(case_list, links, window) == find_clusters_bfs(case_list, links, window)

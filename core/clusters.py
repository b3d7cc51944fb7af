"""Clusters (聚集性疫情): connected components of cases joined by transmission or contact links within a window.

A link joins two cases when both are known cases and their dates (onset, or report when onset is unknown;
the caller chooses) are at most ``window_days`` apart. A cluster is a component of two or more cases.
Links that name an unknown case, and self-links, are ignored: contact links may point at people who never
became cases.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

DEFAULT_WINDOW_DAYS = 14


@dataclass(frozen=True)
class ClusterCase:
    case_id: int
    day: date  # onset date, or report date when onset is unknown


@dataclass(frozen=True)
class CaseLink:
    """Infector → infectee (or a confirmed contact between two cases); ``venue_id`` where it happened."""

    source_id: int
    target_id: int
    venue_id: int | None = None


@dataclass(frozen=True)
class Cluster:
    members: tuple[int, ...]  # case ids, ascending
    first_day: date
    last_day: date
    venue_ids: tuple[int, ...]  # venues of the links inside the cluster, ascending

    @property
    def size(self) -> int:
        return len(self.members)


class _UnionFind:
    def __init__(self, items: Iterable[int]) -> None:
        self.parent = {i: i for i in items}
        self.size = dict.fromkeys(self.parent, 1)

    def find(self, item: int) -> int:
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:  # path compression keeps later finds near O(1)
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]


def _effective_links(days: dict[int, date], links: Iterable[CaseLink], window_days: int) -> list[CaseLink]:
    return [
        link
        for link in links
        if link.source_id != link.target_id
        and link.source_id in days
        and link.target_id in days
        and abs((days[link.source_id] - days[link.target_id]).days) <= window_days
    ]


def _build(
    components: Iterable[list[int]], days: dict[int, date], links: list[CaseLink], root_of: dict[int, int]
) -> list[Cluster]:
    venues: dict[int, set[int]] = {}
    for link in links:
        if link.venue_id is not None:
            venues.setdefault(root_of[link.source_id], set()).add(link.venue_id)
    clusters = []
    for members in components:
        if len(members) < 2:
            continue
        member_days = [days[m] for m in members]
        clusters.append(
            Cluster(
                members=tuple(sorted(members)),
                first_day=min(member_days),
                last_day=max(member_days),
                venue_ids=tuple(sorted(venues.get(root_of[members[0]], ()))),
            )
        )
    clusters.sort(key=lambda c: (c.first_day, c.members[0]))
    return clusters


def find_clusters(
    cases: Sequence[ClusterCase], links: Iterable[CaseLink], window_days: int = DEFAULT_WINDOW_DAYS
) -> list[Cluster]:
    """Clusters of two or more cases, sorted by first day then smallest case id (union–find)."""
    if window_days < 0:
        raise ValueError("window_days must be non-negative")
    days = {c.case_id: c.day for c in cases}
    effective = _effective_links(days, links, window_days)
    forest = _UnionFind(days)
    for link in effective:
        forest.union(link.source_id, link.target_id)
    root_of = {case_id: forest.find(case_id) for case_id in days}
    components: dict[int, list[int]] = {}
    for case_id, root in root_of.items():
        components.setdefault(root, []).append(case_id)
    return _build(components.values(), days, effective, root_of)


def find_clusters_bfs(
    cases: Sequence[ClusterCase], links: Iterable[CaseLink], window_days: int = DEFAULT_WINDOW_DAYS
) -> list[Cluster]:
    """Oracle for :func:`find_clusters`: breadth-first search over an adjacency list."""
    days = {c.case_id: c.day for c in cases}
    effective = _effective_links(days, links, window_days)
    neighbours: dict[int, list[int]] = {case_id: [] for case_id in days}
    for link in effective:
        neighbours[link.source_id].append(link.target_id)
        neighbours[link.target_id].append(link.source_id)
    root_of: dict[int, int] = {}
    components = []
    for start in days:
        if start in root_of:
            continue
        root_of[start] = start
        queue, seen = [start], [start]
        while queue:
            node = queue.pop(0)
            for other in neighbours[node]:
                if other not in root_of:
                    root_of[other] = start
                    queue.append(other)
                    seen.append(other)
        components.append(seen)
    return _build(components, days, effective, root_of)

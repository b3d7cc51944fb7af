"""Side effects of case changes, run after the transaction commits: code recompute, tracing, clusters, risk.

Events of one transaction are collected and the first on-commit callback drains them all, so a lab
batch with a hundred positives recomputes the clusters and the risk levels once, not a hundred times.
The collection belongs to the outermost atomic block; a rolled-back transaction's events are dropped
with it (its callbacks never run, and the next transaction starts a new collection).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable
from typing import Any

from django.db import transaction

_state = threading.local()


def _outer_block() -> Any:
    connection = transaction.get_connection()
    return connection.atomic_blocks[0] if connection.in_atomic_block and connection.atomic_blocks else None


def _pending() -> dict[str, Any]:
    # Keyed by the outermost atomic block: events of a rolled-back transaction never leak into the next.
    block = _outer_block()
    state = getattr(_state, "pending", None)
    if state is None:
        same = False
    elif state["block"] is None:
        same = block is None
    else:
        same = block is not None and state["block"]() is block
    if not same:
        state = _state.pending = {
            "block": None if block is None else weakref.ref(block),
            "persons": set(),
            "cases": set(),
            "clusters": False,
            "risk": False,
        }
    return state


def person_changed(person_ids: Iterable[int]) -> None:
    """The person's health-code facts changed (case, contact, lab): recompute their codes at once."""
    _pending()["persons"].update(int(p) for p in person_ids)
    transaction.on_commit(flush)


def case_infection_found(case_id: int) -> None:
    """A case became confirmed or asymptomatic: trace its contacts, recompute clusters and risk."""
    state = _pending()
    state["cases"].add(case_id)
    state["clusters"] = state["risk"] = True
    transaction.on_commit(flush)


def links_changed() -> None:
    state = _pending()
    state["clusters"] = state["risk"] = True
    transaction.on_commit(flush)


def risk_changed() -> None:
    _pending()["risk"] = True
    transaction.on_commit(flush)


def flush() -> None:
    state = getattr(_state, "pending", None)
    if state is None:
        return
    persons, cases = sorted(state["persons"]), sorted(state["cases"])
    clusters, risk = state["clusters"], state["risk"]
    _state.pending = None
    if not (persons or cases or clusters or risk):
        return
    from apps.cases import tasks

    if cases:
        for case_id in cases:
            tasks.trace_case.enqueue(case_id)
    if clusters or risk:
        tasks.recompute_clusters_and_risk.enqueue(clusters)
    if persons:
        codes_recompute(persons)


def codes_recompute(person_ids: list[int]) -> None:
    from apps.codes.services import codes_recompute_on_commit

    codes_recompute_on_commit(person_ids)

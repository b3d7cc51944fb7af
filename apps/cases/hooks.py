"""Side effects of case changes, run after the transaction commits: code recompute, tracing, clusters, risk.

Events of one transaction are collected and the first on-commit callback drains them all, so a lab
batch with a hundred positives recomputes the clusters and the risk levels once, not a hundred times.
A rolled-back transaction leaves its events behind; the next commit then does a little extra, idempotent
work (recomputing a code or a risk level twice is harmless, a vanished case id is skipped).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from django.db import transaction

_state = threading.local()


def _pending() -> dict[str, Any]:
    state = getattr(_state, "pending", None)
    if state is None:
        state = _state.pending = {"persons": set(), "cases": set(), "clusters": False, "risk": False}
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
    state = _pending()
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

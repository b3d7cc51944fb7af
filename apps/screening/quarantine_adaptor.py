"""The one door to apps.quarantine (issue 12): a visit that orders quarantine proposes an order there, or, while
that app is not installed, leaves the action pending on the work item."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps

from apps.common.errors import ServiceError

PENDING = "quarantine"


def quarantine_available() -> bool:
    return apps.is_installed("apps.quarantine")


def propose_quarantine(
    *, person: Any, item_id: int, last_exposure: dt.datetime, actor: Any, note: str = ""
) -> str:
    """Propose a centralised quarantine order; returns the order's reference, or "" when it must wait (no
    quarantine app, or no registered person to order)."""
    if person is None or not quarantine_available():
        return ""
    from apps.quarantine.services import propose_order  # type: ignore[import-not-found,unused-ignore]

    try:
        order = propose_order(
            person=person,
            source="screening",
            source_ref=f"workitem:{item_id}",
            last_exposure=last_exposure,
            actor=actor,
            note=note,
        )
    except ServiceError as exc:
        if exc.code == "duplicate_order":  # the same visit saved twice: the first order stands
            return f"workitem:{item_id}"
        raise
    return f"order:{order.pk}"

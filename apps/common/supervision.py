"""The one service through which any module raises a supervised task (督办) and closes it when its source is resolved.

apps.common imports no other app: the task service (apps.command) registers its handlers in its AppConfig.ready.
A module that finds something the headquarters must supervise calls::

    from apps.common.supervision import raise_task, resolve_source

    raise_task(
        source_ref="arrivals.stage:42",     # "<app label>.<model>:<pk>": one open task per source, so calling
                                            # again while the task is open changes nothing (idempotent)
        title="...", description="...",
        area_code="990101",                 # the area whose officers see and work on it
        due_at=None,                        # aware datetime; default: TONGCHOU_TASK_DEFAULT_HOURS from now
        priority="high",                    # "low" | "normal" | "high" | "urgent"
        evidence_required="...",            # what must be shown to close it
        link="/arrivals/42/",               # the source's page
    )
    resolve_source("arrivals.stage:42")     # the source is resolved: its open task closes, recorded as such

Sources wired today: an overdue hotline ticket escalated to the headquarters (enterprises.ticket), a red major
project (projects.project). Arrivals (overdue stage), screening (overdue work items) and quarantine (repeated
missed check-ins) call the same two functions. Without a registered handler both return None / 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

PRIORITIES = ("low", "normal", "high", "urgent")

RaiseHandler = Callable[..., Any]
ResolveHandler = Callable[[str, str], int]
_raise: RaiseHandler | None = None
_resolve: ResolveHandler | None = None


def register_handlers(raise_handler: RaiseHandler, resolve_handler: ResolveHandler) -> None:
    global _raise, _resolve
    _raise, _resolve = raise_handler, resolve_handler


def raise_task(
    *,
    source_ref: str,
    title: str,
    area_code: str,
    description: str = "",
    due_at: dt.datetime | None = None,
    priority: str = "normal",
    evidence_required: str = "",
    link: str = "",
) -> Any:
    """Open (or find the open) task of this source; returns it, or None when no task service is installed."""
    if ":" not in source_ref or "." not in source_ref.split(":", 1)[0]:
        raise ValueError("a source_ref is '<app label>.<model>:<pk>'")
    if priority not in PRIORITIES:
        raise ValueError(f"priority is one of {PRIORITIES}")
    if _raise is None:
        return None
    return _raise(
        source_ref=source_ref,
        title=title,
        area_code=area_code,
        description=description,
        due_at=due_at,
        priority=priority,
        evidence_required=evidence_required,
        link=link,
    )


def resolve_source(source_ref: str, note: str = "") -> int:
    """Close the open task of this source (the source itself was resolved); returns how many closed."""
    if _resolve is None:
        return 0
    return _resolve(source_ref, note)

"""The one way any app sends a notification (一个通知中心): `notify(...)`, without importing the app that stores them.

apps.common imports no other app, so the notification centre (apps.command) hands this module its sink in its
AppConfig.ready (`register_sink`). A module raises a notification like this::

    from apps.common.notify import notify

    notify(
        kind="quarantine.missed_checkin",   # "<app label>.<what>": the inbox filters by the app label
        title=gettext_noop("Missed check-in at %(site)s"),  # an English msgid (marked with gettext_noop) ...
        params={"site": site.name},         # ... and its values: each reader sees it in their own language
        body="",                            # the same way: a msgid formatted with params
        area_code=stay.area_id,             # who sees it: holders of `perm` at or above this area ...
        also_area_code="",                  # ... or at or above this second area (e.g. the residence)
        perm="quarantine.view",             # the permission that makes a user an addressee
        user_ids=(),                        # ... and/or named users, whatever their areas
        severity="warning",                 # "info" | "warning" | "urgent" (urgent goes out at once)
        link="/quarantine/stays/12/",       # the page where it is handled
        source_ref="quarantine.stay:12",    # `notify_resolved(source_ref)` marks it handled
    )

With no sink registered (the centre not installed), a notification is dropped: a module never fails because the
centre is missing. `notify_many` takes a list of the same keyword dictionaries (one bulk insert).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

SEVERITIES = ("info", "warning", "urgent")


@dataclass(frozen=True)
class Note:
    kind: str
    title: str
    body: str = ""
    area_code: str = ""
    also_area_code: str = ""
    perm: str = ""
    user_ids: Sequence[int] = field(default_factory=tuple)
    severity: str = "info"
    link: str = ""
    source_ref: str = ""
    params: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if "." not in self.kind:
            raise ValueError("a notification kind is '<app label>.<what>'")
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity is one of {SEVERITIES}")
        if not (self.user_ids or (self.perm and self.area_code)):
            raise ValueError("a notification needs named users or a permission at an area")


Sink = Callable[[list[Note]], int]
Resolver = Callable[[str], int]
_sink: Sink | None = None
_resolver: Resolver | None = None


def register_sink(sink: Sink, resolver: Resolver) -> None:
    """Called once by the notification centre's AppConfig.ready."""
    global _sink, _resolver
    _sink, _resolver = sink, resolver


def notify(**kwargs: object) -> int:
    """Store one notification (see the module docstring); returns how many were stored (0 without a centre)."""
    return notify_many([kwargs])


def notify_many(items: Iterable[dict[str, object]]) -> int:
    notes = [Note(**item) for item in items]  # type: ignore[arg-type]
    if _sink is None or not notes:
        return 0
    return _sink(notes)


def notify_resolved(source_ref: str) -> int:
    """Mark every notification of this source as handled; returns how many changed."""
    if _resolver is None or not source_ref:
        return 0
    return _resolver(source_ref)

"""The stay and room state machines, each one table of allowed steps.

Stay: 待分配 waiting → 隔离中 active → (健康监测 monitoring) → 解除 released; early release (second person's
approval) and transfer to hospital from any open status; a waiting stay may be cancelled. A transfer between
rooms or sites keeps the status (it is an event, not a step). Room: free → occupied → cleaning → free; a free
or cleaning room may go out of order and back to free. Anything not in a table is refused.
"""

from __future__ import annotations

from apps.quarantine.choices import RoomStatus as R
from apps.quarantine.choices import StayStatus as S

STAY_TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {
        (S.WAITING, S.ACTIVE),
        (S.WAITING, S.CANCELLED),
        (S.WAITING, S.HOSPITAL),
        (S.ACTIVE, S.MONITORING),
        (S.ACTIVE, S.RELEASED),
        (S.ACTIVE, S.RELEASED_EARLY),
        (S.ACTIVE, S.HOSPITAL),
        (S.MONITORING, S.RELEASED),
        (S.MONITORING, S.RELEASED_EARLY),
        (S.MONITORING, S.HOSPITAL),
    }
)

ROOM_TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {
        (R.FREE, R.OCCUPIED),
        (R.OCCUPIED, R.CLEANING),  # the last occupant left: 终末消毒 before anyone else
        (R.CLEANING, R.FREE),
        (R.FREE, R.OUT_OF_ORDER),
        (R.CLEANING, R.OUT_OF_ORDER),
        (R.OUT_OF_ORDER, R.FREE),
    }
)


def stay_step_allowed(frm: str, to: str) -> bool:
    return (frm, to) in STAY_TRANSITIONS


def room_step_allowed(frm: str, to: str) -> bool:
    return (frm, to) in ROOM_TRANSITIONS

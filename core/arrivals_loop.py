"""The inbound closed loop (闭环管理) as one table: stages, allowed steps, evidence, owners, deadlines, board.

运输介入 → 口岸检疫 → 分类转运 → 集中隔离 / 定点救治 → 社区防控 → 闭环 (seed 000). Every traveller is in
exactly one stage at any time, from arrival until closed; a step not in ``TRANSITIONS`` is refused,
and leaving a stage needs that stage's evidence (a transfer: the vehicle and the receiving site; a
centralised quarantine: the stay). Deadlines come from configurable stage durations; a stage past its
deadline alerts its owner, and past ``escalate_after`` more, the district.

The board counts travellers per stage, per owner and per day of arrival. Because a traveller's
stage is one value, ``arrived == sum(open stages) + closed`` holds by construction for any sequence
of events; ``Board.reconciles`` states it, and the tests check it over random event sequences.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Final


class Stage(enum.StrEnum):
    TRANSPORT = "transport"  # 运输介入
    PORT = "port"  # 口岸检疫
    TRANSFER = "transfer"  # 分类转运
    CENTRALISED = "centralised"  # 集中隔离
    HOSPITAL = "hospital"  # 定点救治
    COMMUNITY = "community"  # 社区防控
    CLOSED = "closed"  # 闭环


OPEN_STAGES: Final = tuple(s for s in Stage if s is not Stage.CLOSED)

# Allowed steps. A traveller found positive may go to the designated hospital from the port, from
# transfer or from quarantine; a low-risk traveller of the same province may go from the port to
# community follow-up directly; every other path passes through a transfer.
TRANSITIONS: Final[frozenset[tuple[Stage, Stage]]] = frozenset(
    {
        (Stage.TRANSPORT, Stage.PORT),
        (Stage.PORT, Stage.TRANSFER),
        (Stage.PORT, Stage.HOSPITAL),
        (Stage.PORT, Stage.COMMUNITY),
        (Stage.TRANSFER, Stage.CENTRALISED),
        (Stage.TRANSFER, Stage.HOSPITAL),
        (Stage.TRANSFER, Stage.COMMUNITY),
        (Stage.CENTRALISED, Stage.HOSPITAL),
        (Stage.CENTRALISED, Stage.COMMUNITY),
        (Stage.HOSPITAL, Stage.COMMUNITY),
        (Stage.COMMUNITY, Stage.CLOSED),
    }
)

# Evidence needed to leave a stage (closing it): opaque references the app checks.
EVIDENCE: Final[dict[Stage, tuple[str, ...]]] = {
    Stage.TRANSFER: ("vehicle", "receiving_site"),
    Stage.CENTRALISED: ("stay",),
}

# Who owns a stage: a role (the app's accounts.Role values) at the port's or the destination's area.
OWNERS: Final[dict[Stage, tuple[str, str]]] = {
    Stage.TRANSPORT: ("checkpoint_operator", "port"),
    Stage.PORT: ("checkpoint_operator", "port"),
    Stage.TRANSFER: ("district_officer", "destination"),
    Stage.CENTRALISED: ("quarantine_manager", "destination"),
    Stage.HOSPITAL: ("clinician", "destination"),
    Stage.COMMUNITY: ("community_worker", "destination"),
}

# Default stage durations in hours (settings may override each).
DEFAULT_HOURS: Final[dict[Stage, int]] = {
    Stage.TRANSPORT: 2,
    Stage.PORT: 4,
    Stage.TRANSFER: 6,
    Stage.CENTRALISED: 14 * 24,
    Stage.HOSPITAL: 28 * 24,
    Stage.COMMUNITY: 14 * 24,
}
DEFAULT_ESCALATE_AFTER: Final = timedelta(hours=12)


class LoopError(ValueError):
    """A refused step; ``code`` is stable (``step_not_allowed``, ``evidence_missing``)."""

    def __init__(self, code: str, detail: str = "", missing: tuple[str, ...] = ()) -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.missing = missing


def is_allowed(frm: Stage, to: Stage) -> bool:
    return (frm, to) in TRANSITIONS


def allowed_next(frm: Stage) -> list[Stage]:
    return [to for to in Stage if (frm, to) in TRANSITIONS]


def check_step(frm: Stage, to: Stage, evidence: Mapping[str, str]) -> None:
    """Raise ``LoopError`` unless ``frm → to`` is allowed and ``evidence`` holds what ``frm`` needs."""
    if not is_allowed(frm, to):
        raise LoopError("step_not_allowed", f"{frm} → {to}")
    missing = tuple(name for name in EVIDENCE.get(frm, ()) if not str(evidence.get(name, "")).strip())
    if missing:
        raise LoopError("evidence_missing", ", ".join(missing), missing)


def durations(overrides: Mapping[str, float] | None = None) -> dict[Stage, timedelta]:
    hours: dict[Stage, float] = {stage: float(h) for stage, h in DEFAULT_HOURS.items()}
    for name, value in (overrides or {}).items():
        hours[Stage(name)] = float(value)
    return {stage: timedelta(hours=h) for stage, h in hours.items()}


def deadline(stage: Stage, entered_at: datetime, spans: Mapping[Stage, timedelta]) -> datetime | None:
    return None if stage is Stage.CLOSED else entered_at + spans[stage]


class Overdue(enum.IntEnum):
    NO = 0
    OWNER = 1  # past the deadline: the stage's owner is alerted
    DISTRICT = 2  # past the deadline by ``escalate_after``: the district too


def overdue(
    due: datetime | None, now: datetime, escalate_after: timedelta = DEFAULT_ESCALATE_AFTER
) -> Overdue:
    if due is None or now <= due:
        return Overdue.NO
    return Overdue.DISTRICT if now > due + escalate_after else Overdue.OWNER


# --------------------------------------------------------------------------- the board


@dataclass(frozen=True, slots=True)
class Row:
    """One traveller as the board sees it."""

    stage: Stage
    owner: str  # "role@area-code"; "" when closed
    arrival_day: date
    overdue: bool


@dataclass(slots=True)
class Board:
    arrived: int = 0
    by_stage: Counter[Stage] = field(default_factory=Counter)
    by_owner: Counter[tuple[str, Stage]] = field(default_factory=Counter)
    by_day: Counter[tuple[date, Stage]] = field(default_factory=Counter)
    overdue_by_stage: Counter[Stage] = field(default_factory=Counter)

    @property
    def closed(self) -> int:
        return self.by_stage[Stage.CLOSED]

    @property
    def in_loop(self) -> int:
        return sum(self.by_stage[s] for s in OPEN_STAGES)

    def reconciles(self) -> bool:
        """Nobody leaves the loop unseen: per stage, per owner and per day, the parts add up."""
        days: Counter[date] = Counter()
        for (day, _stage), n in self.by_day.items():
            days[day] += n
        return (
            self.arrived == self.in_loop + self.closed
            and sum(self.by_owner.values()) == self.in_loop
            and sum(days.values()) == self.arrived
            and all(self.overdue_by_stage[s] <= self.by_stage[s] for s in OPEN_STAGES)
        )


def board(rows: Iterable[Row]) -> Board:
    result = Board()
    for row in rows:
        result.arrived += 1
        result.by_stage[row.stage] += 1
        result.by_day[(row.arrival_day, row.stage)] += 1
        if row.stage is not Stage.CLOSED:
            result.by_owner[(row.owner, row.stage)] += 1
            if row.overdue:
                result.overdue_by_stage[row.stage] += 1
    return result

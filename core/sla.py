"""Enterprise hotline (企业服务热线) ticket deadlines in wall-clock or working time, escalation, SLA reports."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import IntEnum
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class WorkingCalendar:
    """Office hours in a local zone; `holidays` close a weekday, `extra_workdays` open a weekend (调休)."""

    tz: str = "Asia/Shanghai"
    opens: dt.time = dt.time(9, 0)
    closes: dt.time = dt.time(17, 30)
    weekdays: frozenset[int] = frozenset(range(5))  # Monday = 0
    holidays: frozenset[dt.date] = frozenset()
    extra_workdays: frozenset[dt.date] = frozenset()

    def __post_init__(self) -> None:
        if self.opens >= self.closes:
            raise ValueError("a working day must open before it closes")

    def is_workday(self, day: dt.date) -> bool:
        if day in self.extra_workdays:
            return True
        return day.weekday() in self.weekdays and day not in self.holidays

    def window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        """The day's working interval as aware instants, or None on a day off."""
        if not self.is_workday(day):
            return None
        zone = ZoneInfo(self.tz)
        return dt.datetime.combine(day, self.opens, zone), dt.datetime.combine(day, self.closes, zone)


def _require_aware(name: str, value: dt.datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


# A calendar with no working day at all would loop for ever; a year without one is surely a mistake.
_MAX_IDLE_DAYS = 366


def deadline(
    opened_at: dt.datetime, sla: dt.timedelta, calendar: WorkingCalendar | None = None
) -> dt.datetime:
    """When a ticket opened at `opened_at` is due, as an aware UTC instant.

    Without a calendar the SLA runs on the wall clock. With one, only working time counts: a ticket opened
    after hours starts the clock at the next opening, and a deadline that falls exactly at closing time is
    that closing time, not the next morning.
    """
    _require_aware("opened_at", opened_at)
    if sla < dt.timedelta(0):
        raise ValueError("an SLA cannot be negative")
    if calendar is None or sla == dt.timedelta(0):
        return (opened_at + sla).astimezone(dt.UTC)
    remaining = sla
    zone = ZoneInfo(calendar.tz)
    day = opened_at.astimezone(zone).date()
    idle = 0
    while True:
        window = calendar.window(day)
        if window is None:
            idle += 1
            if idle > _MAX_IDLE_DAYS:
                raise ValueError("the working calendar has no working day within a year")
        else:
            idle = 0
            start = max(window[0], opened_at)
            if start < window[1]:
                available = window[1] - start
                if remaining <= available:
                    return (start + remaining).astimezone(dt.UTC)
                remaining -= available
        day += dt.timedelta(days=1)


def working_time_between(start: dt.datetime, end: dt.datetime, calendar: WorkingCalendar) -> dt.timedelta:
    """Working time in [start, end); zero if end is not after start."""
    _require_aware("start", start)
    _require_aware("end", end)
    total = dt.timedelta(0)
    zone = ZoneInfo(calendar.tz)
    day = start.astimezone(zone).date()
    last = end.astimezone(zone).date()
    while day <= last:
        window = calendar.window(day)
        if window is not None:
            lo, hi = max(window[0], start), min(window[1], end)
            if lo < hi:
                total += hi - lo
        day += dt.timedelta(days=1)
    return total


class EscalationLevel(IntEnum):
    OWNER = 0  # the owner department handles it
    DEPARTMENT_HEAD = 1  # overdue: the department head is told
    HEADQUARTERS = 2  # overdue by more than the grace period: the headquarters (指挥部) supervises (督办)


def escalation_level(
    due: dt.datetime,
    at: dt.datetime,
    *,
    resolved_at: dt.datetime | None = None,
    headquarters_after: dt.timedelta = dt.timedelta(hours=24),
) -> EscalationLevel:
    """The level a ticket has reached at `at`; a resolved ticket keeps the level it had when resolved.

    Overdue means strictly after the deadline; the headquarters takes over strictly after
    `due + headquarters_after`.
    """
    for name, value in (("due", due), ("at", at)):
        _require_aware(name, value)
    if headquarters_after < dt.timedelta(0):
        raise ValueError("headquarters_after cannot be negative")
    if resolved_at is not None:
        _require_aware("resolved_at", resolved_at)
        at = min(at, resolved_at)
    if at > due + headquarters_after:
        return EscalationLevel.HEADQUARTERS
    if at > due:
        return EscalationLevel.DEPARTMENT_HEAD
    return EscalationLevel.OWNER


@dataclass(frozen=True, slots=True)
class TicketFacts:
    department: str
    opened_at: dt.datetime
    due: dt.datetime
    resolved_at: dt.datetime | None = None
    satisfaction: int | None = None  # 1..5 from the enterprise's rating of the reply


@dataclass(frozen=True, slots=True)
class DepartmentSla:
    department: str
    total: int
    resolved: int
    resolved_on_time: int
    open: int
    overdue_open: int
    open_by_level: dict[EscalationLevel, int] = field(default_factory=dict)
    median_resolution: dt.timedelta | None = None  # wall-clock, opened -> resolved
    mean_satisfaction: float | None = None

    @property
    def decided(self) -> int:
        """Tickets whose on-time outcome is known: resolved ones, and open ones already past their deadline."""
        return self.resolved + self.overdue_open

    @property
    def on_time_rate(self) -> float | None:
        # An open overdue ticket has already missed its deadline; leaving it out would flatter a department
        # that sits on hard tickets.
        return self.resolved_on_time / self.decided if self.decided else None


def sla_report(
    tickets: Iterable[TicketFacts],
    now: dt.datetime,
    *,
    headquarters_after: dt.timedelta = dt.timedelta(hours=24),
) -> dict[str, DepartmentSla]:
    """Per-department SLA figures as of `now`; tickets resolved after `now` count as still open."""
    _require_aware("now", now)
    groups: dict[str, list[TicketFacts]] = {}
    for t in tickets:
        if t.satisfaction is not None and not 1 <= t.satisfaction <= 5:
            raise ValueError(f"satisfaction is rated 1..5, got {t.satisfaction}")
        groups.setdefault(t.department, []).append(t)
    report = {}
    for department, items in sorted(groups.items()):
        resolved = [t for t in items if t.resolved_at is not None and t.resolved_at <= now]
        still_open = [t for t in items if t.resolved_at is None or t.resolved_at > now]
        levels = dict.fromkeys(EscalationLevel, 0)
        for t in still_open:
            levels[escalation_level(t.due, now, headquarters_after=headquarters_after)] += 1
        durations = [t.resolved_at - t.opened_at for t in resolved if t.resolved_at is not None]
        ratings = [t.satisfaction for t in resolved if t.satisfaction is not None]
        report[department] = DepartmentSla(
            department=department,
            total=len(items),
            resolved=len(resolved),
            resolved_on_time=sum(1 for t in resolved if t.resolved_at is not None and t.resolved_at <= t.due),
            open=len(still_open),
            overdue_open=sum(1 for t in still_open if now > t.due),
            open_by_level=levels,
            median_resolution=_median(durations),
            mean_satisfaction=statistics.fmean(ratings) if ratings else None,
        )
    return report


def _median(durations: list[dt.timedelta]) -> dt.timedelta | None:
    if not durations:
        return None
    seconds = statistics.median(d.total_seconds() for d in durations)
    # Whole microseconds keep the figure exact for an even count of tickets.
    return dt.timedelta(microseconds=math.floor(seconds * 1_000_000 + 0.5))

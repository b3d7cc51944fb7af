"""Ten-day reporting periods (十天一调度): dekads of a date, report deadlines, lateness, year-on-year."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

# 上旬 days 1-10, 中旬 11-20, 下旬 21 to the month's end (8 to 11 days).
PART_NAMES_ZH = {1: "上旬", 2: "中旬", 3: "下旬"}
PART_NAMES_EN = {1: "early", 2: "mid", 3: "late"}
DEKADS_PER_YEAR = 36


@dataclass(frozen=True, slots=True, order=True)
class Dekad:
    year: int
    month: int
    part: int  # 1, 2 or 3

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month must be 1-12, not {self.month}")
        if self.part not in (1, 2, 3):
            raise ValueError(f"part must be 1, 2 or 3, not {self.part}")

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.month, (self.part - 1) * 10 + 1)

    @property
    def end(self) -> dt.date:
        if self.part < 3:
            return dt.date(self.year, self.month, self.part * 10)
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def index(self) -> int:
        """1 for 1-10 January up to 36 for 21-31 December."""
        return (self.month - 1) * 3 + self.part

    @property
    def key(self) -> str:
        """A sortable text key, e.g. "2020-02-2" for 11-20 February 2020."""
        return f"{self.year:04d}-{self.month:02d}-{self.part}"

    @property
    def label_zh(self) -> str:
        return f"{self.year}年{self.month}月{PART_NAMES_ZH[self.part]}"

    @property
    def label_en(self) -> str:
        return f"{PART_NAMES_EN[self.part]} {calendar.month_abbr[self.month]} {self.year}"

    def next(self) -> Dekad:
        return from_index(self.year, self.index + 1)

    def previous(self) -> Dekad:
        return from_index(self.year, self.index - 1)

    def same_last_year(self) -> Dekad:
        return Dekad(self.year - 1, self.month, self.part)

    def __str__(self) -> str:
        return self.key


def from_index(year: int, index: int) -> Dekad:
    """The dekad at position `index` (1-36) of `year`; indexes outside roll into the neighbouring years."""
    year += (index - 1) // DEKADS_PER_YEAR
    index = (index - 1) % DEKADS_PER_YEAR + 1
    month, part = divmod(index - 1, 3)
    return Dekad(year, month + 1, part + 1)


def parse(key: str) -> Dekad:
    """Inverse of `Dekad.key`; raises ValueError for anything else."""
    try:
        year, month, part = (int(x) for x in key.split("-"))
    except ValueError:
        raise ValueError(f"not a dekad key (YYYY-MM-P): {key!r}") from None
    return Dekad(year, month, part)


def dekad_of(day: dt.date) -> Dekad:
    return Dekad(day.year, day.month, min((day.day - 1) // 10 + 1, 3))


def dekads_between(first: dt.date, last: dt.date) -> list[Dekad]:
    """Every dekad touching the days first..last, in order (empty when last < first)."""
    if last < first:
        return []
    out = [dekad_of(first)]
    stop = dekad_of(last)
    while out[-1] < stop:
        out.append(out[-1].next())
    return out


def deadline(dekad: Dekad, grace_days: int = 3) -> dt.date:
    """The last local calendar day a report for `dekad` is on time: the dekad's end plus the grace days."""
    if grace_days < 0:
        raise ValueError("grace_days cannot be negative")
    return dekad.end + dt.timedelta(days=grace_days)


class ReportState(StrEnum):
    NOT_DUE = "not_due"  # the period has not closed yet, or is still within its grace days, and nothing came
    ON_TIME = "on_time"
    LATE = "late"  # submitted after the deadline
    MISSING = "missing"  # nothing submitted and the deadline has passed


@dataclass(frozen=True, slots=True)
class ReportStatus:
    state: ReportState
    deadline: dt.date
    days_late: int  # for LATE: days between deadline and submission; for MISSING: days overdue so far

    @property
    def flagged(self) -> bool:
        return self.state in (ReportState.LATE, ReportState.MISSING)


def report_status(
    dekad: Dekad, submitted: dt.date | None, today: dt.date, grace_days: int = 3
) -> ReportStatus:
    """Where a district's report for `dekad` stands on `today`; `submitted` is the local date it arrived."""
    due = deadline(dekad, grace_days)
    if submitted is None:
        if today > due:
            return ReportStatus(ReportState.MISSING, due, (today - due).days)
        return ReportStatus(ReportState.NOT_DUE, due, 0)
    if submitted > due:
        return ReportStatus(ReportState.LATE, due, (submitted - due).days)
    return ReportStatus(ReportState.ON_TIME, due, 0)


def last_due(today: dt.date, grace_days: int = 3) -> Dekad:
    """The most recent dekad whose deadline has passed on `today`: the one a dashboard should chase."""
    d = dekad_of(today).previous()
    while deadline(d, grace_days) >= today:
        d = d.previous()
    return d


def year_on_year(current: float | None, last_year: float | None) -> float | None:
    """同比: (current - last year) / last year; None when either is unknown or last year was zero."""
    if current is None or last_year is None or last_year == 0:
        return None
    return (current - last_year) / abs(last_year)


def progress(value: float | None, target: float | None) -> float | None:
    """Completion of a target (完成率); None without a positive target."""
    if value is None or target is None or target <= 0:
        return None
    return value / target


def time_progress(dekad: Dekad) -> float:
    """序时进度: the share of the year elapsed at the end of `dekad`, against which completion is judged."""
    year_days = 366 if calendar.isleap(dekad.year) else 365
    return dekad.end.timetuple().tm_yday / year_days


def year_to_date(values: Iterable[tuple[Dekad, float]], upto: Dekad) -> float:
    """Sum of a flow indicator's dekad values from January to `upto` inclusive, in `upto`'s year."""
    return sum(v for d, v in values if d.year == upto.year and d <= upto)


def iter_year(year: int) -> Iterator[Dekad]:
    return (from_index(year, i) for i in range(1, DEKADS_PER_YEAR + 1))

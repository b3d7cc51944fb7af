"""When a periodic job is next due: every N minutes, or daily at a local wall-clock time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Every:
    """Run every `minutes` minutes, counted from the previous run (or at once if it never ran)."""

    minutes: int

    def __post_init__(self) -> None:
        if self.minutes <= 0:
            raise ValueError("minutes must be positive")


@dataclass(frozen=True)
class DailyAt:
    """Run once a local day at `at` (e.g. 00:05 so health codes change right after midnight)."""

    at: dt.time


Spec = Every | DailyAt


def next_due(spec: Spec, last: dt.datetime | None, tz: dt.tzinfo) -> dt.datetime | None:
    """The instant the job is next due; None means due now (it never ran). `last` is timezone-aware."""
    if last is None:
        return None
    if isinstance(spec, Every):
        return last + dt.timedelta(minutes=spec.minutes)
    local = last.astimezone(tz)
    today_slot = dt.datetime.combine(local.date(), spec.at, tzinfo=tz)
    # The first slot strictly after the last run: a run at 00:05 on day D is next due at 00:05 on D+1.
    slot = today_slot if today_slot > local else dt.datetime.combine(local.date() + dt.timedelta(days=1), spec.at, tzinfo=tz)
    return slot


def is_due(spec: Spec, last: dt.datetime | None, now: dt.datetime, tz: dt.tzinfo) -> bool:
    due = next_due(spec, last, tz)
    return due is None or now >= due


def parse(text: str) -> Spec:
    """'every 5m', 'every 2h' or 'daily 00:05'."""
    words = text.split()
    if len(words) == 2 and words[0] == "every" and words[1][:-1].isdigit() and words[1][-1] in "mh":
        n = int(words[1][:-1])
        return Every(n * (60 if words[1][-1] == "h" else 1))
    if len(words) == 2 and words[0] == "daily":
        try:
            return DailyAt(dt.time.fromisoformat(words[1]))
        except ValueError:
            pass
    raise ValueError(f"cannot read schedule {text!r}: use 'every 5m', 'every 2h' or 'daily 00:05'")

"""Quarantine day arithmetic: versioned policies, planned ends, required test days and the release rule.

Days are Shanghai calendar days (集中隔离14天, 不满14天绝对不能外出, seed 002). The day of the last
exposure is day 0; a policy of ``n`` quarantine days ends on day ``n``, the first day the person may
leave, so an exposure at 23:30 local time counts on its own day and one at 00:30 on the next. A policy
is a sequence of phases (14 centralised; 14 centralised + 7 home health monitoring; 7 + 3): the
quarantine end is the end of the last non-monitoring phase, the planned end the end of all phases.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final
from zoneinfo import ZoneInfo

SHANGHAI: Final = ZoneInfo("Asia/Shanghai")


class StayKind(StrEnum):
    CENTRALISED = "centralised"  # 集中隔离
    HOME = "home"  # 居家隔离
    HOME_MONITORING = "home_monitoring"  # 居家健康监测


class TestResult(StrEnum):
    __test__ = False  # not a pytest class
    NEGATIVE = "negative"
    POSITIVE = "positive"
    INCONCLUSIVE = "inconclusive"


def local_day(instant: dt.datetime, tz: ZoneInfo = SHANGHAI) -> dt.date:
    """The calendar day of an aware instant in the given zone (the local day decides, not UTC)."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("the instant must be timezone-aware")
    return instant.astimezone(tz).date()


@dataclass(frozen=True, slots=True)
class Phase:
    kind: StayKind
    days: int

    def __post_init__(self) -> None:
        if not 1 <= self.days <= 60:
            raise ValueError("a phase lasts from 1 to 60 days")


@dataclass(frozen=True, slots=True)
class Policy:
    """One version of a quarantine policy; ``kind`` is the kind of order it applies to.

    ``test_days`` are days counted from the last exposure (day 0) on which a nucleic-acid test is due;
    release needs ``final_negative_tests`` negative results sampled within the last
    ``release_test_window_days`` days before the quarantine end (the end day included).
    """

    code: str
    kind: StayKind
    effective_from: dt.date
    phases: tuple[Phase, ...]
    test_days: tuple[int, ...] = ()
    release_test_window_days: int = 2
    final_negative_tests: int = 1

    def __post_init__(self) -> None:
        errors: list[str] = []
        if not self.code:
            errors.append("code is required")
        if not self.phases:
            errors.append("a policy has at least one phase")
        elif all(p.kind is StayKind.HOME_MONITORING for p in self.phases) != (
            self.kind is StayKind.HOME_MONITORING
        ):
            errors.append("only a home-monitoring policy consists of monitoring phases alone")
        elif any(
            a.kind is StayKind.HOME_MONITORING and b.kind is not StayKind.HOME_MONITORING
            for a, b in zip(self.phases, self.phases[1:], strict=False)
        ):
            errors.append("home health monitoring comes after the quarantine phases")
        if list(self.test_days) != sorted(set(self.test_days)) or any(d < 0 for d in self.test_days):
            errors.append("test days are distinct, ascending and not negative")
        elif self.phases and self.test_days and self.test_days[-1] >= self.total_days:
            errors.append("every test day falls before the planned end")
        if not 0 <= self.release_test_window_days <= 14:
            errors.append("the release test window is 0 to 14 days")
        if not 0 <= self.final_negative_tests <= 3:
            errors.append("0 to 3 final negative tests")
        if errors:
            raise ValueError("; ".join(errors))

    @property
    def total_days(self) -> int:
        return sum(p.days for p in self.phases)

    @property
    def quarantine_days(self) -> int:
        """Days under quarantine proper (centralised or at home), monitoring excluded."""
        if self.kind is StayKind.HOME_MONITORING:
            return self.total_days
        return sum(p.days for p in self.phases if p.kind is not StayKind.HOME_MONITORING)

    def quarantine_end(self, last_exposure: dt.date) -> dt.date:
        """The first day out of quarantine proper (centralised/home); monitoring may follow."""
        return last_exposure + dt.timedelta(days=self.quarantine_days)

    def planned_end(self, last_exposure: dt.date) -> dt.date:
        """The first day free of every phase."""
        return last_exposure + dt.timedelta(days=self.total_days)

    def phase_spans(self, last_exposure: dt.date) -> list[tuple[StayKind, dt.date, dt.date]]:
        """Each phase as (kind, first day, first day after)."""
        out = []
        start = last_exposure
        for p in self.phases:
            end = start + dt.timedelta(days=p.days)
            out.append((p.kind, start, end))
            start = end
        return out

    def test_schedule(self, last_exposure: dt.date, start: dt.date | None = None) -> tuple[dt.date, ...]:
        """The days a test is due. A day that lies before the stay began (a late start) moves to the first
        day of the stay; days that coincide are one test."""
        first = start or last_exposure
        return tuple(sorted({max(last_exposure + dt.timedelta(days=d), first) for d in self.test_days}))

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "kind": self.kind.value,
            "effective_from": self.effective_from.isoformat(),
            "phases": [{"kind": p.kind.value, "days": p.days} for p in self.phases],
            "test_days": list(self.test_days),
            "release_test_window_days": self.release_test_window_days,
            "final_negative_tests": self.final_negative_tests,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Policy:
        effective = data["effective_from"]
        return cls(
            code=str(data["code"]),
            kind=StayKind(data["kind"]),
            effective_from=effective
            if isinstance(effective, dt.date)
            else dt.date.fromisoformat(str(effective)),
            phases=tuple(Phase(StayKind(p["kind"]), int(p["days"])) for p in data["phases"]),
            test_days=tuple(int(d) for d in data.get("test_days", ())),
            release_test_window_days=int(data.get("release_test_window_days", 2)),
            final_negative_tests=int(data.get("final_negative_tests", 1)),
        )


def _phases(*spec: tuple[StayKind, int]) -> tuple[Phase, ...]:
    return tuple(Phase(k, d) for k, d in spec)


C, H, M = StayKind.CENTRALISED, StayKind.HOME, StayKind.HOME_MONITORING
# The policies of the documents and their later variants, as shipped (the database holds the live copy).
DEFAULT_POLICIES: Final = (
    Policy("c14-2020", C, dt.date(2020, 1, 20), _phases((C, 14)), (1, 4, 7, 13)),
    Policy("c14m7-2020", C, dt.date(2020, 3, 26), _phases((C, 14), (M, 7)), (1, 4, 7, 13, 20)),
    Policy("c7h3-2022", C, dt.date(2022, 6, 28), _phases((C, 7), (H, 3)), (1, 2, 3, 5, 7, 9)),
    Policy("h14-2020", H, dt.date(2020, 1, 20), _phases((H, 14)), (1, 7, 13)),
    Policy("m14-2020", M, dt.date(2020, 1, 20), _phases((M, 14)), (13,), final_negative_tests=0),
    Policy("m7-2022", M, dt.date(2022, 6, 28), _phases((M, 7)), (6,), final_negative_tests=0),
)


def policy_in_effect(policies: Iterable[Policy], kind: StayKind, on: dt.date) -> Policy:
    """The version for this kind of order in effect on a day: the latest effective date not after it."""
    best: Policy | None = None
    for p in policies:
        if p.kind is not kind or p.effective_from > on:
            continue
        if best is not None and p.effective_from == best.effective_from:
            raise ValueError(f"policies {best.code!r} and {p.code!r} take effect on the same day")
        if best is None or p.effective_from > best.effective_from:
            best = p
    if best is None:
        raise LookupError(f"no {kind.value} policy in effect on {on.isoformat()}")
    return best


def extended_end(current: dt.date | None, new: dt.date) -> dt.date:
    """A new exposure moves the end later, never earlier."""
    return new if current is None or new > current else current


@dataclass(frozen=True, slots=True)
class TestRecord:
    __test__ = False
    sampled_on: dt.date
    result: TestResult


# Reasons a release is refused, in display order.
RELEASE_REASONS: Final = (
    "before_end",
    "tests_missing",
    "final_test_missing",
    "positive_test",
    "open_alert",
)


@dataclass(frozen=True, slots=True)
class ReleaseVerdict:
    allowed: bool
    reasons: tuple[str, ...]  # codes of RELEASE_REASONS that fail
    missing_test_days: tuple[dt.date, ...] = ()


def release_verdict(
    policy: Policy,
    *,
    last_exposure: dt.date,
    start: dt.date,
    today: dt.date,
    tests: Sequence[TestRecord],
    open_alerts: int = 0,
) -> ReleaseVerdict:
    """May the person leave quarantine today (解除隔离)?

    Every rule must hold: the quarantine end is reached; each scheduled test day has a result sampled on
    that day or before the next scheduled day (a test cannot count for two days); enough negative results
    were sampled within the release window before the end; no positive result since the exposure; no
    fever or symptom alert left open.
    """
    reasons: list[str] = []
    end = policy.quarantine_end(last_exposure)
    if today < end:
        reasons.append("before_end")
    relevant = [t for t in tests if last_exposure <= t.sampled_on <= today]
    schedule = [d for d in policy.test_schedule(last_exposure, start) if d < end]
    days = sorted(t.sampled_on for t in relevant)
    missing: list[dt.date] = []
    for i, due in enumerate(schedule):
        until = schedule[i + 1] if i + 1 < len(schedule) else dt.date.max
        if not any(due <= d < until for d in days):
            missing.append(due)
    if missing:
        reasons.append("tests_missing")
    window_start = end - dt.timedelta(days=policy.release_test_window_days)
    # A final test sampled after the end (the result came late) still counts.
    negatives_in_window = sum(
        1
        for t in relevant
        if t.result is TestResult.NEGATIVE and window_start <= t.sampled_on <= max(end, today)
    )
    if negatives_in_window < policy.final_negative_tests:
        reasons.append("final_test_missing")
    if any(t.result is TestResult.POSITIVE for t in relevant):
        reasons.append("positive_test")
    if open_alerts:
        reasons.append("open_alert")
    return ReleaseVerdict(not reasons, tuple(reasons), tuple(missing))


# --------------------------------------------------------------------------- check-ins

# 每日两次: a morning and an afternoon check-in, each due by its local deadline.
CHECKIN_SLOTS: Final = ((1, dt.time(12, 0)), (2, dt.time(20, 0)))


def checkin_deadline(day: dt.date, slot: int, tz: ZoneInfo = SHANGHAI) -> dt.datetime:
    for number, until in CHECKIN_SLOTS:
        if number == slot:
            return dt.datetime.combine(day, until, tz)
    raise ValueError(f"no check-in slot {slot}")


def checkin_slot_at(instant: dt.datetime, tz: ZoneInfo = SHANGHAI) -> tuple[dt.date, int]:
    """The (day, slot) a check-in made at this instant counts for: the morning one until its deadline,
    then the afternoon one (a late check-in after 20:00 still counts for the afternoon)."""
    local = instant.astimezone(tz) if instant.tzinfo is not None else None
    if local is None:
        raise ValueError("the instant must be timezone-aware")
    return local.date(), 1 if local.time() < CHECKIN_SLOTS[0][1] else 2


def is_fever(celsius: float, threshold: float) -> bool:
    """发热: at or above the one threshold the code rules and checkpoints use."""
    return celsius >= threshold

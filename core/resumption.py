"""Resumption rate arithmetic (开工复工率) by any grouping, and the electricity cross-check of reported status."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

GroupField = Literal["district", "industry_section", "size_class", "above_designated_size"]
GroupKey = tuple[str | bool, ...]


class ResumptionStatus(StrEnum):
    NOT_RESUMED = "not"
    PARTLY = "partly"
    FULLY = "fully"


@dataclass(frozen=True, slots=True)
class EnterpriseState:
    """One enterprise's latest reported state; `active` is False once it is deregistered or closed."""

    district: str
    industry_section: str  # GB/T 4754 section letter, A-T
    size_class: str  # "large" / "medium" / "small" / "micro"
    above_designated_size: bool  # "四上" enterprise
    status: ResumptionStatus
    staff_share_back: float = 0.0  # 0..1 of employees at work
    capacity_used: float = 0.0  # 0..1 of normal output
    employees: int = 0
    active: bool = True
    # Filed a commitment whose planned date is still ahead: not resumed yet, shown apart (已承诺未开工).
    filed_not_open: bool = False


@dataclass(frozen=True, slots=True)
class ResumptionRates:
    """Counts and rates of one group. Rates are None, not 0, when their denominator is 0."""

    active: int  # the denominator: active registered enterprises in the group
    fully: int
    partly: int
    not_resumed: int
    employees: int
    employees_back: float
    capacity_sum_resumed: float
    # Of the not resumed, those with a filed commitment whose planned date has not come: a firm counts as
    # resumed from its planned date, not from its filing.
    filed_not_open: int = 0

    @property
    def resumed(self) -> int:
        return self.fully + self.partly

    @property
    def resumed_rate(self) -> float | None:
        """开工复工率: (partly + fully) / active."""
        return self.resumed / self.active if self.active else None

    @property
    def fully_rate(self) -> float | None:
        return self.fully / self.active if self.active else None

    @property
    def staff_weighted_rate(self) -> float | None:
        """Employees back / employees, over all active enterprises (复岗率)."""
        return self.employees_back / self.employees if self.employees else None

    @property
    def mean_capacity_resumed(self) -> float | None:
        """Mean capacity used among resumed enterprises (达产率); not-resumed ones would only dilute it."""
        return self.capacity_sum_resumed / self.resumed if self.resumed else None


@dataclass(slots=False)
class _Counts:
    active: int = 0
    fully: int = 0
    partly: int = 0
    not_resumed: int = 0
    employees: int = 0
    employees_back: float = 0.0
    capacity_sum_resumed: float = 0.0
    filed_not_open: int = 0


def _check_share(name: str, value: float) -> None:
    if not (0.0 <= value <= 1.0) or math.isnan(value):
        raise ValueError(f"{name} must lie in [0, 1], got {value}")


def _key(e: EnterpriseState, by: Sequence[GroupField]) -> GroupKey:
    return tuple(getattr(e, field) for field in by)


def resumption_rates(
    enterprises: Iterable[EnterpriseState],
    *,
    by: Sequence[GroupField] = (),
    above_designated_only: bool = False,
) -> dict[GroupKey, ResumptionRates]:
    """Rates per group; `by=()` gives the single total under the key `()`.

    Inactive enterprises are outside every denominator. A not-resumed enterprise counts no staff back and
    no capacity whatever its share fields say, so a stale share cannot inflate the rates. A filed commitment
    whose planned date is ahead leaves the enterprise not resumed; it is counted in `filed_not_open`.
    """
    acc: dict[GroupKey, _Counts] = {}
    for e in enterprises:
        _check_share("staff_share_back", e.staff_share_back)
        _check_share("capacity_used", e.capacity_used)
        if e.employees < 0:
            raise ValueError(f"employees must not be negative, got {e.employees}")
        if not e.active or (above_designated_only and not e.above_designated_size):
            continue
        c = acc.setdefault(_key(e, by), _Counts())
        c.active += 1
        c.employees += e.employees
        if e.status is ResumptionStatus.NOT_RESUMED:
            c.not_resumed += 1
            c.filed_not_open += e.filed_not_open
            continue
        if e.status is ResumptionStatus.FULLY:
            c.fully += 1
        else:
            c.partly += 1
        c.employees_back += e.employees * e.staff_share_back
        c.capacity_sum_resumed += e.capacity_used
    return {key: ResumptionRates(**vars(c)) for key, c in acc.items()}


# --- electricity cross-check (用电量比对) ---


class PowerCheckOutcome(StrEnum):
    CONSISTENT = "consistent"
    REPORTED_WITHOUT_POWER = "reported_without_power"  # says resumed, draws little power
    POWER_WITHOUT_REPORT = "power_without_report"  # says not resumed, draws normal power
    NO_BASELINE = "no_baseline"  # no usable last-year figure; only a zero-use resumption is judged


@dataclass(frozen=True, slots=True)
class PowerRecord:
    enterprise_id: str
    status: ResumptionStatus
    kwh: float  # consumption in the period
    kwh_last_year: float | None  # same period last year; None when the enterprise has no history


@dataclass(frozen=True, slots=True)
class PowerCheck:
    enterprise_id: str
    status: ResumptionStatus
    outcome: PowerCheckOutcome
    kwh: float
    kwh_last_year: float | None
    ratio: float | None  # kwh / kwh_last_year, the evidence shown next to a flag

    @property
    def flagged(self) -> bool:
        return self.outcome in (
            PowerCheckOutcome.REPORTED_WITHOUT_POWER,
            PowerCheckOutcome.POWER_WITHOUT_REPORT,
        )

    @property
    def evidence_en(self) -> str:
        last = "no data" if self.kwh_last_year is None else f"{self.kwh_last_year:.0f} kWh"
        ratio = "" if self.ratio is None else f" ({self.ratio:.0%} of last year)"
        return f"status {self.status.value}; {self.kwh:.0f} kWh this period, last year {last}{ratio}"

    @property
    def evidence_zh(self) -> str:
        last = "无数据" if self.kwh_last_year is None else f"{self.kwh_last_year:.0f}千瓦时"
        ratio = "" if self.ratio is None else f"（为去年同期的{self.ratio:.0%}）"
        label = {"not": "未复工", "partly": "部分复工", "fully": "全面复工"}[self.status.value]
        return f"申报{label}；本期用电{self.kwh:.0f}千瓦时，去年同期{last}{ratio}"


def power_cross_check(
    records: Iterable[PowerRecord],
    *,
    low_ratio: float = 0.3,
    high_ratio: float = 0.6,
    min_baseline_kwh: float = 1.0,
) -> list[PowerCheck]:
    """Compare reported status with consumption against the same period last year.

    Flags: resumed (partly or fully) with ratio < low_ratio; not resumed with ratio > high_ratio. A baseline
    below `min_baseline_kwh` (or missing) gives no usable ratio: such an enterprise is NO_BASELINE unless it
    reports resumption with zero consumption, which is suspicious with or without history.
    """
    if not 0 <= low_ratio <= high_ratio:
        raise ValueError("need 0 <= low_ratio <= high_ratio")
    checks = []
    for r in records:
        if r.kwh < 0 or (r.kwh_last_year is not None and r.kwh_last_year < 0):
            raise ValueError(f"negative consumption for {r.enterprise_id}")
        resumed = r.status is not ResumptionStatus.NOT_RESUMED
        ratio: float | None = None
        if r.kwh_last_year is None or r.kwh_last_year < min_baseline_kwh:
            outcome = (
                PowerCheckOutcome.REPORTED_WITHOUT_POWER
                if resumed and r.kwh == 0
                else PowerCheckOutcome.NO_BASELINE
            )
        else:
            ratio = r.kwh / r.kwh_last_year
            if resumed and ratio < low_ratio:
                outcome = PowerCheckOutcome.REPORTED_WITHOUT_POWER
            elif not resumed and ratio > high_ratio:
                outcome = PowerCheckOutcome.POWER_WITHOUT_REPORT
            else:
                outcome = PowerCheckOutcome.CONSISTENT
        checks.append(PowerCheck(r.enterprise_id, r.status, outcome, r.kwh, r.kwh_last_year, ratio))
    return checks

"""District risk levels (低/中/高风险地区, 分区分级) by the national rule of February 2020, with reasons.

The rule: low = no confirmed case, or no new confirmed case for 14 consecutive days; medium = new cases
within 14 days and cumulative ≤ 50, or cumulative > 50 without a cluster (聚集性疫情) within 14 days;
high = cumulative > 50 and a cluster within 14 days. "Within 14 days" is the 14 local calendar days ending
on ``today`` (``today - 13 .. today``). The low test comes first, as in the rule's wording, so a district
with no new case for 14 days is low even if stale data still date a cluster inside the window. Cases and
clusters dated after ``today`` are ignored, so a level can be recomputed for any past day.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta


class RiskLevel(enum.Enum):
    LOW = "low"  # 低风险
    MEDIUM = "medium"  # 中风险
    HIGH = "high"  # 高风险


@dataclass(frozen=True)
class RiskReason:
    code: str  # stable, for filters and code rules
    zh: str
    en: str


@dataclass(frozen=True)
class RiskAssessment:
    level: RiskLevel
    reason: RiskReason
    today: date
    window_start: date
    cumulative_cases: int
    new_cases: int  # confirmed cases dated in the window
    clusters: int  # clusters dated in the window


@dataclass(frozen=True)
class RiskRule:
    window_days: int = 14
    cumulative_threshold: int = 50


def assess_district(
    case_days: Iterable[date],
    cluster_days: Iterable[date],
    today: date,
    rule: RiskRule | None = None,
) -> RiskAssessment:
    """Risk level of one district from its confirmed cases' dates and its clusters' dates."""
    r = rule or RiskRule()
    window_start = today - timedelta(days=r.window_days - 1)
    past = [d for d in case_days if d <= today]
    cumulative = len(past)
    new = sum(1 for d in past if d >= window_start)
    clusters = sum(1 for d in cluster_days if window_start <= d <= today)
    limit = r.cumulative_threshold
    days = r.window_days

    if cumulative == 0:
        level, reason = RiskLevel.LOW, RiskReason("no_cases", "无确诊病例", "No confirmed case")
    elif new == 0:
        level, reason = (
            RiskLevel.LOW,
            RiskReason(
                "no_new_cases",
                f"连续{days}天无新增确诊病例（累计确诊{cumulative}例）",
                f"No new confirmed case for {days} days ({cumulative} confirmed in total)",
            ),
        )
    elif cumulative <= limit:
        level, reason = (
            RiskLevel.MEDIUM,
            RiskReason(
                "new_cases_cumulative_within_limit",
                f"{days}天内新增确诊{new}例，累计确诊{cumulative}例，不超过{limit}例",
                f"{new} new confirmed in {days} days; {cumulative} in total, not more than {limit}",
            ),
        )
    elif clusters == 0:
        level, reason = (
            RiskLevel.MEDIUM,
            RiskReason(
                "cumulative_over_limit_no_cluster",
                f"累计确诊{cumulative}例，超过{limit}例，{days}天内新增确诊{new}例，无聚集性疫情",
                f"{cumulative} confirmed in total, more than {limit}; {new} new in {days} days, no cluster",
            ),
        )
    else:
        level, reason = (
            RiskLevel.HIGH,
            RiskReason(
                "cumulative_over_limit_with_cluster",
                f"累计确诊{cumulative}例，超过{limit}例，{days}天内发生聚集性疫情{clusters}起（新增确诊{new}例）",
                f"{cumulative} confirmed in total, more than {limit}; {clusters} cluster(s) in {days} days"
                f" ({new} new confirmed)",
            ),
        )
    return RiskAssessment(
        level=level,
        reason=reason,
        today=today,
        window_start=window_start,
        cumulative_cases=cumulative,
        new_cases=new,
        clusters=clusters,
    )


def assess_districts(
    districts: dict[str, tuple[Iterable[date], Iterable[date]]],
    today: date,
    rule: RiskRule | None = None,
) -> dict[str, RiskAssessment]:
    """``{district code: (case dates, cluster dates)}`` → ``{district code: assessment}``."""
    return {
        code: assess_district(cases, clusters, today, rule) for code, (cases, clusters) in districts.items()
    }

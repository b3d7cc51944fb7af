"""Risk levels: equal to a literal transcription of the February 2020 rule, with the numbers in the reasons."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from core.risk import RiskLevel, RiskRule, assess_district, assess_districts

TODAY = date(2020, 2, 24)


def days_ago(*offsets: int) -> list[date]:
    return [TODAY - timedelta(days=o) for o in offsets]


def literal_rule(cases: list[date], clusters: list[date], today: date, window: int, limit: int) -> RiskLevel:
    """低风险: 无确诊病例或连续14天无新增确诊病例; 中风险: 14天内有新增确诊病例，累计确诊病例不超过50例，
    或累计确诊病例超过50例，14天内未发生聚集性疫情; 高风险: 累计病例超过50例，14天内有聚集性疫情发生."""
    cumulative = len([d for d in cases if d <= today])
    new_in_window = any(today - timedelta(days=window) < d <= today for d in cases)
    cluster_in_window = any(today - timedelta(days=window) < d <= today for d in clusters)
    if cumulative == 0 or not new_in_window:
        return RiskLevel.LOW
    if (new_in_window and cumulative <= limit) or (cumulative > limit and not cluster_in_window):
        return RiskLevel.MEDIUM
    assert cumulative > limit and cluster_in_window
    return RiskLevel.HIGH


def test_a_district_without_cases_is_low() -> None:
    result = assess_district([], [], TODAY)
    assert (result.level, result.reason.code, result.reason.zh) == (RiskLevel.LOW, "no_cases", "无确诊病例")


def test_a_district_with_no_new_case_for_fourteen_days_is_low_even_with_many_cases() -> None:
    result = assess_district(days_ago(*([14] * 80)), days_ago(20), TODAY)
    assert (result.level, result.reason.code, result.cumulative_cases, result.new_cases) == (
        RiskLevel.LOW,
        "no_new_cases",
        80,
        0,
    )
    assert "80" in result.reason.zh and "14" in result.reason.en


def test_a_case_thirteen_days_ago_is_still_new() -> None:
    result = assess_district(days_ago(13), [], TODAY)
    assert (result.level, result.new_cases, result.window_start) == (
        RiskLevel.MEDIUM,
        1,
        TODAY - timedelta(13),
    )


def test_fifty_cases_with_a_cluster_are_medium_and_fifty_one_are_high() -> None:
    fifty = assess_district(days_ago(*range(50)), days_ago(3), TODAY)
    assert (fifty.level, fifty.reason.code) == (RiskLevel.MEDIUM, "new_cases_cumulative_within_limit")
    high = assess_district(days_ago(*range(51)), days_ago(3), TODAY)
    assert (high.level, high.reason.code, high.clusters) == (
        RiskLevel.HIGH,
        "cumulative_over_limit_with_cluster",
        1,
    )
    assert "51" in high.reason.zh and "聚集性疫情1起" in high.reason.zh


def test_many_cases_without_a_recent_cluster_are_medium() -> None:
    result = assess_district(days_ago(*range(60)), days_ago(14), TODAY)
    assert (result.level, result.reason.code, result.clusters) == (
        RiskLevel.MEDIUM,
        "cumulative_over_limit_no_cluster",
        0,
    )


def test_cases_and_clusters_after_today_are_ignored() -> None:
    result = assess_district(days_ago(-1, -2), days_ago(-1), TODAY)
    assert (result.level, result.cumulative_cases) == (RiskLevel.LOW, 0)


def test_it_assesses_each_district() -> None:
    found = assess_districts({"320102": (days_ago(1), []), "320104": ([], [])}, TODAY)
    assert {code: a.level for code, a in found.items()} == {
        "320102": RiskLevel.MEDIUM,
        "320104": RiskLevel.LOW,
    }


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.integers(-3, 40), max_size=80),
    st.lists(st.integers(-3, 40), max_size=4),
    st.sampled_from([RiskRule(), RiskRule(window_days=7, cumulative_threshold=5), RiskRule(28, 20)]),
)
def test_the_level_equals_the_literal_rule(
    case_offsets: list[int], cluster_offsets: list[int], rule: RiskRule
) -> None:
    cases, clusters = days_ago(*case_offsets), days_ago(*cluster_offsets)
    result = assess_district(cases, clusters, TODAY, rule)
    assert result.level == literal_rule(cases, clusters, TODAY, rule.window_days, rule.cumulative_threshold)
    assert str(result.cumulative_cases) in result.reason.zh or result.reason.code == "no_cases"


def test_a_cluster_on_the_first_day_of_the_window_counts_and_one_day_earlier_does_not() -> None:
    cases = days_ago(*range(51))
    first_day = assess_district(cases, days_ago(13), TODAY)
    assert (first_day.level, first_day.clusters, first_day.window_start) == (
        RiskLevel.HIGH,
        1,
        TODAY - timedelta(days=13),
    )
    before = assess_district(cases, days_ago(14), TODAY)
    assert (before.level, before.clusters) == (RiskLevel.MEDIUM, 0)
    # A cluster dated after today is ignored, one dated today counts.
    assert assess_district(cases, days_ago(-1), TODAY).clusters == 0
    assert assess_district(cases, days_ago(0), TODAY).clusters == 1


def test_assess_districts_passes_its_rule_on() -> None:
    rule = RiskRule(window_days=7, cumulative_threshold=5)
    districts = {"a": (days_ago(8), []), "b": (days_ago(*range(6)), days_ago(6)), "c": (days_ago(6), [])}
    found = assess_districts(districts, TODAY, rule)
    assert {code: (a.level, a.window_start) for code, a in found.items()} == {
        "a": (RiskLevel.LOW, TODAY - timedelta(days=6)),  # 8 days ago: outside a 7-day window
        "b": (RiskLevel.HIGH, TODAY - timedelta(days=6)),  # 6 cases > 5, a cluster on the window's first day
        "c": (RiskLevel.MEDIUM, TODAY - timedelta(days=6)),
    }
    default = assess_districts(districts, TODAY)
    assert {code: a.level for code, a in default.items()} == {
        "a": RiskLevel.MEDIUM,
        "b": RiskLevel.MEDIUM,
        "c": RiskLevel.MEDIUM,
    }


def test_every_reason_reads_in_full() -> None:
    """The reasons are shown to people as they are: every text, in both languages, with its numbers."""
    rule = RiskRule(window_days=14, cumulative_threshold=50)
    assessed = [
        assess_district([], [], TODAY, rule),
        assess_district(days_ago(14, 20), [], TODAY, rule),
        assess_district(days_ago(1, 2, 20), [], TODAY, rule),
        assess_district(days_ago(*range(51), 20), days_ago(14), TODAY, rule),
        assess_district(days_ago(*range(51), 20), days_ago(1, 2), TODAY, rule),
    ]
    assert [(a.level, a.reason.code, a.reason.zh, a.reason.en) for a in assessed] == [
        (RiskLevel.LOW, "no_cases", "无确诊病例", "No confirmed case"),
        (
            RiskLevel.LOW,
            "no_new_cases",
            "连续14天无新增确诊病例（累计确诊2例）",
            "No new confirmed case for 14 days (2 confirmed in total)",
        ),
        (
            RiskLevel.MEDIUM,
            "new_cases_cumulative_within_limit",
            "14天内新增确诊2例，累计确诊3例，不超过50例",
            "2 new confirmed in 14 days; 3 in total, not more than 50",
        ),
        (
            RiskLevel.MEDIUM,
            "cumulative_over_limit_no_cluster",
            "累计确诊52例，超过50例，14天内新增确诊14例，无聚集性疫情",
            "52 confirmed in total, more than 50; 14 new in 14 days, no cluster",
        ),
        (
            RiskLevel.HIGH,
            "cumulative_over_limit_with_cluster",
            "累计确诊52例，超过50例，14天内发生聚集性疫情2起（新增确诊14例）",
            "52 confirmed in total, more than 50; 2 cluster(s) in 14 days (14 new confirmed)",
        ),
    ]
    assert [(a.today, a.cumulative_cases, a.new_cases, a.clusters) for a in assessed] == [
        (TODAY, 0, 0, 0),
        (TODAY, 2, 0, 0),
        (TODAY, 3, 2, 0),
        (TODAY, 52, 14, 0),
        (TODAY, 52, 14, 2),
    ]

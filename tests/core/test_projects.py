import dataclasses
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.projects import (
    Colour,
    ColourThresholds,
    Milestone,
    ProjectProgress,
    ProjectStage,
    ProjectSummary,
    competition_rank,
    district_ranking,
    project_colour,
)

TODAY = dt.date(2020, 3, 20)
SEVERITY = {Colour.BLUE: 0, Colour.YELLOW: 1, Colour.RED: 2}


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def project(
    *milestones: Milestone,
    planned: float = 1000.0,
    completed: float = 1000.0,
    stage: ProjectStage = ProjectStage.IN_PROGRESS,
) -> ProjectProgress:
    return ProjectProgress(stage, milestones, planned, completed)


def codes(result: object) -> list[tuple[str, Colour]]:
    return [(r.code, r.colour) for r in result.reasons]  # type: ignore[attr-defined]


def test_a_project_on_schedule_and_on_plan_is_blue_and_says_why() -> None:
    result = project_colour(project(Milestone("foundation", days_ago(10), days_ago(12))), TODAY)
    assert result.colour is Colour.BLUE
    assert codes(result) == [("schedule_on_time", Colour.BLUE), ("investment_shortfall", Colour.BLUE)]
    assert "100%" in result.reasons[1].en


def test_one_overdue_milestone_makes_it_yellow_with_the_milestone_and_days() -> None:
    result = project_colour(project(Milestone("foundation", days_ago(5))), TODAY)
    assert result.colour is Colour.YELLOW
    first = result.reasons[0]
    assert (first.code, first.colour) == ("schedule_days_behind", Colour.YELLOW)
    assert "5 days overdue" in first.en and "逾期5天" in first.zh and "foundation" in first.en


def test_a_milestone_due_today_is_not_yet_overdue() -> None:
    assert project_colour(project(Milestone("permit", TODAY)), TODAY).colour is Colour.BLUE


def test_a_late_milestone_that_was_reached_no_longer_counts() -> None:
    result = project_colour(project(Milestone("permit", days_ago(40), days_ago(2))), TODAY)
    assert result.colour is Colour.BLUE and result.days_behind == 0


def test_lag_beyond_the_red_threshold_is_red() -> None:
    result = project_colour(project(Milestone("a", days_ago(30)), Milestone("b", days_ago(3))), TODAY)
    assert result.colour is Colour.RED
    assert result.days_behind == 30
    assert result.reasons[0].code == "schedule_days_behind"


def test_a_large_share_of_overdue_milestones_is_red_even_if_each_is_recent() -> None:
    ms = [Milestone("a", days_ago(3)), Milestone("b", days_ago(2), days_ago(2)), Milestone("c", days_ago(1))]
    result = project_colour(project(*ms, Milestone("d", days_ago(-9))), TODAY)
    assert result.colour is Colour.RED
    assert result.overdue_share == pytest.approx(2 / 4)
    assert ("schedule_overdue_share", Colour.RED) in codes(result)
    assert "2 of 4" in result.reasons[0].en


def test_the_share_test_waits_for_enough_milestones() -> None:
    result = project_colour(project(Milestone("a", days_ago(3)), Milestone("b", days_ago(2))), TODAY)
    assert result.colour is Colour.YELLOW
    assert "schedule_overdue_share" not in [code for code, _ in codes(result)]


@pytest.mark.parametrize(
    ("completed", "colour"),
    [(900.0, Colour.YELLOW), (899.0, Colour.YELLOW), (700.0, Colour.RED), (901.0, Colour.BLUE)],
)
def test_investment_shortfall_thresholds(completed: float, colour: Colour) -> None:
    result = project_colour(project(completed=completed), TODAY)
    assert result.colour is colour
    assert result.investment_ratio == pytest.approx(completed / 1000)


def test_the_reason_shows_the_investment_figures() -> None:
    result = project_colour(project(planned=1_250_000.0, completed=500_000.5), TODAY)
    assert "500,000.5 of 1,250,000" in result.reasons[0].en
    assert "完成投资500,000.5" in result.reasons[0].zh


def test_nothing_planned_yet_gives_no_investment_judgement() -> None:
    result = project_colour(project(planned=0.0, completed=0.0), TODAY)
    assert result.colour is Colour.BLUE and result.investment_ratio is None
    assert ("investment_not_planned_yet", Colour.BLUE) in codes(result)


def test_a_completed_project_is_blue() -> None:
    result = project_colour(
        project(Milestone("a", days_ago(90)), stage=ProjectStage.COMPLETED, completed=0), TODAY
    )
    assert codes(result) == [("completed", Colour.BLUE)]


def test_thresholds_are_configurable_and_can_be_switched_off() -> None:
    p = project(Milestone("a", days_ago(10)), completed=500.0)
    assert project_colour(p, TODAY).colour is Colour.RED
    relaxed = ColourThresholds(
        yellow_days_behind=15, red_days_behind=None, red_overdue_share=None, red_investment_shortfall=None
    )
    result = project_colour(p, TODAY, relaxed)
    assert result.colour is Colour.YELLOW
    assert result.reasons[0].code == "investment_shortfall"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"yellow_days_behind": 40, "red_days_behind": 30},
        {"red_overdue_share": 0},
        {"yellow_investment_shortfall": -0.1},
    ],
)
def test_it_rejects_inconsistent_thresholds(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        ColourThresholds(**kwargs)  # type: ignore[arg-type]


milestones = st.builds(
    Milestone,
    name=st.sampled_from(["a", "b", "c"]),
    planned=st.integers(-60, 30).map(days_ago),
    actual=st.one_of(st.none(), st.integers(-5, 60).map(days_ago)),
)
projects = st.builds(
    ProjectProgress,
    stage=st.sampled_from(list(ProjectStage)),
    milestones=st.lists(milestones, max_size=6).map(tuple),
    investment_planned_to_date=st.floats(0, 1e6),
    investment_completed=st.floats(0, 1e6),
)


@settings(max_examples=300, deadline=None)
@given(p=projects, factor=st.floats(0.1, 1.0))
def test_colour_is_the_worst_reason_and_tighter_thresholds_never_improve_it(
    p: ProjectProgress, factor: float
) -> None:
    loose = ColourThresholds(yellow_overdue_share=0.2)
    result = project_colour(p, TODAY, loose)
    assert result.reasons
    assert result.colour is max((r.colour for r in result.reasons), key=SEVERITY.__getitem__)
    tight = dataclasses.replace(
        loose,
        yellow_days_behind=max(1, int(1 * factor)),
        red_days_behind=max(1, int(30 * factor)),
        yellow_overdue_share=0.2 * factor,
        red_overdue_share=0.5 * factor,
        yellow_investment_shortfall=0.1 * factor,
        red_investment_shortfall=0.3 * factor,
    )
    assert SEVERITY[project_colour(p, TODAY, tight).colour] >= SEVERITY[result.colour]


# --- 进度晾晒 ranking ---


def test_competition_ranking_shares_ranks_and_skips_after_ties() -> None:
    ranks = competition_rank({"A": 0.5, "B": 0.8, "C": 0.5, "D": 0.2, "E": None})
    assert ranks == {"A": 2, "B": 1, "C": 2, "D": 4, "E": None}


def test_ranking_ties_rates_that_differ_only_by_float_noise() -> None:
    assert competition_rank({"A": 0.1 + 0.2, "B": 0.3}) == {"A": 1, "B": 1}


@settings(max_examples=200, deadline=None)
@given(values=st.dictionaries(st.text(max_size=3), st.one_of(st.none(), st.floats(0, 1)), max_size=12))
def test_competition_rank_is_one_plus_the_number_strictly_better(values: dict[str, float | None]) -> None:
    ranks = competition_rank(values)
    shown = {k: round(v, 4) for k, v in values.items() if v is not None}
    for k, v in values.items():
        expected = None if v is None else 1 + sum(other > shown[k] for other in shown.values())
        assert ranks[k] == expected


def test_district_ranking_by_start_rate_and_by_investment() -> None:
    s = ProjectStage
    projects = [
        ProjectSummary("320102", s.STARTED, 100.0, 60.0),
        ProjectSummary("320102", s.SIGNED, 100.0, 0.0),
        ProjectSummary("320104", s.COMPLETED, 100.0, 100.0),
        ProjectSummary("320104", s.IN_PROGRESS, 300.0, 20.0),
        ProjectSummary("320105", s.SIGNED, 100.0, 90.0),
    ]
    rows = district_ranking(projects, districts=["320106"])
    assert [(r.district, r.start_rank, r.start_rate) for r in rows] == [
        ("320104", 1, 1.0),
        ("320102", 2, 0.5),
        ("320105", 3, 0.0),
        ("320106", None, None),
    ]
    by_investment = district_ranking(projects, order_by="investment_rate")
    assert [(r.district, r.investment_rank) for r in by_investment] == [
        ("320105", 1),
        ("320102", 2),  # tied with 320104 at 30%: same rank, listed by district code
        ("320104", 2),
    ]
    assert by_investment[1].investment_rate == pytest.approx(0.3)

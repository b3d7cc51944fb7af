"""Major projects: three-colour status with reasons (三色管理) and the district progress ranking (进度晾晒)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, TypeVar


class Colour(StrEnum):
    # 三色管理: blue on schedule, yellow lagging, red seriously lagging.
    BLUE = "blue"
    YELLOW = "yellow"
    RED = "red"


_SEVERITY = {Colour.BLUE: 0, Colour.YELLOW: 1, Colour.RED: 2}


class ProjectStage(StrEnum):
    SIGNED = "signed"
    STARTED = "started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


STARTED_STAGES = frozenset({ProjectStage.STARTED, ProjectStage.IN_PROGRESS, ProjectStage.COMPLETED})


@dataclass(frozen=True, slots=True)
class Milestone:
    name: str
    planned: dt.date
    actual: dt.date | None = None


@dataclass(frozen=True, slots=True)
class ProjectProgress:
    stage: ProjectStage
    milestones: tuple[Milestone, ...]
    investment_planned_to_date: float  # what the plan says should be invested by today
    investment_completed: float


@dataclass(frozen=True, slots=True)
class ColourThresholds:
    """A measure turns yellow (red) when it reaches the yellow (red) threshold; None switches that test off."""

    yellow_days_behind: int | None = 1
    red_days_behind: int | None = 30
    yellow_overdue_share: float | None = None  # overdue / all milestones of the plan
    red_overdue_share: float | None = 0.5
    # With one or two milestones a single slip is already 50-100%: the share test waits for a real plan.
    min_milestones_for_share: int = 3
    yellow_investment_shortfall: float | None = 0.1  # 1 - completed / planned to date
    red_investment_shortfall: float | None = 0.3

    def __post_init__(self) -> None:
        pairs = (
            ("days_behind", self.yellow_days_behind, self.red_days_behind),
            ("overdue_share", self.yellow_overdue_share, self.red_overdue_share),
            ("investment_shortfall", self.yellow_investment_shortfall, self.red_investment_shortfall),
        )
        for name, yellow, red in pairs:
            if any(v is not None and v <= 0 for v in (yellow, red)):
                raise ValueError(f"{name} thresholds must be positive")
            if yellow is not None and red is not None and yellow > red:
                raise ValueError(f"{name}: the yellow threshold must not exceed the red one")


@dataclass(frozen=True, slots=True)
class ColourReason:
    code: str  # stable: schedule_days_behind, schedule_overdue_share, investment_shortfall, ...
    colour: Colour
    en: str
    zh: str


@dataclass(frozen=True, slots=True)
class ColourResult:
    colour: Colour
    reasons: tuple[ColourReason, ...]  # the worst first; blue projects get the reasons they are blue
    days_behind: int
    overdue_milestones: int
    milestones: int
    investment_ratio: float | None  # completed / planned to date; None when nothing is planned yet

    @property
    def overdue_share(self) -> float | None:
        return self.overdue_milestones / self.milestones if self.milestones else None


def _grade(value: float, yellow: float | None, red: float | None) -> Colour:
    # Callers round derived shares, so a 90% completion is exactly a 10% shortfall, not 9.999...%.
    if red is not None and value >= red:
        return Colour.RED
    if yellow is not None and value >= yellow:
        return Colour.YELLOW
    return Colour.BLUE


def project_colour(
    project: ProjectProgress, today: dt.date, thresholds: ColourThresholds | None = None
) -> ColourResult:
    """The worst colour over schedule lag, overdue share and investment shortfall, with a reason for each.

    Schedule lag is current lag: days since the planned date of the oldest milestone still not reached.
    A milestone reached late no longer counts, so a project that caught up turns blue again.
    """
    t = thresholds or ColourThresholds()
    if project.investment_planned_to_date < 0 or project.investment_completed < 0:
        raise ValueError("investment figures cannot be negative")
    overdue = [m for m in project.milestones if m.planned < today and (m.actual is None or m.actual > today)]
    oldest = min(overdue, key=lambda m: m.planned, default=None)
    days = (today - oldest.planned).days if oldest else 0
    ratio = (
        project.investment_completed / project.investment_planned_to_date
        if project.investment_planned_to_date > 0
        else None
    )
    total = len(project.milestones)
    result = ColourResult(Colour.BLUE, (), days, len(overdue), total, ratio)
    if project.stage is ProjectStage.COMPLETED:
        done = ColourReason("completed", Colour.BLUE, "the project is completed", "项目已竣工")
        return _with(result, [done])

    reasons = []
    if oldest is None:
        reasons.append(ColourReason("schedule_on_time", Colour.BLUE, "no milestone is overdue", "无逾期节点"))
    else:
        reasons.append(
            ColourReason(
                "schedule_days_behind",
                _grade(days, t.yellow_days_behind, t.red_days_behind),
                f"milestone '{oldest.name}' planned for {oldest.planned.isoformat()} is {days} days overdue",
                f"节点“{oldest.name}”计划{oldest.planned.isoformat()}完成，已逾期{days}天",
            )
        )
        if total >= t.min_milestones_for_share:
            share = len(overdue) / total
            reasons.append(
                ColourReason(
                    "schedule_overdue_share",
                    _grade(share, t.yellow_overdue_share, t.red_overdue_share),
                    f"{len(overdue)} of {total} milestones are overdue ({share:.0%})",
                    f"共{total}个节点，逾期{len(overdue)}个（{share:.0%}）",
                )
            )
    if ratio is None:
        reasons.append(
            ColourReason(
                "investment_not_planned_yet",
                Colour.BLUE,
                "no investment is planned by this date",
                "截至目前无计划投资",
            )
        )
    else:
        completed, planned = project.investment_completed, project.investment_planned_to_date
        reasons.append(
            ColourReason(
                "investment_shortfall",
                _grade(round(1 - ratio, 9), t.yellow_investment_shortfall, t.red_investment_shortfall),
                f"invested {_amount(completed)} of {_amount(planned)} planned to date ({ratio:.0%})",
                f"完成投资{_amount(completed)}，序时计划{_amount(planned)}（{ratio:.0%}）",
            )
        )
    return _with(result, reasons)


def _amount(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _with(result: ColourResult, reasons: list[ColourReason]) -> ColourResult:
    ordered = tuple(sorted(reasons, key=lambda r: -_SEVERITY[r.colour]))  # stable: ties keep their order
    colour = ordered[0].colour if ordered else Colour.BLUE
    return dataclasses.replace(result, colour=colour, reasons=ordered)


# --- 进度晾晒: the published district ranking ---

K = TypeVar("K", bound=Hashable)


def competition_rank(values: Mapping[K, float | None], *, precision: int = 4) -> dict[K, int | None]:
    """Standard competition ranking ("1224"), higher is better; None values are unranked.

    Values are compared after rounding to `precision` decimals, so districts that show the same rate on the
    published page share a rank instead of being split by floating-point noise.
    """
    rounded = {k: round(v, precision) for k, v in values.items() if v is not None}
    ordered = sorted(rounded.values(), reverse=True)
    first_position: dict[float, int] = {}
    for position, value in enumerate(ordered, start=1):
        first_position.setdefault(value, position)
    return {k: (first_position[rounded[k]] if k in rounded else None) for k in values}


@dataclass(frozen=True, slots=True)
class ProjectSummary:
    district: str
    stage: ProjectStage
    investment_planned: float  # the year's planned investment
    investment_completed: float


@dataclass(frozen=True, slots=True)
class DistrictProgress:
    district: str
    projects: int
    started: int
    investment_planned: float
    investment_completed: float
    start_rank: int | None
    investment_rank: int | None

    @property
    def start_rate(self) -> float | None:
        """开工率: started (started, in progress or completed) / registered projects."""
        return self.started / self.projects if self.projects else None

    @property
    def investment_rate(self) -> float | None:
        """投资完成率: completed / planned investment for the year."""
        return self.investment_completed / self.investment_planned if self.investment_planned > 0 else None


def district_ranking(
    projects: Iterable[ProjectSummary],
    *,
    districts: Iterable[str] = (),
    order_by: Literal["start_rate", "investment_rate"] = "start_rate",
    precision: int = 4,
) -> list[DistrictProgress]:
    """Districts with both ranks, ordered by the chosen one (unranked last, then by district code).

    Pass `districts` to list districts without projects too; they are shown unranked rather than left out.
    """
    acc: dict[str, list[float]] = {d: [0, 0, 0.0, 0.0] for d in districts}
    for p in projects:
        a = acc.setdefault(p.district, [0, 0, 0.0, 0.0])
        a[0] += 1
        a[1] += p.stage in STARTED_STAGES
        a[2] += p.investment_planned
        a[3] += p.investment_completed
    rows = {d: DistrictProgress(d, int(a[0]), int(a[1]), a[2], a[3], None, None) for d, a in acc.items()}
    start_ranks = competition_rank({d: r.start_rate for d, r in rows.items()}, precision=precision)
    invest_ranks = competition_rank({d: r.investment_rate for d, r in rows.items()}, precision=precision)
    ranked = [
        DistrictProgress(
            r.district,
            r.projects,
            r.started,
            r.investment_planned,
            r.investment_completed,
            start_ranks[d],
            invest_ranks[d],
        )
        for d, r in rows.items()
    ]

    def key(r: DistrictProgress) -> tuple[bool, int, str]:
        rank = r.start_rank if order_by == "start_rate" else r.investment_rank
        return (rank is None, rank or 0, r.district)

    return sorted(ranked, key=key)

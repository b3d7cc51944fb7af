"""Writes of major projects: register, record progress and milestones, thresholds; every write recolours."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_noop

from apps.accounts.audit import audit_record
from apps.accounts.choices import AuditAction, Perm
from apps.accounts.models import User
from apps.accounts.scoping import grant_prefixes, has_perm_at
from apps.common.errors import Forbidden, ValidationFailed
from apps.common.supervision import raise_task, resolve_source
from apps.geo.models import Area
from apps.projects.choices import STAGE_ORDER, Colour, Stage
from apps.projects.models import ColourSettings, Milestone, Project
from core import projects as core_projects

THRESHOLD_FIELDS = [
    "yellow_days_behind",
    "red_days_behind",
    "yellow_overdue_share",
    "red_overdue_share",
    "min_milestones_for_share",
    "yellow_investment_shortfall",
    "red_investment_shortfall",
]


def thresholds() -> core_projects.ColourThresholds:
    s = ColourSettings.current()
    return core_projects.ColourThresholds(**{f: getattr(s, f) for f in THRESHOLD_FIELDS})


def planned_to_date(project: Project, today: dt.date) -> float:
    """序时计划投资: the planned investment spread evenly over plan_start..plan_end, up to `today`."""
    total = float(project.investment_planned)
    if today < project.plan_start:
        return 0.0
    days = (project.plan_end - project.plan_start).days + 1
    elapsed = min((today - project.plan_start).days + 1, days)
    return round(total * elapsed / days, 2)


def project_colour(
    project: Project, milestones: Iterable[Milestone], today: dt.date, t: core_projects.ColourThresholds
) -> core_projects.ColourResult:
    progress = core_projects.ProjectProgress(
        stage=core_projects.ProjectStage(project.stage),
        milestones=tuple(core_projects.Milestone(m.name, m.planned, m.actual) for m in milestones),
        investment_planned_to_date=planned_to_date(project, today),
        investment_completed=float(project.investment_completed),
    )
    return core_projects.project_colour(progress, today, t)


def _supervise(project: Project) -> None:
    """督办: a project that turns red becomes a supervised task; one that leaves red closes it."""
    ref = f"projects.project:{project.pk}"
    if project.colour != Colour.RED:
        resolve_source(ref, gettext_noop("The project is no longer red."))
        return
    raise_task(
        source_ref=ref,
        title=project.name[:200],
        # English msgids, shown translated on the task's page
        description=gettext_noop("The project is seriously lagging: see its colour reasons."),
        area_code=project.area_id,
        priority="high",
        evidence_required=gettext_noop("A recovery plan and the date of the next milestone."),
        link=f"/projects/{project.pk}/",
    )


def _apply(project: Project, result: core_projects.ColourResult, today: dt.date) -> None:
    was_red, project.colour = project.colour == Colour.RED, result.colour.value
    project.colour_reasons = [
        {"code": r.code, "colour": r.colour.value, "en": r.en, "zh": r.zh} for r in result.reasons
    ]
    project.colour_date = today
    if project.pk is not None and was_red != (project.colour == Colour.RED):
        _supervise(project)


def project_colours_refresh(
    *, projects: QuerySet[Project] | None = None, today: dt.date | None = None
) -> int:
    """Recompute and store the colour of the given projects (all by default); returns how many changed."""
    today = today or timezone.localdate()
    t = thresholds()
    qs = (projects if projects is not None else Project.objects.all()).prefetch_related("milestones")
    rows, changed = [], 0
    for project in qs.iterator(chunk_size=500):
        before = (project.colour, project.colour_reasons)
        _apply(project, project_colour(project, project.milestones.all(), today, t), today)
        changed += before != (project.colour, project.colour_reasons)
        rows.append(project)
    Project.objects.bulk_update(rows, ["colour", "colour_reasons", "colour_date"], batch_size=500)
    return changed


def project_colours_refresh_stale(*, today: dt.date | None = None) -> int:
    """Colours depend on the date: the first read of a new day recomputes yesterday's colours (one cheap query
    when nothing is stale)."""
    today = today or timezone.localdate()
    stale = Project.objects.exclude(colour_date=today)
    if not stale.exists():
        return 0
    return project_colours_refresh(projects=stale, today=today)


def _recolour(project: Project) -> None:
    today = timezone.localdate()
    _apply(project, project_colour(project, project.milestones.all(), today, thresholds()), today)
    project.save(update_fields=["colour", "colour_reasons", "colour_date", "updated_at"])


def _require(actor: User, perm: str, area_code: str) -> None:
    if not has_perm_at(actor, perm, area_code):
        raise Forbidden("forbidden", "you may not change projects in this area")


def _decimal(value: Any, field: str) -> Decimal:
    try:
        d = Decimal(str(value))
    except Exception:
        raise ValidationFailed(
            "invalid", f"{field} is not a number", [{"field": field, "message": "not a number"}]
        ) from None
    if not d.is_finite() or d < 0 or d >= Decimal("1e12"):  # the column holds 12 integer digits
        raise ValidationFailed(
            "invalid", f"{field} must be between 0 and 10^12", [{"field": field, "message": "must be >= 0"}]
        )
    return d


@transaction.atomic
def project_create(
    *,
    actor: User,
    ref: str,
    name: str,
    area_code: str,
    investment_planned: Any,
    plan_start: dt.date,
    plan_end: dt.date,
    official: str,
    unit: str = "",
    stage: str = Stage.SIGNED,
    investment_completed: Any = 0,
    lon: float | None = None,
    lat: float | None = None,
    milestones: Iterable[tuple[str, dt.date, dt.date | None]] = (),
    request: HttpRequest | None = None,
) -> Project:
    errors = []
    if not ref.strip() or not name.strip():
        errors.append({"field": "ref" if not ref.strip() else "name", "message": "required"})
    if not official.strip():
        errors.append({"field": "official", "message": "a responsible official is required"})
    if plan_end < plan_start:
        errors.append({"field": "plan_end", "message": "the plan cannot end before it starts"})
    if stage not in Stage.values:
        errors.append({"field": "stage", "message": f"one of {', '.join(Stage.values)}"})
    if errors:
        raise ValidationFailed("invalid_project", "the project is not valid", errors)
    area = Area.objects.filter(code=area_code).first()
    if area is None:
        raise ValidationFailed(
            "unknown_area", f"no area {area_code}", [{"field": "area_code", "message": "unknown"}]
        )
    _require(actor, Perm.PROJECT_CHANGE, area.code)
    if Project.objects.filter(ref=ref.strip()).exists():
        raise ValidationFailed(
            "duplicate_ref", f"project {ref} exists", [{"field": "ref", "message": "taken"}]
        )
    project = Project.objects.create(
        ref=ref.strip(),
        name=name.strip(),
        area=area,
        stage=stage,
        official=official.strip(),
        unit=unit.strip(),
        investment_planned=_decimal(investment_planned, "investment_planned"),
        investment_completed=_decimal(investment_completed, "investment_completed"),
        plan_start=plan_start,
        plan_end=plan_end,
        lon=lon,
        lat=lat,
    )
    Milestone.objects.bulk_create(
        [Milestone(project=project, name=n, planned=p, actual=a) for n, p, a in milestones]
    )
    _recolour(project)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=project, request=request)
    return project


UPDATABLE = ("name", "stage", "investment_completed", "official", "unit")


@transaction.atomic
def project_update(
    *, actor: User, project: Project, data: dict[str, Any], request: HttpRequest | None = None
) -> Project:
    """Record progress: stage (forward only), completed investment, official. Recolours at once."""
    _require(actor, Perm.PROJECT_CHANGE, project.area_id)
    project = Project.objects.select_for_update().get(pk=project.pk)
    before = {f: str(getattr(project, f)) for f in UPDATABLE if f in data}
    if "stage" in data:
        stage = data["stage"]
        if stage not in Stage.values:
            raise ValidationFailed("invalid_stage", f"stage is one of {', '.join(Stage.values)}")
        if STAGE_ORDER.index(Stage(stage)) < STAGE_ORDER.index(Stage(project.stage)):
            raise ValidationFailed(
                "stage_backwards", f"a project cannot go back from {project.stage} to {stage}"
            )
        project.stage = stage
    if "investment_completed" in data:
        project.investment_completed = _decimal(data["investment_completed"], "investment_completed")
    for field in ("name", "official", "unit"):
        if field in data:
            value = str(data[field]).strip()
            if not value and field != "unit":
                raise ValidationFailed(
                    "invalid", f"{field} is required", [{"field": field, "message": "required"}]
                )
            setattr(project, field, value)
    project.save()
    _recolour(project)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=project,
        request=request,
        fields=list(before),
        before=before,
        after={f: str(getattr(project, f)) for f in before},
    )
    return project


@transaction.atomic
def milestone_add(
    *,
    actor: User,
    project: Project,
    name: str,
    planned: dt.date,
    actual: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Milestone:
    _require(actor, Perm.PROJECT_CHANGE, project.area_id)
    if not name.strip():
        raise ValidationFailed(
            "invalid", "a milestone needs a name", [{"field": "name", "message": "required"}]
        )
    milestone = Milestone.objects.create(project=project, name=name.strip(), planned=planned, actual=actual)
    _recolour(project)
    audit_record(
        actor=actor, action=AuditAction.CREATE, obj=milestone, area_code=project.area_id, request=request
    )
    return milestone


@transaction.atomic
def milestone_record(
    *, actor: User, milestone: Milestone, actual: dt.date | None, request: HttpRequest | None = None
) -> Milestone:
    """Record (or clear) the date a milestone was actually reached."""
    project = milestone.project
    _require(actor, Perm.PROJECT_CHANGE, project.area_id)
    if actual is not None and actual > timezone.localdate():
        raise ValidationFailed("future_date", "a milestone cannot be reached in the future")
    before = {"actual": str(milestone.actual)}
    milestone.actual = actual
    milestone.save(update_fields=["actual"])
    _recolour(project)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=milestone,
        area_code=project.area_id,
        request=request,
        fields=["actual"],
        before=before,
        after={"actual": str(actual)},
    )
    return milestone


@transaction.atomic
def colour_settings_update(
    *, actor: User, data: dict[str, Any], request: HttpRequest | None = None
) -> ColourSettings:
    """Change the thresholds (headquarters only: a grant at city level or above) and recolour every project."""
    if not any(len(p) <= 4 for p in grant_prefixes(actor, Perm.PROJECT_CHANGE)):
        raise Forbidden("forbidden", "only the city headquarters sets the colour thresholds")
    settings_row = ColourSettings.current()
    before = {f: getattr(settings_row, f) for f in THRESHOLD_FIELDS}
    values = {**before, **{k: v for k, v in data.items() if k in THRESHOLD_FIELDS}}
    try:
        core_projects.ColourThresholds(**values)
    except (ValueError, TypeError) as exc:
        raise ValidationFailed("invalid_thresholds", str(exc)) from None
    for k, v in values.items():
        setattr(settings_row, k, v)
    settings_row.save()
    project_colours_refresh()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=settings_row,
        before=before,
        after=values,
        fields=[k for k in values if values[k] != before[k]],
        request=request,
    )
    return settings_row

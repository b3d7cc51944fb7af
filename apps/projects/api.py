"""API of major projects: list, detail, create, progress, milestones, colours, thresholds, map, public ranking."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from apps.accounts.http import AuthedRequest
from apps.common.apitypes import (
    Count,
    Day,
    Finite,
    Id,
    InSchema,
    Latitude,
    Longitude,
    PageNumber,
    PageSize,
)
from apps.common.errors import NotFound
from apps.common.pagination import Page, paginate
from apps.projects import selectors, services
from apps.projects.exports import projects_export
from apps.projects.models import Milestone, Project

router = Router(tags=["projects"])


class ProjectReasonOut(Schema):
    code: str
    colour: str
    en: str
    zh: str


class MilestoneOut(Schema):
    id: int
    name: str
    planned: dt.date
    actual: dt.date | None


class ProjectOut(Schema):
    id: int
    ref: str
    name: str
    area_code: str
    stage: str
    colour: str
    colour_reasons: list[ProjectReasonOut]
    investment_planned: Decimal  # the service checks the range and names the field
    investment_completed: Decimal
    plan_start: dt.date
    plan_end: dt.date
    official: str
    unit: str
    lon: float | None
    lat: float | None

    @staticmethod
    def resolve_area_code(obj: Project) -> str:
        return obj.area_id


class ProjectDetailOut(ProjectOut):
    milestones: list[MilestoneOut]

    @staticmethod
    def resolve_milestones(obj: Project) -> list[Milestone]:
        return list(obj.milestones.all())


class MilestoneIn(InSchema):
    name: str
    planned: Day
    actual: Day | None = None


class ProjectIn(InSchema):
    ref: str
    name: str
    area_code: str
    investment_planned: Decimal  # the service checks the range and names the field
    plan_start: Day
    plan_end: Day
    official: str
    unit: str = ""
    stage: str = "signed"
    investment_completed: Decimal = Decimal(0)
    lon: Longitude | None = None
    lat: Latitude | None = None
    milestones: list[MilestoneIn] = []


class ProjectPatch(InSchema):
    name: str | None = None
    stage: str | None = None
    investment_completed: Decimal | None = None
    official: str | None = None
    unit: str | None = None


class MilestonePatch(InSchema):
    actual: Day | None


class ThresholdsIO(InSchema):
    yellow_days_behind: Count | None = None
    red_days_behind: Count | None = None
    yellow_overdue_share: Finite | None = None
    red_overdue_share: Finite | None = None
    min_milestones_for_share: Count = 3
    yellow_investment_shortfall: Finite | None = None
    red_investment_shortfall: Finite | None = None


class DistrictProgressOut(Schema):
    district: str
    projects: int
    started: int
    start_rate: float | None
    investment_planned: float
    investment_completed: float
    investment_rate: float | None
    start_rank: int | None
    investment_rank: int | None


@router.get("", response=Page[ProjectOut])
def project_list(
    request: AuthedRequest,
    area: str = "",
    stage: str = "",
    colour: str = "",
    q: str = "",
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> Any:
    services.project_colours_refresh_stale()
    qs = selectors.projects_list(user=request.user, area=area, stage=stage, colour=colour, query=q)
    return paginate(qs, page, page_size)


@router.post("", response={201: ProjectDetailOut})
def project_create(request: AuthedRequest, body: ProjectIn) -> Any:
    data = body.dict()
    milestones = [(m["name"], m["planned"], m["actual"]) for m in data.pop("milestones")]
    project = services.project_create(actor=request.user, milestones=milestones, request=request, **data)
    return 201, project


@router.get("/export")
def project_export(
    request: AuthedRequest, area: str = "", stage: str = "", colour: str = "", q: str = "", format: str = "csv"
) -> HttpResponse:
    filters = {"area": area, "stage": stage, "colour": colour, "query": q}
    return projects_export(user=request.user, filters=filters, fmt=format, request=request)


@router.get("/colours", response=dict[str, int])
def project_colours(request: AuthedRequest, area: str = "") -> Any:
    """Projects by colour (三色管理) in your jurisdiction: {"blue", "yellow", "red", "total"}."""
    services.project_colours_refresh_stale()
    return selectors.project_colour_counts(user=request.user, area=area)


@router.get("/map.svg")
def project_map(request: AuthedRequest, area: str = "") -> HttpResponse:
    """The battle map (挂图作战) as an SVG image."""
    services.project_colours_refresh_stale()
    svg = selectors.battle_map_svg(user=request.user, area=area)
    return HttpResponse(svg, content_type="image/svg+xml")


@router.get("/ranking", response=list[DistrictProgressOut], auth=None)
def project_ranking(request: HttpRequest, order_by: str = "start_rate") -> Any:
    """进度晾晒: districts ranked by start rate or investment completion. Public: no sign-in needed."""
    return [
        {**{f: getattr(r, f) for f in DistrictProgressOut.model_fields}}
        for r in selectors.district_progress(order_by=order_by)
    ]


@router.get("/thresholds", response=ThresholdsIO)
def thresholds_get(request: AuthedRequest) -> Any:
    return services.thresholds()


@router.put("/thresholds", response=ThresholdsIO)
def thresholds_put(request: AuthedRequest, body: ThresholdsIO) -> Any:
    """Set the colour thresholds (headquarters only); every project is recoloured at once."""
    services.colour_settings_update(actor=request.user, data=body.dict(), request=request)
    return services.thresholds()


@router.get("/{project_id}", response=ProjectDetailOut)
def project_detail(request: AuthedRequest, project_id: Id) -> Any:
    return selectors.project_get(user=request.user, pk=project_id)


@router.patch("/{project_id}", response=ProjectDetailOut)
def project_update(request: AuthedRequest, project_id: Id, body: ProjectPatch) -> Any:
    project = selectors.project_get(user=request.user, pk=project_id)
    data = {k: v for k, v in body.dict().items() if v is not None}
    return services.project_update(actor=request.user, project=project, data=data, request=request)


@router.post("/{project_id}/milestones", response={201: MilestoneOut})
def milestone_add(request: AuthedRequest, project_id: Id, body: MilestoneIn) -> Any:
    project = selectors.project_get(user=request.user, pk=project_id)
    return 201, services.milestone_add(actor=request.user, project=project, request=request, **body.dict())


@router.patch("/{project_id}/milestones/{milestone_id}", response=MilestoneOut)
def milestone_record(request: AuthedRequest, project_id: Id, milestone_id: Id, body: MilestonePatch) -> Any:
    project = selectors.project_get(user=request.user, pk=project_id)
    milestone = project.milestones.filter(pk=milestone_id).first()
    if milestone is None:
        raise NotFound("milestone_not_found", "no such milestone on this project")
    return services.milestone_record(
        actor=request.user, milestone=milestone, actual=body.actual, request=request
    )

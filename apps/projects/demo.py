"""Demo step: about 100 major projects (重大项目) across the districts, with milestones, investment and colours."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from apps.demo.generator import DemoContext
from apps.geo.choices import AreaLevel
from apps.geo.models import Area
from apps.projects.choices import Stage
from apps.projects.models import Milestone, Project
from apps.projects.services import project_colours_refresh

NAME = "projects"
COUNT = 100
KINDS = [
    "智能制造产业园",
    "冷链物流中心",
    "新材料生产基地",
    "生物医药产业园",
    "污水处理厂提标改造",
    "综合交通枢纽",
    "保障性住房",
    "5G基站建设",
    "数据中心",
    "农产品加工园",
    "人民医院新院区",
    "中学新校区",
    "城市快速路",
    "光伏发电",
    "商贸综合体",
    "水库除险加固",
]
OFFICIALS = "王李张刘陈杨黄赵吴周"
MILESTONES = ["开工", "基础施工", "主体施工", "主体封顶", "设备安装", "竣工验收"]


def _box(boundary: dict[str, Any] | None) -> tuple[float, float, float, float] | None:
    if not boundary or boundary.get("type") != "Polygon":
        return None
    ring = boundary["coordinates"][0]
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    return min(xs), min(ys), max(xs), max(ys)


@transaction.atomic
def run(ctx: DemoContext) -> dict[str, Any]:
    rng = ctx.rng(NAME)
    streets = list(Area.objects.filter(level=AreaLevel.STREET).values_list("code", "boundary"))
    districts = dict(Area.objects.filter(level=AreaLevel.DISTRICT).values_list("code", "name_zh"))
    if not streets:
        return {"projects": 0}
    year_start = dt.date(ctx.today.year, 1, 1)
    existing = set(Project.objects.filter(ref__startswith="XM").values_list("ref", flat=True))
    projects, milestones = [], []
    for n in range(1, COUNT + 1):
        ref = f"XM{ctx.today.year}-{n:03d}"
        street, boundary = rng.choice(streets)
        kind = rng.choice(KINDS)
        # A lag profile: most projects keep to plan, some slip, a few stall (the yellow and red ones).
        profile = rng.choices(["on_plan", "slipping", "stalled"], weights=[70, 20, 10])[0]
        plan_start = year_start + dt.timedelta(days=rng.randint(0, 60))
        plan_end = plan_start + dt.timedelta(days=rng.randint(200, 700))
        planned = Decimal(rng.randint(20, 2000) * 100)
        dates = sorted(
            {
                plan_start + dt.timedelta(days=int((plan_end - plan_start).days * f))
                for f in sorted(rng.sample([0.0, 0.15, 0.35, 0.55, 0.75, 1.0], rng.randint(3, 6)))
            }
        )
        rows = []
        for name, planned_on in zip(MILESTONES, dates, strict=False):
            actual = None
            if planned_on <= ctx.today:
                if profile == "on_plan":
                    actual = planned_on + dt.timedelta(days=rng.randint(-5, 0))
                elif profile == "slipping" and (ctx.today - planned_on).days > 25:
                    # Slipping projects reached their older milestones late and are behind on the newest only.
                    actual = planned_on + dt.timedelta(days=rng.randint(3, 20))
                actual = actual if actual and actual <= ctx.today else None
            rows.append((name, planned_on, actual))
        reached = [r for r in rows if r[2]]
        stage = (
            Stage.COMPLETED
            if len(reached) == len(rows)
            else Stage.IN_PROGRESS
            if len(reached) > 1
            else Stage.STARTED
            if reached
            else Stage.SIGNED
        )
        elapsed = max(0, min((ctx.today - plan_start).days + 1, (plan_end - plan_start).days + 1))
        to_date = float(planned) * elapsed / ((plan_end - plan_start).days + 1)
        factor = {
            "on_plan": rng.uniform(0.92, 1.15),
            "slipping": rng.uniform(0.75, 0.92),
            "stalled": rng.uniform(0.2, 0.6),
        }[profile]
        box = _box(boundary)
        lon = lat = None
        if box:
            lon = box[0] + rng.uniform(0.15, 0.85) * (box[2] - box[0])
            lat = box[1] + rng.uniform(0.15, 0.85) * (box[3] - box[1])
        if ref in existing:
            continue
        project = Project(
            ref=ref,
            name=f"{districts.get(street[:6], '')[:2]}{kind}",
            area_id=street,
            stage=stage,
            investment_planned=planned,
            investment_completed=Decimal(f"{to_date * factor:.2f}"),
            plan_start=plan_start,
            plan_end=plan_end,
            official=f"{rng.choice(OFFICIALS)}主任",
            unit=f"{districts.get(street[:6], '')}发展改革局",
            lon=lon,
            lat=lat,
        )
        projects.append(project)
        milestones.append(rows)
    Project.objects.bulk_create(projects)
    saved = {p.ref: p.pk for p in Project.objects.filter(ref__in=[p.ref for p in projects])}
    Milestone.objects.bulk_create(
        [
            Milestone(project_id=saved[p.ref], name=name, planned=planned_on, actual=actual)
            for p, rows in zip(projects, milestones, strict=True)
            for name, planned_on, actual in rows
        ]
    )
    project_colours_refresh()
    colours: dict[str, int] = {}
    for c in Project.objects.values_list("colour", flat=True):
        colours[c] = colours.get(c, 0) + 1
    return {"projects": Project.objects.count(), "created": len(projects), "colours": colours}

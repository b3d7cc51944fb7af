"""Reads of major projects, scoped in SQL; the battle map (挂图作战) and the public ranking (进度晾晒)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext

from apps.accounts.choices import Perm
from apps.accounts.models import User
from apps.accounts.scoping import grant_prefixes
from apps.common.errors import NotFound
from apps.geo.choices import AreaLevel
from apps.geo.maps import AreaMap, area_map
from apps.geo.models import Area
from apps.geo.svg import Marker
from apps.projects.choices import COLOUR_HEX, Colour
from apps.projects.models import Project
from core import projects as core_projects
from core.geocodes import AreaCodeError, scope_prefix
from core.geometry import Ring, drawable_rings


def projects_list(
    *,
    user: User,
    area: str = "",
    stage: str = "",
    colour: str = "",
    query: str = "",
    perm: str = Perm.PROJECT_VIEW,
) -> QuerySet[Project]:
    qs = Project.objects.visible_to(user, perm).select_related("area")
    if area:
        try:
            qs = qs.filter(area__code__startswith=scope_prefix(area))
        except AreaCodeError:
            qs = qs.none()
    if stage:
        qs = qs.filter(stage=stage)
    if colour:
        qs = qs.filter(colour=colour)
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(ref__iexact=query) | Q(official__icontains=query))
    return qs.order_by("ref")


def project_get(*, user: User, pk: int, perm: str = Perm.PROJECT_VIEW) -> Project:
    project = Project.objects.visible_to(user, perm).select_related("area").filter(pk=pk).first()
    if project is None:
        raise NotFound("project_not_found", "no such project in your jurisdiction")
    return project


def project_colour_counts(*, user: User, area: str = "") -> dict[str, int]:
    """{"blue": n, "yellow": n, "red": n, "total": n} over the projects the user may see: one query."""
    rows = projects_list(user=user, area=area).order_by().values("colour").annotate(n=Count("id"))
    counts = dict.fromkeys(Colour.values, 0)
    for row in rows:
        counts[row["colour"]] = row["n"]
    counts["total"] = sum(counts.values())
    return counts


def _rings(geometry: dict[str, Any] | None) -> list[Ring]:
    return drawable_rings(geometry)  # a broken stored boundary is skipped, not a 500 for every user


def _spot(project_id: int, box: tuple[float, float, float, float]) -> tuple[float, float]:
    # A project without coordinates sits at a stable spot inside its area's bounding box.
    h = hashlib.sha256(str(project_id).encode()).digest()
    fx, fy = 0.15 + 0.7 * h[0] / 255, 0.15 + 0.7 * h[1] / 255
    return box[0] + fx * (box[2] - box[0]), box[1] + fy * (box[3] - box[1])


def battle_map_svg(*, user: User, area: str = "", width: int = 640) -> SafeString:
    """挂图作战: the districts the user sees, drawn from stored boundaries, with one dot per project by colour.

    Same drawing as apps.geo.svg (linear projection, north up), plus the project layer. Two queries, three when a project lacks coordinates.
    """
    prefixes = grant_prefixes(user, Perm.PROJECT_VIEW)
    if not prefixes:
        return mark_safe("")  # noqa: S308 - a constant empty string
    # A district is drawn if it lies in the user's scope or contains it (a street officer sees their district).
    district_q = Q()
    for p in prefixes:
        district_q |= Q(code=p[:6]) if len(p) >= 6 else Q(code__startswith=p)
    districts = list(
        Area.objects.filter(district_q, level=AreaLevel.DISTRICT).values_list("code", "name_zh", "boundary")
    )
    projects = list(
        projects_list(user=user, area=area).values_list(
            "id", "ref", "name", "colour", "lon", "lat", "area_id"
        )
    )
    # Boundaries only of the areas whose projects have no coordinates (usually none): no JSON per project row.
    unplaced = {row[6] for row in projects if row[4] is None or row[5] is None}
    boundaries = (
        dict(Area.objects.filter(code__in=unplaced).values_list("code", "boundary")) if unplaced else {}
    )
    shapes = [(code, name, rings) for code, name, g in districts if g and (rings := _rings(g))]
    points = [pt for _, _, rings in shapes for ring in rings for pt in ring]
    if not points:
        return mark_safe("")  # noqa: S308 - a constant empty string
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    minx, maxx, miny, maxy = min(xs), max(xs), min(ys), max(ys)
    scale = width / (max(maxx - minx, maxy - miny) or 1.0)
    height = int((maxy - miny) * scale) + 2

    def xy(x: float, y: float) -> tuple[str, str]:
        return f"{(x - minx) * scale:.1f}", f"{(maxy - y) * scale:.1f}"

    parts = []
    for code, name, rings in shapes:
        d = " ".join("M" + " L".join(",".join(xy(x, y)) for x, y in ring) + " Z" for ring in rings)
        parts.append(
            format_html(
                '<path d="{}" fill="#eef2f6" stroke="#345" stroke-width="1"><title>{}</title></path>',
                d,
                f"{code} {name}",
            )
        )
        if rings:
            cx = sum(p[0] for p in rings[0]) / len(rings[0])
            top = max(p[1] for p in rings[0])
            tx, ty = xy(cx, top)
            parts.append(
                format_html(
                    '<text x="{}" y="{}" dy="14" text-anchor="middle" class="map-label">{}</text>',
                    tx,
                    ty,
                    name,
                )
            )
    for pk, ref, name, colour, lon, lat, area_code in projects:
        if lon is None or lat is None:
            pts = [pt for ring in _rings(boundaries.get(area_code)) for pt in ring]
            if not pts:
                continue
            lon, lat = _spot(
                pk,
                (
                    min(p[0] for p in pts),
                    min(p[1] for p in pts),
                    max(p[0] for p in pts),
                    max(p[1] for p in pts),
                ),
            )
        if not (minx <= lon <= maxx and miny <= lat <= maxy):
            continue
        cx, cy = xy(lon, lat)
        # One dot per project: f-strings with escape() on the two free-text fields (format_html per dot costs
        # a tenth of a second at 1,000 projects); numbers are formatted by us and the colour is a choice.
        safe_colour = colour if colour in COLOUR_HEX else "none"
        said = f"{escape(ref)} {escape(name)} · {escape(Colour(colour).label if colour in COLOUR_HEX else '')}"  # the colour in words too
        parts.append(
            f'<a href="/projects/{int(pk)}/" aria-label="{said}"><circle cx="{cx}" cy="{cy}" r="5" fill="{COLOUR_HEX.get(colour, "#777")}" '
            f'stroke="#fff" stroke-width="1" class="project-dot colour-{safe_colour}">'
            f"<title>{said}</title></circle></a>"
        )
    svg = (
        f'<svg class="map battle-map" viewBox="0 0 {width + 2} {height}" role="group" '
        f'aria-label="{escape(gettext("Battle map"))}" '
        f'xmlns="http://www.w3.org/2000/svg">' + "".join(parts) + "</svg>"
    )
    return mark_safe(svg)  # noqa: S308 - every interpolated value went through format_html


def battle_map(*, user: User, area: str = "") -> AreaMap:
    """挂图作战 as an interactive map: the user's districts (projects per district on hover, click to filter by
    it) and one dot per project in its colour; the same layers as battle_map_svg, which stays the fallback."""
    prefixes = grant_prefixes(user, Perm.PROJECT_VIEW)
    if not prefixes:
        return area_map([])
    district_q = Q()
    for p in prefixes:
        district_q |= Q(code=p[:6]) if len(p) >= 6 else Q(code__startswith=p)
    districts = list(
        Area.objects.filter(district_q, level=AreaLevel.DISTRICT).values_list("code", "name_zh", "boundary")
    )
    projects = list(
        projects_list(user=user, area=area).values_list(
            "id", "ref", "name", "colour", "lon", "lat", "area_id"
        )
    )
    unplaced = {row[6] for row in projects if row[4] is None or row[5] is None}
    boundaries = (
        dict(Area.objects.filter(code__in=unplaced).values_list("code", "boundary")) if unplaced else {}
    )
    per_district: dict[str, int] = {}
    markers = []
    for pk, ref, name, colour, lon, lat, area_code in projects:
        per_district[area_code[:6]] = per_district.get(area_code[:6], 0) + 1
        if lon is None or lat is None:
            pts = [pt for ring in _rings(boundaries.get(area_code)) for pt in ring]
            if not pts:
                continue
            box = (
                min(p[0] for p in pts),
                min(p[1] for p in pts),
                max(p[0] for p in pts),
                max(p[1] for p in pts),
            )
            lon, lat = _spot(pk, box)
        markers.append(
            Marker(
                lon=lon,
                lat=lat,
                title=f"{ref} {name} · {Colour(colour).label if colour in COLOUR_HEX else ''}",
                href=f"/projects/{int(pk)}/",
                fill=COLOUR_HEX.get(colour, "#777"),
            )
        )
    return area_map(
        districts,
        values=per_district,
        value_label=pgettext("map figure", "projects"),
        link="/projects/map/?area={code}",
        markers=markers,
    )


def district_progress(*, order_by: str = "start_rate") -> list[core_projects.DistrictProgress]:
    """进度晾晒: every district of the city, ranked by start rate or investment completion. Public, unscoped."""
    districts = list(Area.objects.filter(level=AreaLevel.DISTRICT).values_list("code", flat=True))
    rows = Project.objects.values_list("area_id", "stage", "investment_planned", "investment_completed")
    summaries = [
        core_projects.ProjectSummary(str(a)[:6], core_projects.ProjectStage(s), float(p), float(c))
        for a, s, p, c in rows
    ]
    key = "investment_rate" if order_by == "investment_rate" else "start_rate"
    return core_projects.district_ranking(summaries, districts=districts, order_by=key)  # type: ignore[arg-type]


def district_areas() -> dict[str, Area]:
    return {
        a.code: a for a in Area.objects.filter(level=AreaLevel.DISTRICT).only("code", "name_zh", "name_en")
    }

"""The headquarters dashboard (指挥部一张图): every installed app's figures for an area, by child area, with a map.

Figures come from the registry of apps.common.headquarters; each is computed by its app's selectors, scoped to
the viewer, and links to the list it counts with the same filters. An app that is not installed adds no figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.accounts.scoping import has_perm_anywhere, jurisdiction_prefixes
from apps.common.headquarters import TRACKS, Figure, discover
from apps.geo.choices import AreaLevel
from apps.geo.maps import AreaMap, area_map
from apps.geo.models import Area


@dataclass(frozen=True)
class Shown:
    figure: Figure
    value: Any
    href: str

    @property
    def key(self) -> str:
        return self.figure.key


def visible_figures(user: User) -> list[Figure]:
    """The figures the viewer's roles allow (a figure's permission held anywhere)."""
    return [f for f in discover() if has_perm_anywhere(user, f.perm)]


def figure_values(*, user: User, area: str = "", figures: list[Figure] | None = None) -> list[Shown]:
    """Each visible figure's number for the area ("" = the viewer's whole jurisdiction)."""
    chosen = figures if figures is not None else visible_figures(user)
    return [Shown(f, f.count(user, area), f.link(area)) for f in chosen]


def by_track(shown: list[Shown]) -> list[tuple[str, list[Shown]]]:
    labels = {
        "containment": _("Containment (防控)"),
        "recovery": _("Recovery (复工复产)"),
        "command": _("Command (督办)"),
    }
    return [
        (labels[t], [s for s in shown if s.figure.track == t])
        for t in TRACKS
        if any(s.figure.track == t for s in shown)
    ]


def child_areas(*, user: User, area: str = "") -> list[Area]:
    """The areas one level down: a named area's children, or the districts of the viewer's jurisdiction."""
    if area:
        return list(Area.objects.filter(parent_id=area).order_by("code"))
    prefixes = jurisdiction_prefixes(user)
    districts = Area.objects.filter(level=AreaLevel.DISTRICT).order_by("code")
    mine = [d for d in districts if any(d.code.startswith(p) or p.startswith(d.code) for p in prefixes)]
    if len(mine) == 1:  # a district's own officer: drill straight into its streets
        return list(Area.objects.filter(parent_id=mine[0].code).order_by("code"))
    return mine


def _digits(children: list[Area]) -> int:
    return len(children[0].code) if children else 6


def district_table(
    *, user: User, area: str, children: list[Area], figures: list[Figure]
) -> list[dict[str, Any]]:
    """One row per child area, one cell per figure that can be split by area (its own grouped query)."""
    digits = _digits(children)
    columns: dict[str, dict[str, Any]] = {}
    for figure in figures:
        if figure.by_area is not None:
            columns[figure.key] = figure.by_area(user, area, digits)
    rows = []
    for child in children:
        cells = []
        for figure in figures:
            if figure.by_area is None:
                continue
            value = columns[figure.key].get(child.code, 0)
            cells.append({"figure": figure, "value": value, "href": figure.link(child.code)})
        rows.append({"area": child, "cells": cells})
    return rows


def split_figures(figures: list[Figure]) -> list[Figure]:
    return [f for f in figures if f.by_area is not None]


def dashboard_map(*, children: list[Area], figure: Figure | None, table: list[dict[str, Any]]) -> AreaMap:
    values: dict[str, Any] = {}
    if figure is not None:
        for row in table:
            for cell in row["cells"]:
                if cell["figure"].key == figure.key:
                    values[row["area"].code] = cell["value"]
    peak = max([v for v in values.values() if isinstance(v, int | float)] or [0])
    fills = {}
    for code, value in values.items():
        share = (value / peak) if peak and isinstance(value, int | float) else 0
        if figure is not None and not figure.bad_when_high:
            share = 1 - share
        fills[code] = _shade(share)
    return area_map(
        [(a.code, a.name_zh, a.boundary) for a in children],
        values=values,
        fills=fills,
        value_label=str(figure.label) if figure else "",
        link="?area={code}" + (f"&map={figure.key}" if figure else ""),
    )


_SHADES = ["#e8f1e4", "#fbe3b0", "#f6b27a", "#e4704f", "#b3261e"]


def _shade(share: float) -> str:
    return _SHADES[min(int(share * len(_SHADES)), len(_SHADES) - 1)]


def breadcrumbs(area: str) -> list[Area]:
    out = []
    current = Area.objects.filter(code=area).first() if area else None
    while current is not None:
        out.append(current)
        current = current.parent
    return list(reversed(out))

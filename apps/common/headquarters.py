"""Figures for the headquarters dashboard (指挥部一张图): a registry every app fills, so no app imports apps.command.

Each app that has something to show adds a module `apps/<app>/headquarters.py` defining ``FIGURES``, a list of
`Figure`. The dashboard imports those modules by app label (`discover()`), so an app that is not installed shows
nothing at all — never a zero. A figure::

    Figure(
        key="cases.active",                  # unique; "<app label>.<name>"
        label=_("Active cases"),
        track="containment",                 # "containment" (防控) or "recovery" (复工复产)
        perm="case.view",                    # the viewer needs it (anywhere); counts are scoped by the selector
        count=lambda user, area: ...,        # the number for the area prefix ("" = the whole jurisdiction)
        by_area=lambda user, area, digits: {code_prefix: n},  # optional: per child area (the map, drill-down)
        link=lambda area: "/cases/?status=confirmed&area=" + area,  # the list it counts, same filters
        api=lambda area: "/api/cases/?...",  # optional: the API list whose `count` equals the figure (tested)
    )

`count` must read through the app's selectors, scoped to `user`; it may return None when it does not apply.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps as django_apps

Number = int | Decimal | float | None
TRACKS = ("containment", "recovery", "command")


@dataclass(frozen=True)
class Figure:
    key: str
    label: Any
    track: str
    perm: str
    count: Callable[[Any, str], Number]
    link: Callable[[str], str]
    by_area: Callable[[Any, str, int], dict[str, Number]] | None = None
    api: Callable[[str], str] | None = None
    unit: str = ""  # "%" for rates
    order: int = 100
    # True when a bigger number is worse (cases, overdue): the map shades it red rather than green.
    bad_when_high: bool = True


def discover() -> list[Figure]:
    """Every installed app's FIGURES, in (track, order) order; apps without a headquarters module add nothing."""
    out: list[Figure] = []
    for config in django_apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.headquarters")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.headquarters":
                raise
            continue
        out.extend(getattr(module, "FIGURES", []))
    keys = [f.key for f in out]
    if len(keys) != len(set(keys)):
        raise ValueError("two figures share a key")
    return sorted(out, key=lambda f: (TRACKS.index(f.track) if f.track in TRACKS else 9, f.order, f.key))


def url(path: str, **params: object) -> str:
    """A list's address with its filters; empty filters are left out so the link reads like the list's own."""
    from urllib.parse import urlencode

    query = urlencode({k: v for k, v in params.items() if v not in ("", None, False)})
    return f"{path}?{query}" if query else path


def count_by_prefix(qs: Any, field: str, digits: int) -> dict[str, int]:
    """Rows of `qs` per area prefix of `digits` digits of `field` (an area code column): one grouped query."""
    from django.db.models import Count
    from django.db.models.functions import Substr

    if qs.query.annotations or qs.query.distinct:
        # A list annotated with an aggregate (schools' done checks) would group by it: count its rows instead.
        qs = qs.model._default_manager.filter(pk__in=qs.order_by().values("pk"))
    rows = qs.order_by().annotate(_prefix=Substr(field, 1, digits)).values("_prefix").annotate(_n=Count("pk"))
    return {row["_prefix"]: row["_n"] for row in rows}

"""Pages of the geo app: browse the area tree, with a map drawn from the stored boundaries."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import pgettext

from apps.geo import selectors
from apps.geo.maps import area_map
from apps.geo.models import Area


@login_required
def area_tree(request: HttpRequest, code: str = "") -> HttpResponse:
    area = None
    if code:
        area = Area.objects.filter(code=code).first()
        if area is None:
            raise Http404
    children = list(selectors.area_children(code=code or None))
    context = {
        "area": area,
        "ancestors": selectors.area_ancestors(code=code) if code else [],
        "children": children,
        "map_svg": area_map(
            [(c.code, c.name, c.boundary) for c in children],
            values={c.code: c.child_count for c in children},
            value_label=pgettext("map figure", "sub-areas"),
            link="/areas/{code}/",
        ),
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "geo/_children.html", context)
    return render(request, "geo/tree.html", context)


"""Pages of the geo app: browse the area tree, with a map drawn from the stored boundaries."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from apps.geo import selectors
from apps.geo.models import Area
from apps.geo.svg import boundaries_svg


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
        "map_svg": boundaries_svg([(c.code, c.name, c.boundary) for c in children if c.boundary]),
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "geo/_children.html", context)
    return render(request, "geo/tree.html", context)


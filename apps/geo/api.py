"""API of the geo app: the area tree."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from apps.common.errors import NotFound
from apps.geo import selectors
from apps.geo.models import Area

router = Router(tags=["areas"])


class AreaOut(Schema):
    code: str
    level: int
    parent_id: str | None
    name_zh: str
    name_en: str


class AreaDetailOut(AreaOut):
    boundary: dict[str, Any] | None
    ancestors: list[AreaOut]


@router.get("", response=list[AreaOut])
def area_list(request: HttpRequest, parent: str = "") -> Any:
    """Children of `parent` (the top level when empty)."""
    return list(selectors.area_children(code=parent or None))


@router.get("/{code}", response=AreaDetailOut)
def area_detail(request: HttpRequest, code: str) -> Any:
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise NotFound("area_not_found", f"no area with code {code}")
    area.ancestors = selectors.area_ancestors(code=code)[:-1]  # type: ignore[attr-defined]
    return area

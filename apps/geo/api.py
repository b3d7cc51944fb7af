"""API of the geo app: the area tree."""

from __future__ import annotations

from typing import Any

from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile

from apps.accounts.choices import Perm
from apps.accounts.http import AuthedRequest
from apps.accounts.scoping import has_perm_anywhere, jurisdiction_prefixes
from apps.common.apitypes import PathCode
from apps.common.errors import Forbidden, NotFound
from apps.geo import selectors
from apps.geo.models import Area
from apps.geo.services import areas_import

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


class AreaImportOut(Schema):
    total_rows: int
    saved_rows: int
    errors: list[dict[str, Any]]


@router.post("/import", response=AreaImportOut)
def area_import(request: AuthedRequest, file: File[UploadedFile]) -> Any:
    """Import areas from CSV/XLSX (columns 区划代码/code, 名称/name_zh, 英文名称/name_en, 边界/boundary as GeoJSON).
    Re-importing updates names and boundaries; every bad row is reported with its line."""
    if not has_perm_anywhere(request.user, Perm.AREA_MANAGE):
        raise Forbidden("area_import_forbidden", "your role may not import areas")
    return areas_import(data=file.read(), filename=file.name or "areas.csv", actor=request.user,
                        request=request)


@router.get("", response=list[AreaOut])
def area_list(request: AuthedRequest, parent: str = "") -> Any:
    """Children of `parent` (the top level when empty)."""
    return list(selectors.area_children(code=parent or None))


class AreaMatchOut(Schema):
    code: str
    name: str
    level: int
    path: str


@router.get("/search", response=list[AreaMatchOut])
def area_search(request: AuthedRequest, q: str = Query("", max_length=100), limit: int = Query(20, ge=1, le=50)) -> Any:
    """Areas in the caller's jurisdiction by name (Chinese or English, any part) or code prefix: the area
    pickers' search-as-you-type. Areas outside every one of the caller's grants are never offered."""
    return selectors.area_search(prefixes=jurisdiction_prefixes(request.user), query=q, limit=limit)


@router.get("/{code}", response=AreaDetailOut)
def area_detail(request: AuthedRequest, code: PathCode) -> Any:
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise NotFound("area_not_found", f"no area with code {code}")
    area.ancestors = selectors.area_ancestors(code=code)[:-1]  # type: ignore[attr-defined]
    return area

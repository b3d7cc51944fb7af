"""Demo step: the fictional city's area tree with polygons."""

from __future__ import annotations

from typing import Any

from apps.demo.generator import DemoContext
from apps.geo.services import areas_upsert
from core import synthetic

NAME = "areas"


def run(ctx: DemoContext) -> dict[str, Any]:
    specs = synthetic.city_areas()
    areas_upsert({"code": a.code, "name_zh": a.name_zh, "name_en": a.name_en, "boundary": a.boundary} for a in specs)
    return {"areas": len(specs)}

"""Reads of areas. Areas are public reference data: everyone signed in may read the tree."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from apps.geo.models import Area
from core import geocodes


def area_children(*, code: str | None) -> QuerySet[Area]:
    qs = Area.objects.annotate(child_count=Count("children"))
    return qs.filter(parent_id=code) if code else qs.filter(parent__isnull=True)


def area_subtree(*, code: str) -> QuerySet[Area]:
    return Area.objects.filter(code__startswith=geocodes.scope_prefix(code))


def area_ancestors(*, code: str) -> list[Area]:
    codes: list[str] = []
    current: str | None = code
    while current:
        codes.append(current)
        current = geocodes.parent_code(current)
    by_code = Area.objects.in_bulk(codes)
    return [by_code[c] for c in reversed(codes) if c in by_code]


def area_codes_at(*, level: int) -> set[str]:
    return set(Area.objects.filter(level=level).values_list("code", flat=True))


def all_area_codes() -> set[str]:
    return set(Area.objects.values_list("code", flat=True))

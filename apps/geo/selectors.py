"""Reads of areas. Areas are public reference data: everyone signed in may read the tree."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

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


def area_search(*, prefixes: list[str], query: str, limit: int = 20) -> list[dict[str, object]]:
    """Areas under `prefixes` whose name (Chinese or English) contains `query` or whose code starts with it,
    the larger areas first, each with the names of its ancestors (the path a picker shows)."""
    query = query.strip()
    if not prefixes or not query:
        return []
    scope = Q()
    for prefix in prefixes:
        scope |= Q(code__startswith=prefix)
    match = Q(name_zh__icontains=query) | Q(name_en__icontains=query)
    if query.isdigit():
        match |= Q(code__startswith=query)
    found = list(Area.objects.filter(scope, match).order_by("level", "code")[:limit])
    chains = {area.code: _ancestor_codes(area.code) for area in found}
    names = {a.code: a.name for a in Area.objects.filter(code__in={c for chain in chains.values() for c in chain})}
    return [
        {
            "code": area.code,
            "name": area.name,
            "level": area.level,
            "path": " › ".join(names[c] for c in chains[area.code] if c in names),
        }
        for area in found
    ]


def _ancestor_codes(code: str) -> list[str]:
    """From the top of the tree down to the area's parent."""
    chain: list[str] = []
    parent = geocodes.parent_code(code)
    while parent:
        chain.insert(0, parent)
        parent = geocodes.parent_code(parent)
    return chain

"""Page-number pagination with a bounded page size, shared by the API and the pages."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from django.db.models import QuerySet
from ninja import Schema

T = TypeVar("T")
MAX_PAGE_SIZE = 500


class Page(Schema, Generic[T]):
    items: list[T]
    page: int
    page_size: int
    has_next: bool


def paginate(qs: QuerySet[Any], page: int, page_size: int) -> dict[str, Any]:
    """One query for the page (plus one row to know if there is a next page); no COUNT over millions."""
    page = max(page, 1)
    page_size = min(max(page_size, 1), MAX_PAGE_SIZE)
    start = (page - 1) * page_size
    rows = list(qs[start : start + page_size + 1])
    return {"items": rows[:page_size], "page": page, "page_size": page_size, "has_next": len(rows) > page_size}

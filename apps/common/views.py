"""Small helpers every app's page views share: the error page of a ServiceError, and integer query parameters."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.common.errors import ServiceError


def error_page(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    """The page a view shows when a service refuses: the error's message, with its HTTP status."""
    return render(request, "error.html", {"error": exc}, status=exc.status)


def int_param(request: HttpRequest, name: str, default: int, low: int, high: int | None = None) -> int:
    """An integer query parameter clamped to [low, high]; the default when it is missing or not a number."""
    try:
        value = max(int(request.GET.get(name, default)), low)
    except ValueError:
        return default
    return value if high is None else min(value, high)


def page_number(request: HttpRequest) -> int:
    """`?page=`, 1-based; 1 when missing or malformed, at most a million (an offset the database can take)."""
    return int_param(request, "page", 1, 1, 1_000_000)


def one_page(request: HttpRequest, rows: Any, size: int) -> tuple[list[Any], dict[str, Any]]:
    """The `?page=` page of a query (or list) of rows, and the pager's context: `page` and `has_next`.

    It reads one row more than the page holds to know whether a next page exists, so no COUNT(*) runs.
    """
    page = page_number(request)
    got = list(rows[(page - 1) * size : page * size + 1])
    return got[:size], {"page": page, "has_next": len(got) > size}

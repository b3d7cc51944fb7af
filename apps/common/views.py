"""Small helpers every app's page views share: the error page of a ServiceError, and integer query parameters."""

from __future__ import annotations

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
    """`?page=`, 1-based; 1 when missing or malformed."""
    return int_param(request, "page", 1, 1)

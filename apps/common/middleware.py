"""Security headers on every response: Content-Security-Policy, Permissions-Policy, no-store for personal data.

The policy allows scripts only from our own origin (`script-src 'self'`): no inline <script>, no on*= attributes,
no javascript: links, no eval. A page that needs JavaScript loads a file from static/js/ with
`<script src="{% static 'js/….js' %}" defer></script>`; data for it goes in a `<script type="application/json">`
block (not executed, so allowed) or data-* attributes. Styles come from static CSS too: set computed sizes from
JavaScript (`el.style.width = …` is allowed) or through data-* attributes handled by static/js/app.js.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import DataError, IntegrityError
from django.http import HttpRequest, HttpResponse

from apps.common.errors import Conflict, ServiceError
from apps.common.views import error_page

log = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self' blob:",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# The checkpoint page reads QR codes with the camera; nothing else needs a device.
PERMISSIONS_POLICY = ", ".join(
    [
        "camera=(self)",
        "microphone=()",
        "geolocation=()",
        "payment=()",
        "usb=()",
        "serial=()",
        "bluetooth=()",
        "midi=()",
        "magnetometer=()",
        "gyroscope=()",
        "accelerometer=()",
        "interest-cohort=()",
    ]
)


def _personal(request: HttpRequest, response: HttpResponse) -> bool:
    """Pages of a signed-in user, every API answer and every download may carry personal data."""
    user = getattr(request, "user", None)
    return (
        bool(user is not None and user.is_authenticated)
        or request.path.startswith("/api/")
        or response.get("Content-Disposition", "").startswith("attachment")
    )


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", CONTENT_SECURITY_POLICY)
        response.setdefault("Content-Security-Policy", policy)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        # A view's own Cache-Control stands (the service worker's no-cache), except on downloads.
        download = response.get("Content-Disposition", "").startswith("attachment")
        if _personal(request, response) and (download or "Cache-Control" not in response):
            response["Cache-Control"] = "no-store, private"
        return response


class DatabaseRefusalMiddleware:
    """A last guard for pages, as the API has its own: a value the database refuses is the user's mistake.

    Page forms hand their text to the services, which check what they know; a value that still reaches the
    database too long or out of range (PostgreSQL refuses it, SQLite stores it) or against a unique or check rule
    is answered as a 400 or 409 page naming the problem, not as a server error. The view's transaction has stored
    nothing by then (a service's `atomic` block, or the request's, has rolled back).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if request.path.startswith("/api/"):
            return None  # the API answers these itself (tongchou/api.py)
        if isinstance(exc, (DataError, OverflowError)):
            log.warning("value out of range reached the database from a page: %s", exc)
            return error_page(
                request, ServiceError("out_of_range", "a value is too large, too long or out of range")
            )
        if isinstance(exc, IntegrityError):
            log.warning("a database rule refused a write from a page: %s", exc)
            return error_page(
                request, Conflict("conflict", "the change conflicts with stored data or a rule")
            )
        return None

"""The JSON API: one NinjaAPI, one error format `{code, message, details}`, token or session auth."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, django_auth

from apps.accounts.models import User
from apps.accounts.services import token_user
from apps.common.errors import ServiceError

log = logging.getLogger(__name__)


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = token_user(key=token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Tongchou API",
    version="1",
    description="统筹 Tongchou: epidemic containment and economic recovery for a city headquarters.",
    # The page session works too (django_auth checks CSRF on unsafe methods, like any form).
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
)


def error(request: HttpRequest, status: int, code: str, message: str, details: list[Any] | None = None) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, "details": details or []}, status=status)


@api.exception_handler(ServiceError)
def on_service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return error(request, exc.status, exc.code, exc.message, exc.details)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    details = [{"field": ".".join(str(p) for p in e.get("loc", [])), "message": e.get("msg", "")} for e in exc.errors]
    return error(request, 422, "invalid_request", "the request is not valid", details)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error(request, 401, "unauthenticated", "sign in or send a valid bearer token")


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error(request, exc.status_code, "http_error", str(exc))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error(request, 404, "not_found", "not found")


@api.exception_handler(PermissionDenied)
def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error(request, 403, "forbidden", str(exc) or "forbidden")


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.exception("unhandled API error")
    return error(request, 500, "server_error", "an unexpected error occurred; it has been logged")


api.add_router("/auth/", "apps.accounts.api.router")
api.add_router("/areas/", "apps.geo.api.router")
api.add_router("/persons/", "apps.people.api.router")
api.add_router("/audit/", "apps.accounts.api.audit_router")
api.add_router("/codes/", "apps.codes.api.router")
api.add_router("/venues/", "apps.venues.api.router")
api.add_router("/enterprises/", "apps.enterprises.api.router")
api.add_router("/policies/", "apps.enterprises.api.policy_router")
api.add_router("/hotline/", "apps.enterprises.api.hotline_router")
api.add_router("/projects/", "apps.projects.api.router")
api.add_router("/indicators/", "apps.indicators.api.router")
api.add_router("/prices/", "apps.prices.api.router")
api.add_router("/society/", "apps.society.api.router")
api.add_router("/cases/", "apps.cases.api.router")
api.add_router("/epi/", "apps.epi.api.router")

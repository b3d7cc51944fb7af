"""The JSON API: one NinjaAPI, one error format `{code, message, details}`, token or session auth."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import DataError, IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.datastructures import MultiValueDict
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer, django_auth

from apps.accounts.models import User
from apps.accounts.services import token_user
from apps.common.errors import ServiceError
from core.tabular import TableError
from core.textclean import clean_text, clean_tree

log = logging.getLogger(__name__)


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = token_user(key=token)
        if user is not None:
            request.user = user
        return user


class CleanParser(Parser):
    """JSON without NaN/Infinity literals; every string of a body, query or form without NUL, controls, direction
    overrides or lone surrogates (core.textclean), so no stored name can turn a line around or break an encoding."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        return clean_tree(json.loads(request.body, parse_constant=_reject_constant))  # type: ignore[return-value]

    def parse_querydict(self, data: MultiValueDict, list_fields: list[str], request: HttpRequest) -> dict[str, Any]:
        parsed = super().parse_querydict(data, list_fields, request)
        return {clean_text(k): clean_tree(v) for k, v in parsed.items()}


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


class ErrorOut(Schema):
    """Every error answer: a stable code, a message for people, and details naming the fields."""

    code: str
    message: str
    details: list[Any]


# The errors an operation can answer besides its own documented ones (see TongchouAPI.get_openapi_schema).
ERROR_STATUSES = {
    "400": "The request cannot be carried out as sent.",
    "401": "Not signed in, or the bearer token is not valid.",
    "403": "The caller may not do this here (role or jurisdiction).",
    "404": "No such object in the caller's jurisdiction.",
    "409": "The request conflicts with the current state.",
    "413": "The request body is larger than the server accepts.",
    "422": "A field is missing or not valid; `details` names it.",
}


class TongchouAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None) -> Any:
        """Document the shared error answers on every operation, so a client (and the fuzzer) knows them."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["ErrorOut"] = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}
        for item in schema["paths"].values():
            for method, operation in item.items():
                responses = operation.setdefault("responses", {})
                for status, description in ERROR_STATUSES.items():
                    if status in ("409", "413") and method == "get":
                        continue
                    responses.setdefault(status, {"description": description, **error})
        return schema


api = TongchouAPI(
    title="Tongchou API",
    version="1",
    description="统筹 Tongchou: epidemic containment and economic recovery for a city headquarters.",
    # The page session works too (django_auth checks CSRF on unsafe methods, like any form).
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
    parser=CleanParser(),
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
    if isinstance(exc.__cause__, RequestDataTooBig):  # ninja wraps what the body parser raises
        return on_too_large(request, exc.__cause__)
    return error(request, exc.status_code, "http_error", str(exc))


@api.exception_handler(RequestDataTooBig)
@api.exception_handler(TooManyFieldsSent)
@api.exception_handler(TooManyFilesSent)
def on_too_large(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error(request, 413, "too_large", "the request body is larger than the server accepts")


@api.exception_handler(TableError)
def on_table_error(request: HttpRequest, exc: TableError) -> HttpResponse:
    # Raised while an import reads its rows, before it stores any (imports validate every row first).
    return error(request, 422, "bad_file", str(exc), [{"field": "file", "message": str(exc)}])


@api.exception_handler(IntegrityError)
def on_integrity_error(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    # A last guard as well: a rule of the database (unique, check) refused the write, and the service's
    # transaction stored nothing. Services check these rules first and name the field themselves.
    log.warning("a database rule refused a write: %s", exc)
    return error(request, 409, "conflict", "the change conflicts with stored data or a rule")


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def on_out_of_range(request: HttpRequest, exc: Exception) -> HttpResponse:
    # A last guard: the schemas bound every value (apps.common.apitypes); one that slips through is the
    # caller's mistake, answered as such, and the service's transaction has stored nothing.
    log.warning("value out of range reached the database: %s", exc)
    return error(request, 422, "out_of_range", "a value is too large, too long or out of range")


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
api.add_router("/quarantine/", "apps.quarantine.api.router")

api.add_router("/arrivals/", "apps.arrivals.api.router")
api.add_router("/screening/", "apps.screening.api.router")
api.add_router("/command/", "apps.command.api.router")

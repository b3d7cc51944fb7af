"""Schema fuzzing: Schemathesis drives every operation of /api/openapi.json in process (WSGI, no network), as a
city-wide user and unauthenticated, and fails on any 5xx and on any answer its documented schema does not describe.

Bounded for the normal suite (a fixed seed, a few examples per operation). A longer run, e.g.
`TONGCHOU_FUZZ_EXAMPLES=60 pytest tests/test_api_fuzz.py -q -p no:randomly`, explores more.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from apps.accounts.choices import Role
from apps.accounts.services import token_issue, user_create
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("TONGCHOU_FUZZ_EXAMPLES", "6"))
CITY = "990000"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# The roles that together reach every operation at city level: reads, writes, imports of both tracks.
CITY_ROLES = [Role.COMMANDER, Role.DISTRICT_OFFICER, Role.EPIDEMIOLOGIST, Role.CLINICIAN, Role.ECONOMIC_OFFICER]


def fuzz(headers: dict[str, str], examples: int, only: str = "") -> tuple[int, list[str]]:
    """Run every operation (or those whose path starts with `only`) `examples` times; return the number of cases
    run and one entry per failing operation."""
    with connection_kept_open():
        return _fuzz(headers, examples, only)


def _fuzz(headers: dict[str, str], examples: int, only: str) -> tuple[int, list[str]]:
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    ran = [0]
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith(only):
            continue

        @settings(max_examples=examples, derandomize=True, database=None, deadline=None,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        # Valid inputs and inputs that break the schema (wrong types, out of range, missing fields) alike.
        @given(case=st.one_of(operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)))
        def run(case: Any) -> None:
            ran[0] += 1
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS)

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collected, reported all at once below
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:1500]}")
    return ran[0], failures


@contextmanager
def connection_kept_open() -> Iterator[None]:
    """The plain WSGI handler closes the database connection after each request, which would end the test's
    transaction (on PostgreSQL); Django's own test client keeps it open in the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def city_wide_token() -> str:
    user = user_create(username="fuzzer", password=TEST_PASSWORD, grants=[(role, CITY) for role in CITY_ROLES])
    return token_issue(user=user, name="fuzz")


def test_the_fuzzer_reports_a_server_error(city, monkeypatch):
    from apps.geo import selectors

    def boom(**kwargs: Any) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(selectors, "area_children", boom)
    ran, failures = fuzz({"Authorization": f"Bearer {city_wide_token()}"}, 3, only="/api/areas/")
    assert ran and any("Server error" in f for f in failures), failures


def test_no_operation_answers_5xx_or_off_schema_for_a_city_wide_user(city):
    ran, failures = fuzz({"Authorization": f"Bearer {city_wide_token()}"}, EXAMPLES)
    print(f"schema fuzzing as a city-wide user: {ran} cases")
    assert not failures, "\n\n".join(failures)


def test_no_operation_answers_5xx_or_off_schema_unauthenticated(city):
    ran, failures = fuzz({}, max(2, EXAMPLES // 3))
    print(f"schema fuzzing unauthenticated: {ran} cases")
    assert not failures, "\n\n".join(failures)

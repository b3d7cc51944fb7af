"""The quarantine operations under the API fuzzer (tests/test_api_fuzz.py's harness, only /api/quarantine)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.test_api_fuzz import city_wide_token, fuzz

pytestmark = pytest.mark.django_db


def test_no_quarantine_operation_answers_5xx_or_off_schema(city: Any) -> None:
    ran, failures = fuzz({"Authorization": f"Bearer {city_wide_token()}"}, 6, only="/api/quarantine")
    assert ran > 100
    assert not failures, "\n".join(failures)

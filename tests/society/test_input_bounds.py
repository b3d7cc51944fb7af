"""A dispute's dates lie in the epidemic's calendar and its text is capped: beyond them, a 422 naming the field."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from apps.common.apitypes import LONG_TEXT
from apps.society.models import Dispute
from tests.factories import DISTRICT_A

pytestmark = pytest.mark.django_db


def _dispute(**extra):
    return {"area_code": DISTRICT_A + "001", "kind": "labour", "summary": "拖欠工资", "claimant": "张三丰",
            "respondent": "某某制造有限公司", "owner_name": "李调解", **extra}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("opened_on", "1800-01-01"),
        ("opened_on", "0001-01-01"),
        ("opened_on", f"{timezone.localdate().year + 2}-01-01"),
        ("summary", "长" * (LONG_TEXT + 1)),
        ("summary", "x" * 200_000),
    ],
)
def test_a_dispute_out_of_the_calendar_or_too_long_is_a_422_and_not_stored(officer_a, api_of, field, value):
    r = api_of(officer_a).post("/api/society/disputes", json.dumps(_dispute(**{field: value})),
                               content_type="application/json")
    assert r.status_code == 422, r.content[:300]
    assert [d["field"].split(".")[-1] for d in r.json()["details"]] == [field]
    assert not Dispute.objects.exists()


def test_the_longest_allowed_summary_is_stored(officer_a, api_of):
    r = api_of(officer_a).post("/api/society/disputes", json.dumps(_dispute(summary="长" * LONG_TEXT)),
                               content_type="application/json")
    assert r.status_code == 201, r.content[:300]
    assert len(Dispute.objects.get().summary) == LONG_TEXT

"""Case dates lie in the epidemic's calendar and carry their offset; a case can be corrected by PATCH."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from apps.cases.models import Case

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("onset_date", "1800-01-01"),
        ("onset_date", "9999-12-31"),
        ("first_visit_at", "0001-01-01T00:00:00Z"),
        ("first_visit_at", "9999-12-31T23:59:59+08:00"),
        ("first_visit_at", "2026-01-01T10:00:00"),
        ("first_visit_at", "2026-01-01"),
    ],
)
def test_a_case_with_a_date_out_of_the_calendar_or_without_offset_is_a_422(epi, person_a, api_of, field, value):
    body = {"person_id": person_a.pk, "status": "suspected", field: value}
    r = api_of(epi).post("/api/cases/", json.dumps(body), content_type="application/json")
    assert r.status_code == 422, r.content
    assert [d["field"].split(".")[-1] for d in r.json()["details"]] == [field]
    assert not Case.objects.exists()


def test_a_case_is_corrected_by_patch_with_a_json_body(epi, person_a, make_case, api_of):
    case = make_case(person_a)
    onset = timezone.localdate() - dt.timedelta(days=3)
    client = api_of(epi)
    r = client.patch(f"/api/cases/{case.pk}", json.dumps({"onset_date": onset.isoformat(), "note": "补充流调"}),
                     content_type="application/json")
    assert r.status_code == 200, r.content
    case.refresh_from_db()
    assert (case.onset_date, case.note) == (onset, "补充流调")
    bad = client.patch(f"/api/cases/{case.pk}", json.dumps({"onset_date": "1800-01-01"}),
                       content_type="application/json")
    assert bad.status_code == 422
    case.refresh_from_db()
    assert case.onset_date == onset

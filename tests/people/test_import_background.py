"""A big person import runs as a background job: 202 and a job to follow, progress, then the full report."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.people.models import ImportBatch, Person
from apps.people.tasks import import_persons
from core import synthetic, tabular

pytestmark = pytest.mark.django_db

FIELDS = ("name", "doc_type", "doc_number", "sex", "birth_date", "phone", "area_code", "address", "household_ref")
GENERATED_ON = dt.date(2026, 3, 1)  # births are drawn before this day: valid at any later "today"


def _file(n: int = 120) -> bytes:
    specs = synthetic.people(random.Random(11), n, GENERATED_ON, synthetic.community_codes())
    rows = [[str(getattr(p, f) or "") for f in FIELDS] for p in specs]
    rows[4][5] = "123"  # line 6: a bad phone
    rows[9][6] = "990101999999"  # line 11: an unknown area
    return tabular.write_csv(FIELDS, rows)


@pytest.fixture
def city_officer(city: Any, make_user: Any) -> Any:
    return make_user("district_officer", "990100", username="city_officer")


@pytest.fixture
def background_over_50(settings: Any) -> None:
    settings.TONGCHOU_IMPORT_BACKGROUND_ROWS = 50


def _post(api: Any, data: bytes) -> Any:
    return api.post("/api/persons/import", {"file": SimpleUploadedFile("big.csv", data)})


def test_a_big_file_answers_202_and_the_job_reports_every_bad_row(
    city_officer: Any, api_of: Any, background_over_50: None, django_capture_on_commit_callbacks: Any
) -> None:
    api = api_of(city_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(api, _file())
    assert response.status_code == 202, response.content
    job = response.json()
    assert job["status"] == "queued" and job["expected_rows"] == 120 and job["processed_rows"] == 0
    done = api.get(f"/api/persons/imports/{job['id']}").json()
    assert done["status"] == "done"
    assert (done["total_rows"], done["processed_rows"], done["created_rows"], done["error_rows"]) == (120, 120, 118, 2)
    assert [(e["line"], e["field"]) for e in done["errors"]] == [(6, "phone"), (11, "area_code")]
    assert Person.objects.count() == 118
    assert ImportBatch.objects.get(pk=job["id"]).upload_enc is None  # the upload is dropped once imported


def test_a_small_file_is_still_imported_in_the_request(city_officer: Any, api_of: Any, settings: Any) -> None:
    settings.TONGCHOU_IMPORT_BACKGROUND_ROWS = 500
    response = _post(api_of(city_officer), _file())
    assert response.status_code == 200
    assert response.json()["created_rows"] == 118


def test_a_retried_upload_returns_the_same_job_and_a_retried_job_changes_nothing(
    city_officer: Any, api_of: Any, background_over_50: None, django_capture_on_commit_callbacks: Any
) -> None:
    api, data = api_of(city_officer), _file()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        first = _post(api, data).json()
        again = _post(api, data).json()  # the client timed out and sent it again
    assert first["id"] == again["id"] and ImportBatch.objects.count() == 1
    stored = ImportBatch.objects.get(pk=first["id"]).upload_enc
    assert stored and b"990101" not in bytes(stored)  # the waiting upload is encrypted
    for callback in queued:
        callback()
    report = api.get(f"/api/persons/imports/{first['id']}").json()
    assert import_persons.enqueue(first["id"]).return_value == "done"  # a worker's retry: nothing to do
    assert api.get(f"/api/persons/imports/{first['id']}").json() == report
    assert Person.objects.count() == 118


def test_the_job_is_private_to_its_uploader(
    city_officer: Any, officer_a: Any, api_of: Any, background_over_50: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = _post(api_of(city_officer), _file()).json()
    response = api_of(officer_a).get(f"/api/persons/imports/{job['id']}")
    assert response.status_code == 404 and response.json()["code"] == "import_not_found"
    assert api_of(city_officer).get(f"/api/persons/imports/{job['id'] + 999}").status_code == 404


def test_a_job_whose_uploader_left_fails_with_a_reason(
    city_officer: Any, api_of: Any, background_over_50: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as queued:
        job = _post(api_of(city_officer), _file()).json()
    city_officer.is_active = False
    city_officer.save()
    for callback in queued:
        callback()
    batch = ImportBatch.objects.get(pk=job["id"])
    assert (batch.status, batch.errors[0]["code"], batch.upload_enc) == ("failed", "uploader_gone", None)
    assert Person.objects.count() == 0


def test_the_page_sends_a_big_file_to_a_progress_page(
    city_officer: Any, client_of: Any, background_over_50: None, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_of(city_officer)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post("/persons/import/", {"file": SimpleUploadedFile("big.csv", _file())})
    assert response.status_code == 302
    waiting = client.get(response.url).content.decode()
    assert "<progress" in waiting and 'hx-trigger="every 2s"' in waiting
    for callback in queued:
        callback()
    report = client.get(response.url).content.decode()
    assert "<progress" not in report and "990101999999" in report  # the unknown area's line, with its reason

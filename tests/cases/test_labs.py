"""Lab results: CSV/API batches are idempotent, bad rows are reported, a positive opens or moves a case."""

from __future__ import annotations

from typing import Any

import pytest

from apps.accounts.models import User
from apps.cases import services
from apps.cases.choices import CaseStatus
from apps.cases.models import Case, LabResult
from apps.people.services import person_plain


def _csv(rows: list[str]) -> bytes:
    return ("sample_id,sampled_at,result,ct_value,doc_number\n" + "\n".join(rows) + "\n").encode()


@pytest.mark.django_db
def test_a_positive_opens_an_asymptomatic_case_and_a_retry_changes_nothing(person_a: Any, epi: User) -> None:
    doc = person_plain(person_a)["doc_number"]
    data = _csv(
        [
            f"S1,2020-02-03 09:00,阳性,28.5,{doc}",
            f"S2,2020-02-03 10:00,negative,,{doc}",
            "S3,2020-02-03,positive,,000",
        ]
    )
    batch = services.labs_import_file(actor=epi, lab="市疾控", data=data, filename="labs.csv")
    assert (batch.created_rows, batch.error_rows, batch.positives) == (2, 1, 1)
    assert batch.errors[0]["line"] == 4
    case = Case.objects.get(person=person_a)
    assert case.status == CaseStatus.ASYMPTOMATIC and case.sampled_at is not None
    assert LabResult.objects.get(sample_id="S1").case == case
    again = services.labs_import_file(actor=epi, lab="市疾控", data=data, filename="labs.csv")
    assert again.pk == batch.pk
    other = services.labs_import(
        actor=epi,
        lab="市疾控",
        client_batch_id="other",
        rows=[
            (
                2,
                {
                    "sample_id": "S1",
                    "sampled_at": "2020-02-03 09:00",
                    "result": "positive",
                    "doc_number": doc,
                },
            )
        ],
    )
    assert (other.created_rows, other.existing_rows) == (0, 1)
    assert LabResult.objects.count() == 2 and Case.objects.count() == 1


@pytest.mark.django_db
def test_a_positive_confirms_a_suspected_case_with_onset(person_a: Any, epi: User, make_case: Any) -> None:
    case = make_case(person_a, status=CaseStatus.FEVER, onset_date="2020-02-01")
    services.labs_import(
        actor=epi,
        lab="L",
        client_batch_id="b1",
        rows=[
            (
                1,
                {
                    "sample_id": "X",
                    "sampled_at": "2020-02-02",
                    "result": "positive",
                    "person_id": str(person_a.pk),
                },
            )
        ],
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.CONFIRMED
    assert [e.to_status for e in case.events.all()] == [
        CaseStatus.FEVER,
        CaseStatus.SUSPECTED,
        CaseStatus.CONFIRMED,
    ]


@pytest.mark.django_db
def test_a_lab_outside_the_jurisdiction_cannot_name_the_person(person_a: Any, epi_b: User) -> None:
    batch = services.labs_import(
        actor=epi_b,
        lab="L",
        client_batch_id="b2",
        rows=[
            (
                1,
                {
                    "sample_id": "X",
                    "sampled_at": "2020-02-02",
                    "result": "positive",
                    "person_id": str(person_a.pk),
                },
            )
        ],
    )
    assert batch.error_rows == 1 and not Case.objects.exists()


@pytest.mark.django_db
def test_the_api_imports_a_batch_and_reports_bad_rows(person_a: Any, epi: User, api_of: Any) -> None:
    body = {
        "lab": "L",
        "client_batch_id": "api-1",
        "results": [
            {
                "sample_id": "A",
                "sampled_at": "2020-02-02T08:00:00+08:00",
                "result": "positive",
                "person_id": person_a.pk,
            },
            {"sample_id": "", "sampled_at": "x", "result": "maybe", "person_id": person_a.pk},
        ],
    }
    client = api_of(epi)
    response = client.post("/api/cases/labs", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["created_rows"] == 1 and response.json()["error_rows"] == 1
    assert (
        client.post("/api/cases/labs", body, content_type="application/json").json()["id"]
        == response.json()["id"]
    )


def _lab_body(person: Any, sample: str, result: str = "positive") -> dict[str, Any]:
    return {
        "lab": "L",
        "client_batch_id": "key-1",
        "results": [
            {"sample_id": sample, "sampled_at": "2020-02-02T08:00:00+08:00", "result": result, "person_id": person.pk}
        ],
    }


@pytest.mark.django_db
def test_a_batch_key_reused_with_other_results_is_a_conflict(person_a: Any, epi: User, api_of: Any) -> None:
    client = api_of(epi)
    first = client.post("/api/cases/labs", _lab_body(person_a, "A"), content_type="application/json")
    assert first.status_code == 201
    again = client.post("/api/cases/labs", _lab_body(person_a, "B"), content_type="application/json")
    assert again.status_code == 409
    assert again.json()["code"] == "idempotency_conflict"
    assert again.json()["details"][0]["field"] == "client_batch_id"
    assert not LabResult.objects.filter(sample_id="B").exists()


@pytest.mark.django_db
def test_a_batch_key_belongs_to_its_uploader(person_a: Any, epi: User, epi_b: User, api_of: Any) -> None:
    mine = api_of(epi).post("/api/cases/labs", _lab_body(person_a, "A", "negative"), content_type="application/json")
    # Another lab user with the same key gets their own processing, never the first user's batch.
    theirs = api_of(epi_b).post("/api/cases/labs", _lab_body(person_a, "Z", "negative"),
                                content_type="application/json")
    assert theirs.status_code == 201
    assert theirs.json()["id"] != mine.json()["id"]
    assert theirs.json()["error_rows"] == 1  # person_a is outside epi_b's district: processed as theirs

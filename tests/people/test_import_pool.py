"""A big import validates and encrypts on a pool of worker processes: the results equal the in-process path's."""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.people import pii, prepare
from apps.people.models import Household, ImportBatch, Person
from apps.people.services import person_plain
from core import synthetic, tabular

FIELDS = ("name", "doc_type", "doc_number", "sex", "birth_date", "phone", "area_code", "address", "nationality",
          "household_ref", "relation")
GENERATED_ON = dt.date(2026, 3, 1)  # births are drawn before this day: valid at any later "today"
NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)
ENCRYPTED = ("doc_number_enc", "name_enc", "phone_enc", "address_enc")


def _records(n: int) -> list[dict[str, str]]:
    """Generated persons, every seventh one broken in a different way."""
    specs = synthetic.people(random.Random(7), n, GENERATED_ON, synthetic.community_codes())
    rows = [{f: str(getattr(p, f) or "") for f in FIELDS} for p in specs]
    breakages = [("phone", "123"), ("area_code", "990101999999"), ("birth_date", "1999-02-30"), ("name", ""),
                 ("doc_number", "110101198503140000"), ("sex", "x")]
    for i in range(0, n, 7):
        field, value = breakages[(i // 7) % len(breakages)]
        rows[i][field] = value
        if field == "birth_date":
            rows[i]["doc_type"], rows[i]["doc_number"] = "passport", f"E{i:08d}"
    rows[3]["sex"], rows[3]["relation"] = "女", "户主"  # the words people write, normalised on both paths
    return rows


def _comparable(prepared: list[Any]) -> list[Any]:
    """Each result with its ciphertexts opened: nonces are random, the plaintext must be the same."""
    out = []
    for result, columns in prepared:
        if columns is None:
            out.append((result, None))
            continue
        cols = dict(columns)
        for name in ENCRYPTED:
            cols[name] = pii.cipher().decrypt(cols[name]) if cols[name] is not None else None
        out.append((result, cols))
    return out


@pytest.fixture
def pool_of_two(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.TONGCHOU_IMPORT_POOL_MIN_ROWS = 100
    settings.TONGCHOU_IMPORT_WORKERS = 2
    monkeypatch.setattr(prepare, "CHUNK_ROWS", 37)  # many chunks, the last one short


def _prepare(records: list[dict[str, str]], pooled: list[int] | None = None) -> list[Any]:
    def note(done: int) -> None:
        if pooled is not None:
            pooled.append(done)

    areas = set(synthetic.community_codes())
    return list(prepare.persons_prepare(records, area_codes=areas, today=GENERATED_ON, now=NOW, progress=note))


def test_the_pool_gives_the_in_process_results_row_for_row(settings: Any, pool_of_two: None,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    records = _records(500)
    calls: list[str] = []
    pooled_run = prepare._pooled

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append("pool")
        return pooled_run(*args, **kwargs)

    monkeypatch.setattr(prepare, "_pooled", spy)
    progress: list[int] = []
    pooled = _prepare(records, progress)
    assert calls == ["pool"]
    settings.TONGCHOU_IMPORT_POOL_MIN_ROWS = 10**9
    serial = _prepare(records)
    assert calls == ["pool"]  # the second run stayed in-process
    assert len(pooled) == len(serial) == 500
    assert _comparable(pooled) == _comparable(serial)
    assert sum(1 for result, cols in serial if cols is None) >= 500 // 7  # the broken rows are errors on both
    assert progress[-1] == 500 and progress == sorted(progress)


def test_a_small_import_stays_in_process(settings: Any, pool_of_two: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prepare, "_pooled", lambda *a, **k: pytest.fail("a small import must not start workers"))
    assert len(_prepare(_records(99))) == 99


def test_stored_columns_for_the_demo_match_too(pool_of_two: None, settings: Any) -> None:
    records = _records(300)
    cleans = [result for result, cols in _prepare(records) if cols is not None]
    pooled = list(prepare.persons_store(cleans, now=NOW))
    settings.TONGCHOU_IMPORT_POOL_MIN_ROWS = 10**9
    serial = list(prepare.persons_store(cleans, now=NOW))
    assert _comparable(list(zip(cleans, pooled, strict=True))) == _comparable(list(zip(cleans, serial, strict=True)))


def _import_state(api: Any, data: bytes) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    response = api.post("/api/persons/import", {"file": SimpleUploadedFile("list.csv", data)})
    assert response.status_code == 200, response.content
    report = {k: v for k, v in response.json().items() if k != "id"}
    persons = sorted((person_plain(p) for p in Person.objects.select_related("household")),
                     key=lambda p: json.dumps(p, sort_keys=True))
    return report, persons


@pytest.mark.django_db
def test_an_import_through_the_api_stores_the_same_on_the_pool(city: Any, make_user: Any, api_of: Any,
                                                              settings: Any, pool_of_two: None) -> None:
    officer = make_user("district_officer", "990100", username="city_officer")
    records = _records(400)
    records[10] = dict(records[11])  # a row repeated in the file, reported on both paths
    data = tabular.write_csv(FIELDS, ([r[f] for f in FIELDS] for r in records))
    api = api_of(officer)
    pooled = _import_state(api, data)
    Person.objects.all().delete()
    Household.objects.all().delete()
    settings.TONGCHOU_IMPORT_POOL_MIN_ROWS = 10**9
    serial = _import_state(api, data)
    assert pooled == serial
    assert pooled[0]["created_rows"] > 300 and pooled[0]["error_rows"] >= 400 // 7
    assert any(e["code"] == "repeated_in_file" for e in pooled[0]["errors"])
    assert ImportBatch.objects.count() == 2


@pytest.mark.parametrize(("load", "workers"), [(0.2, 4), (1.0, 4), (2.5, 2), (3.9, 1), (40.0, 1)])
def test_the_pool_uses_the_cores_nobody_else_is_using(
    settings: Any, monkeypatch: pytest.MonkeyPatch, load: float, workers: int
) -> None:
    settings.TONGCHOU_IMPORT_WORKERS = 0
    monkeypatch.setattr(prepare.os, "sched_getaffinity", lambda _pid: {0, 1, 2, 3}, raising=False)
    monkeypatch.setattr(prepare.os, "getloadavg", lambda: (load, load, load))
    assert prepare.pool_workers() == workers
    settings.TONGCHOU_IMPORT_WORKERS = 3
    assert prepare.pool_workers() == 3  # an operator's setting wins

"""Electricity cross-check: import day/dekad consumption, compare with last year, flag disagreements."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from apps.enterprises import services
from apps.enterprises.models import PowerReading
from core import tabular

HEADER = ["统一社会信用代码", "周期", "起始日期", "用电量", "去年同期用电量"]


def _upload(rows):
    return {"file": SimpleUploadedFile("power.csv", tabular.write_csv(HEADER, rows))}


def test_it_flags_both_kinds_of_disagreement(
    econ_a, api_of, ent_a, enterprise_factory, django_capture_on_commit_callbacks
):
    quiet = enterprise_factory()
    services.enterprise_status_set(actor=econ_a, enterprise=ent_a, status="fully")
    rows = [
        [ent_a.credit_code, "旬", "2020-02-11", "100", "1000"],  # says fully, 10% of last year's power
        [quiet.credit_code, "dekad", "2020-02-11", "900", "1000"],  # says not resumed, 90%
        [quiet.credit_code, "旬", "2020-02-12", "1", "1"],  # not a dekad start
        ["91990101MA0000000X", "day", "2020-02-11", "1", "1"],
    ]  # invalid code
    out = api_of(econ_a).post("/api/enterprises/power/import", _upload(rows)).json()
    assert out["created_rows"] == 2
    assert {e["line"]: e["code"] for e in out["errors"]}[4] == "not_a_dekad"
    flags = {
        f["enterprise_id"]: f["outcome"]
        for f in api_of(econ_a).get("/api/enterprises/power/flags").json()["items"]
    }
    assert flags == {ent_a.pk: "reported_without_power", quiet.pk: "power_without_report"}
    # The enterprise reports honestly now: the recheck on commit clears the flag.
    with django_capture_on_commit_callbacks(execute=True):
        services.enterprise_status_set(actor=econ_a, enterprise=quiet, status="fully")
    assert PowerReading.objects.get(enterprise=quiet).outcome == "consistent"


def test_reimporting_a_period_replaces_its_reading(econ_a, api_of, ent_a):
    client = api_of(econ_a)
    client.post(
        "/api/enterprises/power/import", _upload([[ent_a.credit_code, "day", "2020-02-11", "5", "10"]])
    )
    out = client.post(
        "/api/enterprises/power/import", _upload([[ent_a.credit_code, "day", "2020-02-11", "7", "10"]])
    ).json()
    assert (out["created_rows"], out["existing_rows"]) == (0, 1)
    assert PowerReading.objects.get().kwh == 7

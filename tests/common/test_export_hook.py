"""apps.common is the base layer: it imports no other app, and accounts hands it the audit of exports."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from apps.accounts.choices import AuditAction
from apps.accounts.models import AuditLog, User
from apps.common import exports

COMMON = Path(exports.__file__).parent


def _imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_common_imports_no_other_app() -> None:
    reaching_up = {
        f"{path.relative_to(COMMON)}: {name}"
        for path in COMMON.rglob("*.py")
        for name in _imported_modules(path)
        if (name.startswith("apps.") and not name.startswith("apps.common")) or name.startswith("tongchou")
    }
    assert reaching_up == set()


@pytest.mark.django_db
def test_an_export_is_audited_through_the_recorder_accounts_registers(
    make_user: Callable[..., User],
) -> None:
    user = make_user()
    request = RequestFactory().get("/api/persons/export", REMOTE_ADDR="10.1.2.3")
    response = exports.table_response(
        user=user,
        name="persons",
        header=["a"],
        rows=[["1"], ["2"]],
        fmt="csv",
        object_type="people.person",
        filters={"area": "x"},
        request=request,
    )
    assert response.status_code == 200
    entry = AuditLog.objects.get(action=AuditAction.EXPORT)
    assert (entry.actor, entry.object_type, entry.object_repr, entry.ip) == (
        user,
        "people.person",
        "2 persons",
        "10.1.2.3",
    )
    assert entry.after == {"rows": 2, "format": "csv", "area": "x"}


@pytest.mark.django_db
def test_an_export_without_a_recorder_is_refused_not_left_unaudited(
    make_user: Callable[..., User], monkeypatch: pytest.MonkeyPatch
) -> None:
    user = make_user()
    monkeypatch.setattr(exports, "_recorder", None)
    with pytest.raises(ImproperlyConfigured):
        exports.table_response(
            user=user, name="persons", header=["a"], rows=[["1"]], fmt="csv", object_type="p"
        )
    assert not AuditLog.objects.filter(action=AuditAction.EXPORT).exists()

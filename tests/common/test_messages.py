"""Service messages stay English in the API and read in the reader's language on pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from apps.common.messages import SERVICE_MESSAGES, shown


def test_every_registered_service_message_has_a_chinese_translation() -> None:
    with translation.override("zh-hans"):
        missing = [m for m in SERVICE_MESSAGES if shown(m) == m]
    assert not missing


@pytest.mark.parametrize(
    ("message", "zh"),
    [
        ("no such person in your jurisdiction", "您的辖区内没有该人员"),
        ("enter a mobile phone number", "请输入手机号码"),
        ("the code is wrong or has expired", "验证码错误或已过期"),
    ],
)
def test_the_messages_the_issue_names_are_translated_and_english_stays_english(message: str, zh: str) -> None:
    with translation.override("zh-hans"):
        assert shown(message) == zh
    with translation.override("en"):
        assert shown(message) == message


@pytest.mark.django_db
def test_the_sign_in_page_shows_a_bad_phone_in_chinese(settings: Any) -> None:
    settings.TONGCHOU_SMS_BACKEND = "apps.codes.sms.MemorySMSBackend"
    page = Client(HTTP_ACCEPT_LANGUAGE="zh-CN").post("/codes/signin/", {"phone": "12", "step": "send"})
    body = page.content.decode()
    assert "请输入手机号码" in body and "enter a mobile phone number" not in body


@pytest.mark.django_db
def test_the_api_keeps_its_english_message(officer_a: Any, api_of: Any) -> None:
    r = api_of(officer_a).get("/api/persons/999999999", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert r.status_code == 404 and r.json()["message"] == "no such person in your jurisdiction"


def test_an_errors_field_is_named_as_a_form_would_label_it() -> None:
    from apps.common.messages import FIELD_LABELS, field_label

    with translation.override("zh-hans"):
        assert (field_label("valid_until"), field_label("doc_number")) == ("有效期至", "证件号码")
        assert [f for f in FIELD_LABELS if field_label(f) == f.replace("_", " ")] == []
        assert field_label("no_such_field") == "no_such_field"


_RAISING = {"NotFound", "Forbidden", "ValidationFailed", "Conflict", "ServiceError"}


def _raised_messages() -> dict[str, str]:
    """Every literal message a service raises (ServiceError and its kinds, second argument), with where."""
    import ast
    import pathlib

    found: dict[str, str] = {}
    root = pathlib.Path(__file__).resolve().parents[2] / "apps"
    for path in root.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or len(node.args) < 2:
                continue
            name, message = getattr(node.func, "id", getattr(node.func, "attr", None)), node.args[1]
            if name in _RAISING and isinstance(message, ast.Constant) and isinstance(message.value, str):
                found.setdefault(message.value, f"{path.relative_to(root.parent)}:{node.lineno}")
    return found


def test_every_message_a_service_raises_is_listed_for_translation() -> None:
    raised = _raised_messages()
    assert len(raised) > 150  # the scan finds the services' messages (a broken scan would pass on nothing)
    unlisted = {message: where for message, where in raised.items() if message not in SERVICE_MESSAGES}
    assert not unlisted, f"add these to apps/common/messages.py and its catalogue: {unlisted}"

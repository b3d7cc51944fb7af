"""Pluggable SMS sending for one-time sign-in codes; the default backend prints to the console."""

from __future__ import annotations

import sys
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class SMSBackend(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class ConsoleSMSBackend:
    """Development: the message goes to stdout, where the developer reads the code."""

    def send(self, phone: str, text: str) -> None:
        sys.stdout.write(f"[SMS to {phone}] {text}\n")
        sys.stdout.flush()


class MemorySMSBackend:
    """Tests: messages are kept in ``outbox``."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        self.outbox.append((phone, text))


@cache
def _backend(path: str) -> SMSBackend:
    backend: SMSBackend = import_string(path)()
    return backend


def send_sms(phone: str, text: str) -> None:
    _backend(getattr(settings, "TONGCHOU_SMS_BACKEND", "apps.codes.sms.ConsoleSMSBackend")).send(phone, text)

"""Masked display of personal data: enough to recognise a record, never enough to use it."""

from __future__ import annotations


def mask_id_number(number: str) -> str:
    # 320102********1234: the area prefix and the last four, as lists in the field show them.
    if len(number) <= 10:
        return number[:2] + "*" * max(len(number) - 4, 0) + number[-2:]
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(phone: str) -> str:
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_name(name: str) -> str:
    if not name:
        return ""
    if " " in name.strip():  # Latin names: first initial of each part
        return " ".join(part[0] + "*" * (len(part) - 1) for part in name.split())
    if len(name) == 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]

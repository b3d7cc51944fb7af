"""Masked display of personal data: enough to recognise a record, never enough to use it."""

from __future__ import annotations

from core.textclean import clean_text


def mask_id_number(number: str) -> str:
    number = clean_text(number)
    # 320102********1234: the area prefix and the last four, as lists in the field show them.
    if len(number) > 10:
        return number[:6] + "*" * (len(number) - 10) + number[-4:]
    return _mask_middle(number, min(2, len(number) // 4))


def mask_phone(phone: str) -> str:
    phone = clean_text(phone)
    # 138****5678. Shorter numbers (an international "+123456") keep less, and always hide some digits.
    if len(phone) >= 11:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    return _mask_middle(phone, len(phone) // 4)


def _mask_middle(value: str, keep: int) -> str:
    """Keep `keep` characters at each end (they never overlap) and star the rest."""
    if keep <= 0:
        return "*" * len(value)
    return value[:keep] + "*" * (len(value) - 2 * keep) + value[-keep:]


def mask_name(name: str) -> str:
    # A kept end character must never be a direction override that turns the rest of a line around.
    name = clean_text(name)
    if not name:
        return ""
    if " " in name.strip():  # Latin names: first initial of each part
        return " ".join(part[0] + "*" * (len(part) - 1) for part in name.split())
    if len(name) == 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]

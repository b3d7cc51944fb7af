"""Screening rows: lenient cleaning of a list line (a bad ID number is evidence for linkage, not a reason to drop
the row), the first-generation 15-digit ID upgrade, and the reconciliation arithmetic (底数清)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from core import idnum
from core.persons import PHONE_CN, PHONE_INTL, FieldError, normalise_phone

_DATE_SEPARATORS = re.compile(r"[./年月]")
SEX_WORDS = {"男": "M", "女": "F", "M": "M", "F": "F", "MALE": "M", "FEMALE": "F"}
BUCKETS = ("matched", "open", "resolved", "rejected")


@dataclass(frozen=True, slots=True)
class CleanRow:
    name: str
    doc_number: str  # a valid 18-digit resident ID (upgraded from 15 digits), or ""
    raw_doc: str  # what the file said, kept only to report a dropped number
    sex: str
    birth_date: dt.date | None
    phone: str
    area_code: str
    address: str


def upgrade_15(number: str) -> str:
    """A first-generation 15-digit ID (GB 11643-1989): the year gains '19' and the number a check digit."""
    if len(number) != 15 or not number.isdigit():
        raise ValueError("not a 15-digit ID number")
    first17 = number[:6] + "19" + number[6:]
    return first17 + idnum.check_digit(first17)


def _date(text: str) -> dt.date:
    text = _DATE_SEPARATORS.sub("-", text.replace("日", "")).strip("-")
    if re.fullmatch(r"\d{8}", text):
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    year, month, day = (int(p) for p in text.split("-"))
    return dt.date(year, month, day)


def clean_row(
    raw: Mapping[str, str], *, area_codes: Collection[str], today: dt.date
) -> tuple[CleanRow, list[FieldError]] | list[FieldError]:
    """A clean row and its warnings (data dropped but the row kept), or the errors that reject it."""
    errors: list[FieldError] = []
    warnings: list[FieldError] = []

    def get(name: str) -> str:
        return (raw.get(name) or "").strip()

    name = re.sub(r"\s+", "", get("name"))
    if not name:
        errors.append(FieldError("name", "required", "name is required"))
    elif len(name) > 100:
        errors.append(FieldError("name", "too_long", "name has more than 100 characters"))
    raw_doc = idnum.normalise(get("doc_number"))
    doc, birth, sex = "", None, SEX_WORDS.get(get("sex").upper(), "")
    if get("sex") and not sex:
        errors.append(FieldError("sex", "unknown", "sex is M or F (男/女)"))
    if raw_doc:
        try:
            info = idnum.parse(upgrade_15(raw_doc) if len(raw_doc) == 15 else raw_doc, today=today)
        except (idnum.IdNumberError, ValueError) as exc:
            warnings.append(FieldError("doc_number", getattr(exc, "code", "shape"), str(exc)))
        else:
            doc = info.number
            birth = info.birth_date
            sex = sex or info.sex
    if get("birth_date"):
        try:
            stated = _date(get("birth_date"))
        except ValueError:
            errors.append(FieldError("birth_date", "format", "birth date must be YYYY-MM-DD"))
        else:
            if stated > today or stated.year < 1880:
                errors.append(
                    FieldError("birth_date", "impossible", f"the birth date {stated} is impossible")
                )
            birth = birth or stated
    phone = normalise_phone(get("phone"))
    if phone and not (PHONE_CN.match(phone) or PHONE_INTL.match(phone)):
        warnings.append(FieldError("phone", "format", f"{get('phone')!r} is not a mobile number"))
        phone = ""
    area_code = get("area_code")
    if area_code and area_code not in area_codes:
        errors.append(FieldError("area_code", "unknown", f"unknown area code {area_code}"))
    if errors:
        return errors
    row = CleanRow(
        name=name,
        doc_number=doc,
        raw_doc=raw_doc,
        sex=sex,
        birth_date=birth,
        phone=phone,
        area_code=area_code,
        address=get("address"),
    )
    return row, warnings


def balances(tally: Mapping[str, int]) -> bool:
    """rows = matched + resolved work items + open work items + rejected rows."""
    return tally["rows"] == sum(tally[b] for b in BUCKETS)


def differences(
    kept: Iterable[tuple[tuple[int, str], Mapping[str, int]]],
    counted: Iterable[tuple[tuple[int, str], Mapping[str, int]]],
) -> list[dict[str, object]]:
    """Compare the stored tallies with tallies counted afresh from the rows: every (list, area, field) that differs,
    and every stored tally that does not balance on its own."""
    stored, fresh = dict(kept), dict(counted)
    out: list[dict[str, object]] = []
    for key in sorted(set(stored) | set(fresh)):
        a = stored.get(key, {})
        b = fresh.get(key, {})
        for field in ("rows", *BUCKETS):
            if int(a.get(field, 0)) != int(b.get(field, 0)):
                out.append(
                    {
                        "list": key[0],
                        "area": key[1],
                        "field": field,
                        "stored": int(a.get(field, 0)),
                        "counted": int(b.get(field, 0)),
                    }
                )
        if a and not balances({f: int(a.get(f, 0)) for f in ("rows", *BUCKETS)}):
            out.append(
                {
                    "list": key[0],
                    "area": key[1],
                    "field": "balance",
                    "stored": int(a.get("rows", 0)),
                    "counted": sum(int(a.get(f, 0)) for f in BUCKETS),
                }
            )
    return out

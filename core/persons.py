"""Validation of a person's plain fields, shared by forms, the API and bulk imports."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from core import idnum

PHONE_CN = re.compile(r"^1[3-9]\d{9}$")
PHONE_INTL = re.compile(r"^\+\d{6,15}$")
PASSPORT = re.compile(r"^[A-Z0-9<]{5,20}$")

DOC_TYPES = ("resident_id", "passport", "hk_macao_permit", "taiwan_permit", "foreign_residence")
SEXES = ("M", "F")


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    code: str
    message: str


@dataclass(slots=True)
class CleanPerson:
    name: str
    doc_type: str
    doc_number: str
    sex: str
    birth_date: dt.date | None
    phone: str
    area_code: str
    address: str
    nationality: str
    household_ref: str
    relation: str
    tags: list[str] = field(default_factory=list)


def normalise_phone(raw: str) -> str:
    phone = re.sub(r"[\s\-()]", "", raw)
    if phone.startswith("+86"):
        phone = phone[3:]
    return phone


def clean_person(
    raw: Mapping[str, str], *, area_codes: Collection[str], today: dt.date
) -> CleanPerson | list[FieldError]:
    """Return a clean record, or every error found (never only the first): the user fixes a row once."""
    errors: list[FieldError] = []

    def get(name: str) -> str:
        return (raw.get(name) or "").strip()

    name = get("name")
    if not name:
        errors.append(FieldError("name", "required", "name is required"))
    elif len(name) > 100:
        errors.append(FieldError("name", "too_long", "name has more than 100 characters"))

    doc_type = get("doc_type") or "resident_id"
    doc_number = get("doc_number")
    sex, birth = get("sex").upper()[:1], None
    if doc_type not in DOC_TYPES:
        errors.append(FieldError("doc_type", "unknown", f"unknown document type {doc_type!r}"))
    elif doc_type == "resident_id" and doc_number:
        try:
            info = idnum.parse(doc_number, today=today)
        except idnum.IdNumberError as exc:
            errors.append(FieldError("doc_number", exc.code, str(exc)))
        else:
            doc_number, birth = info.number, info.birth_date
            if sex and sex != info.sex:
                errors.append(FieldError("sex", "mismatch", "sex does not match the ID number"))
            sex = info.sex
    elif doc_number:
        doc_number = doc_number.upper().replace(" ", "")
        if not PASSPORT.match(doc_number):
            errors.append(
                FieldError("doc_number", "characters", "a document number has 5–20 letters or digits")
            )

    if birth is None and get("birth_date"):
        try:
            birth = dt.date.fromisoformat(get("birth_date"))
        except ValueError:
            errors.append(FieldError("birth_date", "format", "birth date must be YYYY-MM-DD"))
        else:
            if birth > today or birth.year < 1880:
                errors.append(FieldError("birth_date", "impossible", f"the birth date {birth} is impossible"))
    if sex and sex not in SEXES:
        errors.append(FieldError("sex", "unknown", "sex is M or F"))

    phone = normalise_phone(get("phone"))
    if phone and not (PHONE_CN.match(phone) or PHONE_INTL.match(phone)):
        errors.append(FieldError("phone", "format", f"{get('phone')!r} is not a mobile number"))

    area_code = get("area_code")
    if not area_code:
        errors.append(FieldError("area_code", "required", "residence area code is required"))
    elif area_code not in area_codes:
        errors.append(FieldError("area_code", "unknown", f"unknown area code {area_code}"))

    if errors:
        return errors
    tags_text = get("tags")  # mostly empty: no regex split for nothing, on the bulk import path
    tags = [t.strip() for t in re.split(r"[;,，；]", tags_text) if t.strip()] if tags_text else []
    return CleanPerson(
        name=name,
        doc_type=doc_type if doc_number else "",
        doc_number=doc_number,
        sex=sex,
        birth_date=birth,
        phone=phone,
        area_code=area_code,
        address=get("address"),
        nationality=(get("nationality") or "CHN").upper()[:3],
        household_ref=get("household_ref"),
        relation=get("relation"),
        tags=tags,
    )

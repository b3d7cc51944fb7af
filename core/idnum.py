"""GB 11643-1999 resident ID numbers: check digit, birth date, sex, and validation with named errors."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from zoneinfo import ZoneInfo

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
# Birth dates are Chinese calendar days: "today" is Shanghai's date, whatever the process timezone.
SHANGHAI = ZoneInfo("Asia/Shanghai")
_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")  # ASCII only: \d would accept Arabic-Indic digits


class IdNumberError(ValueError):
    """An ID number that is not a valid GB 11643 number; `code` is stable, the message names the problem."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class IdInfo:
    number: str
    area_code: str
    birth_date: dt.date
    sex: str  # "M" or "F": the 17th digit is odd for men


# One table per position, digit character -> digit x weight: no int() per character on the import path.
_WEIGHTED = tuple({str(d): d * w for d in range(10)} for w in WEIGHTS)


def check_digit(first17: str) -> str:
    if len(first17) != 17:
        raise IdNumberError("shape", "check_digit needs 17 digits")
    try:
        total = sum(map(dict.__getitem__, _WEIGHTED, first17))
    except KeyError:
        raise IdNumberError("shape", "check_digit needs 17 digits") from None
    return CHECK_CHARS[total % 11]


def normalise(raw: str) -> str:
    """Strip spaces and upper-case the check character: people type 'x' and paste with spaces.

    Full-width digits and letters (what a Chinese input method types) become ASCII, so one number has
    one spelling and therefore one keyed hash.
    """
    return "".join(unicodedata.normalize("NFKC", raw).split()).upper()


def parse(raw: str, *, today: dt.date | None = None) -> IdInfo:
    number = normalise(raw)
    if len(number) != 18:
        raise IdNumberError("length", f"an ID number has 18 characters, this one has {len(number)}")
    if not _SHAPE.match(number):
        raise IdNumberError("characters", "an ID number is 17 digits followed by a digit or X")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberError("birth_date", f"the birth date {number[6:14]} does not exist") from None
    today = today or dt.datetime.now(SHANGHAI).date()
    if birth > today or birth.year < 1880:
        raise IdNumberError("birth_date", f"the birth date {birth.isoformat()} is impossible")
    expected = check_digit(number[:17])
    if number[17] != expected:
        raise IdNumberError("check_digit", f"the check digit is {number[17]}, it should be {expected}")
    sex = "M" if int(number[16]) % 2 else "F"
    return IdInfo(number=number, area_code=number[:6], birth_date=birth, sex=sex)


def make(area_code: str, birth_date: dt.date, sequence: int, sex: str) -> str:
    """Build a valid number: sequence 0..499 is turned into the 3-digit order code with the right parity."""
    order = sequence % 500 * 2 + (1 if sex == "M" else 0)
    first17 = f"{area_code[:6]}{birth_date:%Y%m%d}{order:03d}"
    return first17 + check_digit(first17)

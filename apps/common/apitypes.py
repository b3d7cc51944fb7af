"""Bounded value types for every API schema: ids and pages that fit a bigint, dates inside the epidemic's calendar,
aware datetimes, finite numbers, capped text. An out-of-range value is a 422 naming the field, never a 500."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Annotated, Any

from django.utils import timezone
from ninja import Schema
from pydantic import AfterValidator, AwareDatetime, ConfigDict, Field, StringConstraints

from core.textclean import has_invisible

BIGINT_MAX = 2**63 - 1
MAX_PAGE = 1_000_000
EARLIEST_DAY = dt.date(1900, 1, 1)

# Text caps, shared by the API schemas and the model fields (a 20 MB dispute summary was once stored).
SHORT_TEXT = 200
NOTE_TEXT = 2_000
LONG_TEXT = 5_000  # the longest free text a model stores (summaries, descriptions, findings)


def latest_day() -> dt.date:
    """The last day a stored or queried date may name: the end of next year (plans reach a little ahead)."""
    return dt.date(timezone.localdate().year + 1, 12, 31)


def _day_in_calendar(value: dt.date) -> dt.date:
    if not EARLIEST_DAY <= value <= latest_day():
        raise ValueError(f"must lie between {EARLIEST_DAY.isoformat()} and {latest_day().isoformat()}")
    return value


def _moment_in_calendar(value: dt.datetime) -> dt.datetime:
    _day_in_calendar(value.date())
    return value


class InSchema(Schema):
    """The base of every request body: no string longer than any text column, no NaN or infinity."""

    model_config = ConfigDict(str_max_length=LONG_TEXT, allow_inf_nan=False)


def _visible(value: str) -> str:
    if has_invisible(value):
        raise ValueError("contains a control, direction-override or surrogate character")
    return value


# A code in a URL path (area, indicator, price item): request bodies and queries are cleaned by the parser,
# a path is not, and PostgreSQL refuses a NUL in any string.
PathCode = Annotated[str, StringConstraints(min_length=1, max_length=64), AfterValidator(_visible)]
Id = Annotated[int, Field(ge=1, le=BIGINT_MAX)]
PageNumber = Annotated[int, Field(ge=1, le=MAX_PAGE)]
PageSize = Annotated[int, Field(ge=1, le=BIGINT_MAX)]  # larger sizes are clamped to MAX_PAGE_SIZE
Count = Annotated[int, Field(ge=0, le=10_000_000)]
SmallCount = Annotated[int, Field(ge=0, le=32_767)]  # a PositiveSmallIntegerField
Year = Annotated[int, Field(ge=EARLIEST_DAY.year, le=2100)]
AreaCodeLength = Annotated[int, Field(ge=1, le=12)]  # digits of an area code: 6 district, 9 street, 12 community
YearOrZero = Annotated[int, Field(ge=0, le=2100)]  # 0: the current year
DaysBack = Annotated[int, Field(ge=1, le=3_660)]  # a look-back window: at most ten years
Day = Annotated[dt.date, AfterValidator(_day_in_calendar)]
# An instant with its offset: "2026-12-01T00:00:00" (naive) or a bare date is refused, not guessed.
Moment = Annotated[AwareDatetime, AfterValidator(_moment_in_calendar)]
Finite = Annotated[float, Field(allow_inf_nan=False)]
Temperature = Annotated[float, Field(ge=30, le=45, allow_inf_nan=False)]
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
Percent = Annotated[int, Field(ge=0, le=100)]


def Amount(max_digits: int, decimal_places: int, *, ge: int | None = None) -> Any:  # noqa: N802 - a type factory
    """A Decimal that fits DecimalField(max_digits, decimal_places): finite, and below 10^(integer digits)."""
    bound = Decimal(10) ** (max_digits - decimal_places)
    return Annotated[Decimal, Field(ge=ge, gt=None if ge is not None else -bound, lt=bound, allow_inf_nan=False)]


ShortText = Annotated[str, StringConstraints(max_length=SHORT_TEXT)]
NoteText = Annotated[str, StringConstraints(max_length=NOTE_TEXT)]
LongText = Annotated[str, StringConstraints(max_length=LONG_TEXT)]


def column_mapping(text: str) -> dict[str, str] | None:
    """An import's optional `mapping` form field: a JSON object {our_field: their_column}, or nothing."""
    from apps.common.errors import ValidationFailed

    if not text:
        return None
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        value = None
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ValidationFailed("bad_mapping", "mapping must be a JSON object of column names",
                               [{"field": "mapping", "message": "expected a JSON object {field: column}"}])
    return value

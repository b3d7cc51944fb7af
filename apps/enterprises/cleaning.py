"""Validation of enterprise records from forms, the API and spreadsheets: every problem named, per field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from apps.enterprises.choices import IndustrySection, PowerPeriod, SizeClass, Status
from core import creditcode
from core.persons import normalise_phone

# Column names offices put in their spreadsheets, Chinese and English.
ENTERPRISE_ALIASES: dict[str, tuple[str, ...]] = {
    "credit_code": ("统一社会信用代码", "信用代码", "credit code", "USCC"),
    "name": ("企业名称", "名称", "enterprise", "company"),
    "industry_section": ("行业门类", "行业", "industry"),
    "area_code": ("区划代码", "所在地代码", "area", "area code"),
    "size_class": ("企业规模", "规模", "size"),
    "above_designated": ("四上企业", "四上", "above designated size"),
    "employees": ("职工人数", "从业人数", "员工人数", "employees"),
    "annual_revenue": ("营业收入", "年营业收入", "revenue"),
    "contact_name": ("联系人", "contact", "contact person"),
    "contact_phone": ("联系电话", "联系人电话", "phone", "contact phone"),
    "status": ("复工状态", "状态"),
    "staff_share_back": ("复岗率", "到岗率", "staff back"),
    "capacity_used": ("产能利用率", "达产率", "capacity"),
}
SIZE_WORDS = {"大型": "large", "中型": "medium", "小型": "small", "微型": "micro"}
STATUS_WORDS = {"未复工": "not", "部分复工": "partly", "全面复工": "fully", "已复工": "fully"}
TRUE_WORDS = {"1", "true", "yes", "y", "是", "√"}
FALSE_WORDS = {"", "0", "false", "no", "n", "否"}

POWER_ALIASES: dict[str, tuple[str, ...]] = {
    "credit_code": ENTERPRISE_ALIASES["credit_code"],
    "period": ("周期", "period type"),
    "period_start": ("起始日期", "日期", "date", "start"),
    "kwh": ("用电量", "本期用电量", "consumption"),
    "kwh_last_year": ("去年同期用电量", "去年同期", "last year"),
}
PERIOD_WORDS = {"日": "day", "旬": "dekad", "daily": "day"}


@dataclass(frozen=True, slots=True)
class CleanEnterprise:
    credit_code: str
    name: str
    industry_section: str
    area_code: str
    size_class: str
    above_designated: bool
    employees: int
    annual_revenue: Decimal | None
    contact_name: str
    contact_phone: str
    status: str | None  # None: the record does not speak about status
    staff_share_back: float | None
    capacity_used: float | None


def _err(field: str, code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"field": field, "code": code, "message": message, **extra}


def credit_code_errors(raw: str) -> tuple[str, list[dict[str, Any]]]:
    """The normalised code and one error per problem core.creditcode names (position and expected included)."""
    result = creditcode.validate(raw)
    errors = [
        _err(
            "credit_code",
            f"credit_code_{p.code}",
            p.message,
            **({"position": p.position} if p.position else {}),
            **({"expected": p.expected} if p.expected else {}),
        )
        for p in result.problems
    ]
    return result.normalized, errors


def share(raw: str, field: str, errors: list[dict[str, Any]]) -> float | None:
    text = raw.strip().rstrip("%")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        errors.append(_err(field, "not_a_number", f"{raw!r} is not a number"))
        return None
    if raw.strip().endswith("%") or value > 1:
        value /= 100  # offices write 80% or 80 as readily as 0.8
    if not 0 <= value <= 1:
        errors.append(_err(field, "out_of_range", f"{raw!r} is not a share between 0 and 100%"))
        return None
    return value


def clean_enterprise(
    raw: Mapping[str, Any], *, area_codes: set[str]
) -> CleanEnterprise | list[dict[str, Any]]:
    data = {k: ("" if v is None else str(v)).strip() for k, v in raw.items()}
    errors: list[dict[str, Any]] = []
    code, code_errors = credit_code_errors(data.get("credit_code", ""))
    errors += code_errors
    name = data.get("name", "")
    if not name:
        errors.append(_err("name", "required", "the enterprise name is required"))
    industry = data.get("industry_section", "").upper()[:1]
    if industry not in IndustrySection.values:
        errors.append(
            _err(
                "industry_section",
                "unknown_industry",
                f"{data.get('industry_section', '')!r} is not a GB/T 4754 section letter A-T",
            )
        )
    area = data.get("area_code", "")
    if area not in area_codes or len(area) < 6:
        errors.append(
            _err("area_code", "unknown_area", f"{area!r} is not a district, street or community code")
        )
    size = SIZE_WORDS.get(data.get("size_class", ""), data.get("size_class", "").lower())
    if size not in SizeClass.values:
        errors.append(
            _err(
                "size_class",
                "unknown_size",
                f"{data.get('size_class', '')!r}: use large, medium, small or micro",
            )
        )
    above_raw = data.get("above_designated", "").lower()
    if above_raw not in TRUE_WORDS | FALSE_WORDS:
        errors.append(_err("above_designated", "not_a_flag", f"{above_raw!r} is not yes or no"))
    employees = 0
    try:
        employees = int(data.get("employees", "") or "0")
        if employees < 0:
            raise ValueError
    except ValueError:
        errors.append(
            _err("employees", "not_a_count", f"{data.get('employees')!r} is not a whole number ≥ 0")
        )
    revenue = None
    if data.get("annual_revenue"):
        try:
            revenue = Decimal(data["annual_revenue"])
            if not revenue.is_finite() or revenue < 0:
                raise InvalidOperation
        except InvalidOperation:
            errors.append(
                _err("annual_revenue", "not_a_number", f"{data['annual_revenue']!r} is not an amount")
            )
            revenue = None
    phone = normalise_phone(data.get("contact_phone", "")) if data.get("contact_phone") else ""
    status_raw = data.get("status", "")
    status = STATUS_WORDS.get(status_raw, status_raw.lower()) or None
    if status is not None and status not in Status.values:
        errors.append(_err("status", "unknown_status", f"{status_raw!r}: use not, partly or fully"))
    staff = share(data.get("staff_share_back", ""), "staff_share_back", errors)
    capacity = share(data.get("capacity_used", ""), "capacity_used", errors)
    if errors:
        return errors
    return CleanEnterprise(
        credit_code=code,
        name=name[:200],
        industry_section=industry,
        area_code=area,
        size_class=size,
        above_designated=above_raw in TRUE_WORDS,
        employees=employees,
        annual_revenue=revenue,
        contact_name=data.get("contact_name", "")[:100],
        contact_phone=phone,
        status=status,
        staff_share_back=staff,
        capacity_used=capacity,
    )


@dataclass(frozen=True, slots=True)
class CleanPower:
    credit_code: str
    period: str
    period_start: dt.date
    kwh: float
    kwh_last_year: float | None


def clean_power(raw: Mapping[str, Any]) -> CleanPower | list[dict[str, Any]]:
    data = {k: ("" if v is None else str(v)).strip() for k, v in raw.items()}
    errors: list[dict[str, Any]] = []
    code, code_errors = credit_code_errors(data.get("credit_code", ""))
    errors += code_errors
    period = PERIOD_WORDS.get(data.get("period", ""), data.get("period", "").lower() or "day")
    if period not in PowerPeriod.values:
        errors.append(_err("period", "unknown_period", f"{data.get('period')!r}: use day or dekad"))
    start = None
    try:
        start = dt.date.fromisoformat(data.get("period_start", ""))
    except ValueError:
        errors.append(
            _err("period_start", "not_a_date", f"{data.get('period_start')!r} is not a date (YYYY-MM-DD)")
        )
    if start is not None and period == PowerPeriod.DEKAD and start.day not in (1, 11, 21):
        errors.append(_err("period_start", "not_a_dekad", "a dekad (旬) starts on the 1st, 11th or 21st"))
    values: dict[str, float | None] = {}
    for field in ("kwh", "kwh_last_year"):
        text = data.get(field, "")
        if not text:
            values[field] = None
            if field == "kwh":
                errors.append(_err(field, "required", "the consumption is required"))
            continue
        try:
            value = float(text)
            if value < 0 or value != value:
                raise ValueError
            values[field] = value
        except ValueError:
            errors.append(_err(field, "not_a_number", f"{text!r} is not a consumption ≥ 0"))
    if errors or start is None:
        return errors
    return CleanPower(code, period, start, values["kwh"] or 0.0, values["kwh_last_year"])

"""Health-code rules engine (健康码 "一码通行"): a person's facts in, colour with reasons and next change out.

How it works: every rule turns facts into dated intervals ``[start, end)`` of local calendar days
(Asia/Shanghai) carrying a colour and a reason code. The colour on a day is the worst colour of the
intervals covering it. Because intervals depend only on the facts and the rule set, never on
``today``, the engine can also say exactly when the colour next changes if no new fact arrives:
it walks the interval boundaries after ``today``.

"Red turns green only after N consecutive normal days" (红码连续14天正常转绿) is a derived
interval: after every run of red days the person stays red until the N days before have all been
normal. A day is abnormal if it has a missed check-in, a fever at a checkpoint, declared symptoms,
or lies in a time the person was a case. Quarantine days with daily check-ins count as normal,
so a close contact whose 14-day quarantine went well turns green the day it ends, and one who
missed a check-in on day 10 stays red until 14 clean days have passed since.

Dated facts are taken as given, even if dated after ``today`` (the services reject future
observations); that is what makes the stated change date exact.
"""

from __future__ import annotations

import bisect
import dataclasses
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final


class Colour(enum.StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


class CaseStatus(enum.StrEnum):
    NONE = "none"
    SUSPECTED = "suspected"  # 疑似
    CONFIRMED = "confirmed"  # 确诊
    ASYMPTOMATIC = "asymptomatic"  # 无症状感染者
    RECOVERED = "recovered"  # 治愈出院
    EXCLUDED = "excluded"  # 排除疑似
    DIED = "died"


class ContactStatus(enum.StrEnum):
    NONE = "none"
    CLOSE = "close"  # 密切接触者
    SECONDARY = "secondary"  # 次密切接触者


class RiskLevel(enum.StrEnum):
    # 分区分级: low / medium / high risk areas
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


_RANK: Final[dict[Colour, int]] = {Colour.GREEN: 0, Colour.YELLOW: 1, Colour.RED: 2}
_BY_RANK: Final = (Colour.GREEN, Colour.YELLOW, Colour.RED)

# Ordinals standing for "since ever" and "for ever"; far outside date.min/date.max ordinals.
_NEVER_START: Final = -(10**9)
_NEVER_END: Final = 10**9
_MAX_ORDINAL: Final = date.max.toordinal()


# --------------------------------------------------------------------------- facts


@dataclass(frozen=True, slots=True)
class QuarantineStay:
    """A centralised or home quarantine stay (集中隔离 / 居家隔离); released_on is None while it lasts."""

    start: date
    planned_end: date
    released_on: date | None = None

    def __post_init__(self) -> None:
        if self.planned_end < self.start:
            raise ValueError("quarantine stay: planned_end is before start")
        if self.released_on is not None and self.released_on < self.start:
            raise ValueError("quarantine stay: released_on is before start")


@dataclass(frozen=True, slots=True)
class Arrival:
    on: date
    from_risk: RiskLevel


@dataclass(frozen=True, slots=True)
class TemperatureReading:
    """A temperature taken at a checkpoint (测温); the rule set decides what counts as a fever."""

    on: date
    celsius: float


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """Everything the rules look at, as plain values; ``today`` is the local calendar day evaluated."""

    today: date
    case_status: CaseStatus = CaseStatus.NONE
    # When the case status was set; required for RECOVERED and EXCLUDED (the day the red ended).
    case_status_on: date | None = None
    contact_status: ContactStatus = ContactStatus.NONE
    last_exposure_on: date | None = None
    quarantine_stays: tuple[QuarantineStay, ...] = ()
    arrivals: tuple[Arrival, ...] = ()
    negative_tests: tuple[date, ...] = ()
    temperatures: tuple[TemperatureReading, ...] = ()
    symptoms_declared: tuple[date, ...] = ()
    missed_checkins: tuple[date, ...] = ()
    residence_risk: RiskLevel = RiskLevel.LOW
    # The person was red until this day for a reason no longer among these facts (an earlier
    # rule set, an expired override); they then need the normal days like any other red.
    prior_red_until: date | None = None

    def __post_init__(self) -> None:
        if self.case_status in _ENDED_CASE_STATUSES and self.case_status_on is None:
            raise ValueError(f"case_status_on is required when case_status is {self.case_status.value}")


_ENDED_CASE_STATUSES: Final = frozenset({CaseStatus.RECOVERED, CaseStatus.EXCLUDED})
_ACTIVE_CASE_CODES: Final = {
    CaseStatus.SUSPECTED: "suspected_case",
    CaseStatus.CONFIRMED: "confirmed_case",
    CaseStatus.ASYMPTOMATIC: "asymptomatic_case",
    CaseStatus.DIED: "deceased",
}


# --------------------------------------------------------------------------- rule sets


class RuleSetError(ValueError):
    """A rule set failed validation; ``errors`` names every bad field."""

    def __init__(self, errors: Iterable[tuple[str, str]]) -> None:
        self.errors: tuple[tuple[str, str], ...] = tuple(errors)
        super().__init__("; ".join(f"{name}: {message}" for name, message in self.errors))


@dataclass(frozen=True, slots=True)
class RuleSet:
    """Versioned parameters of the rules; a colour of GREEN switches a rule off."""

    version: str
    effective_from: date
    # 密切接触者: red until this many days after last exposure, then (optionally) a negative test
    # dated no earlier than ``release_test_window_days`` before the end.
    quarantine_days: int = 14
    contact_release_needs_negative_test: bool = True
    release_test_window_days: int = 2
    secondary_contact_colour: Colour = Colour.YELLOW
    secondary_contact_days: int = 14
    quarantine_colour: Colour = Colour.RED
    medium_risk_arrival_colour: Colour = Colour.YELLOW
    # Every period in the seeds is 14 days (不满14天绝对不能外出, seed 002): medium-risk arrivals too.
    medium_risk_arrival_days: int = 14
    high_risk_arrival_colour: Colour = Colour.RED
    high_risk_arrival_days: int = 14
    fever_threshold_celsius: float = 37.3
    fever_colour: Colour = Colour.YELLOW
    symptom_colour: Colour = Colour.YELLOW
    missed_checkins_colour: Colour = Colour.YELLOW
    # This many missed daily check-ins within the window makes the code that colour; 0 = off.
    missed_checkins_threshold: int = 3
    missed_checkins_window_days: int = 7
    residence_medium_risk_colour: Colour = Colour.GREEN
    residence_high_risk_colour: Colour = Colour.YELLOW
    red_to_green_normal_days: int = 14

    _texts: tuple[tuple[str, str], ...] = field(init=False, repr=False, compare=False)
    _green: CodeResult = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        errors = _range_errors(self)
        if errors:
            raise RuleSetError(errors)
        object.__setattr__(self, "_texts", _reason_texts(self))
        object.__setattr__(self, "_green", CodeResult(Colour.GREEN, (), None, self.version))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible dict (dates as ISO strings, colours as their names)."""
        out: dict[str, Any] = {}
        for f in _PUBLIC_FIELDS:
            value = getattr(self, f.name)
            if isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, Colour):
                value = value.value
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RuleSet:
        """Load a stored rule set; every field is required, so old rule sets never change meaning."""
        errors: list[tuple[str, str]] = []
        known = {f.name for f in _PUBLIC_FIELDS}
        errors.extend((key, "unknown field") for key in data if key not in known)
        values: dict[str, Any] = {}
        for f in _PUBLIC_FIELDS:
            if f.name not in data:
                errors.append((f.name, "missing"))
                continue
            raw = data[f.name]
            kind = _FIELD_KINDS[f.name]
            try:
                values[f.name] = _coerce(kind, raw)
            except ValueError as exc:
                errors.append((f.name, str(exc)))
        if errors:
            raise RuleSetError(errors)
        return cls(**values)


_PUBLIC_FIELDS: Final = tuple(f for f in dataclasses.fields(RuleSet) if f.init)
_FIELD_KINDS: Final[dict[str, str]] = {
    f.name: {"str": "str", "date": "date", "int": "int", "bool": "bool", "float": "float"}.get(
        str(f.type), "colour"
    )
    for f in _PUBLIC_FIELDS
}


def _coerce(kind: str, raw: object) -> object:
    if kind == "str":
        if not isinstance(raw, str):
            raise ValueError("must be a string")
        return raw
    if kind == "date":
        if not isinstance(raw, str):
            raise ValueError("must be an ISO date string (YYYY-MM-DD)")
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise ValueError(f"not an ISO date: {raw!r}") from None
    if kind == "bool":
        if not isinstance(raw, bool):
            raise ValueError("must be true or false")
        return raw
    if kind == "int":
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ValueError("must be a whole number")
        return raw
    if kind == "float":
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise ValueError("must be a number")
        return float(raw)
    if not isinstance(raw, str) or raw not in _COLOUR_NAMES:
        raise ValueError(f"must be one of {', '.join(sorted(_COLOUR_NAMES))}")
    return Colour(raw)


_COLOUR_NAMES: Final = frozenset(c.value for c in Colour)

_DAY_LIMITS: Final = {
    "quarantine_days": (1, 60),
    "release_test_window_days": (0, 60),
    "secondary_contact_days": (0, 60),
    "medium_risk_arrival_days": (0, 60),
    "high_risk_arrival_days": (0, 60),
    "missed_checkins_threshold": (0, 60),
    "missed_checkins_window_days": (1, 60),
    "red_to_green_normal_days": (0, 60),
}


def _range_errors(rs: RuleSet) -> list[tuple[str, str]]:
    errors: list[tuple[str, str]] = []
    if not isinstance(rs.version, str) or not rs.version.strip() or len(rs.version) > 64:
        errors.append(("version", "must be a non-empty string of at most 64 characters"))
    if not isinstance(rs.effective_from, date):
        errors.append(("effective_from", "must be a date"))
    for name, (low, high) in _DAY_LIMITS.items():
        value = getattr(rs, name)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors.append((name, f"must be a whole number from {low} to {high}"))
    if not errors and rs.release_test_window_days > rs.quarantine_days:
        errors.append(("release_test_window_days", "must not exceed quarantine_days"))
    threshold = rs.fever_threshold_celsius
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not 35.0 <= threshold <= 42.0:
        errors.append(("fever_threshold_celsius", "must be a temperature from 35.0 to 42.0 °C"))
    if not isinstance(rs.contact_release_needs_negative_test, bool):
        errors.append(("contact_release_needs_negative_test", "must be true or false"))
    for f in _PUBLIC_FIELDS:
        if f.name.endswith("_colour") and not isinstance(getattr(rs, f.name), Colour):
            errors.append((f.name, f"must be one of {', '.join(sorted(_COLOUR_NAMES))}"))
    return errors


def ruleset_for(on: date, rulesets: Iterable[RuleSet]) -> RuleSet:
    """The rule set in effect on a local day: the latest ``effective_from`` not after it."""
    best: RuleSet | None = None
    for rs in rulesets:
        if rs.effective_from > on:
            continue
        if best is not None and rs.effective_from == best.effective_from:
            raise ValueError(
                f"rule sets {best.version!r} and {rs.version!r} take effect on the same day "
                f"{rs.effective_from.isoformat()}"
            )
        if best is None or rs.effective_from > best.effective_from:
            best = rs
    if best is None:
        raise LookupError(f"no rule set in effect on {on.isoformat()}")
    return best


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    colour: Colour
    text_zh: str
    text_en: str
    until: date | None  # first day the reason no longer applies; None: until facts change


@dataclass(frozen=True, slots=True)
class CodeResult:
    colour: Colour
    reasons: tuple[Reason, ...]  # worst colour first
    changes_on: date | None  # first day with another colour if no new fact arrives
    ruleset_version: str


# Reason codes, in display order within a colour.
_CODES: Final = (
    "confirmed_case",
    "asymptomatic_case",
    "suspected_case",
    "case_under_treatment",
    "deceased",
    "close_contact",
    "in_quarantine",
    "arrival_high_risk",
    "earlier_red",
    "red_observation",
    "secondary_contact",
    "arrival_medium_risk",
    "checkpoint_fever",
    "declared_symptoms",
    "missed_checkins",
    "residence_high_risk",
    "residence_medium_risk",
)
REASON_CODES: Final = frozenset(_CODES)
_C: Final = {code: i for i, code in enumerate(_CODES)}


def _reason_texts(rs: RuleSet) -> tuple[tuple[str, str], ...]:
    q, w, n = rs.quarantine_days, rs.missed_checkins_window_days, rs.red_to_green_normal_days
    test_zh = "且核酸检测阴性" if rs.contact_release_needs_negative_test else ""
    test_en = " and a negative nucleic-acid test" if rs.contact_release_needs_negative_test else ""
    texts = {
        "confirmed_case": ("确诊病例", "Confirmed case"),
        "asymptomatic_case": ("无症状感染者", "Asymptomatic infection"),
        "suspected_case": ("疑似病例", "Suspected case"),
        "case_under_treatment": ("病例治疗中", "Case under treatment"),
        "deceased": ("已死亡，健康码停用", "Deceased; the code is no longer in use"),
        "close_contact": (
            f"密切接触者：自末次接触起隔离{q}天期满{test_zh}后解除",
            f"Close contact: until {q} days after the last exposure{test_en}",
        ),
        "in_quarantine": ("正在集中隔离或居家隔离", "In quarantine (centralised or at home)"),
        "arrival_high_risk": (
            f"来自高风险地区，抵达后{rs.high_risk_arrival_days}天内",
            f"Arrived from a high-risk area, for {rs.high_risk_arrival_days} days after arrival",
        ),
        "earlier_red": ("此前为红码", "Red code earlier"),
        "red_observation": (
            f"红码须连续{n}天健康状况正常（按时打卡、无发热、无症状）方可转绿",
            f"A red code turns green only after {n} consecutive normal days "
            "(daily check-in done, no fever, no symptoms)",
        ),
        "secondary_contact": (
            f"次密切接触者，末次接触后{rs.secondary_contact_days}天内",
            f"Secondary contact, for {rs.secondary_contact_days} days after the last exposure",
        ),
        "arrival_medium_risk": (
            f"来自中风险地区，抵达后{rs.medium_risk_arrival_days}天内",
            f"Arrived from a medium-risk area, for {rs.medium_risk_arrival_days} days after arrival",
        ),
        "checkpoint_fever": (
            f"卡口测温{rs.fever_threshold_celsius:.1f}℃及以上，核酸检测阴性后解除",
            f"Temperature of {rs.fever_threshold_celsius:.1f} °C or more at a checkpoint, "
            "until a negative nucleic-acid test",
        ),
        "declared_symptoms": (
            "自报发热、咳嗽等症状，核酸检测阴性后解除",
            "Declared symptoms (fever, cough…), until a negative nucleic-acid test",
        ),
        "missed_checkins": (
            f"{w}天内漏报健康打卡{rs.missed_checkins_threshold}次及以上",
            f"Missed {rs.missed_checkins_threshold} or more daily check-ins within {w} days",
        ),
        "residence_high_risk": ("居住地为高风险地区", "Lives in a high-risk area"),
        "residence_medium_risk": ("居住地为中风险地区", "Lives in a medium-risk area"),
    }
    return tuple(texts[code] for code in _CODES)


# --------------------------------------------------------------------------- engine

# An interval is (start ordinal, end ordinal exclusive, colour rank, reason index).
_Interval = tuple[int, int, int, int]


def evaluate(facts: PersonFacts, ruleset: RuleSet) -> CodeResult:
    """The person's colour on ``facts.today``, every reason for it, and the day it next changes."""
    if (
        facts.case_status is CaseStatus.NONE
        and facts.contact_status is ContactStatus.NONE
        and facts.prior_red_until is None
        and not facts.quarantine_stays
        and not facts.arrivals
        and not facts.temperatures
        and not facts.symptoms_declared
        and not facts.missed_checkins
        and facts.residence_risk is RiskLevel.LOW
    ):
        return ruleset._green  # the bulk of the population: no allocation at all
    intervals = timeline(facts, ruleset)
    if not intervals:
        return ruleset._green
    today = facts.today.toordinal()
    rank = 0
    for start, end, r, _ in intervals:
        if start <= today < end and r > rank:
            rank = r
    return CodeResult(
        _BY_RANK[rank],
        _reasons(intervals, today, ruleset),
        _next_change(intervals, today, rank),
        ruleset.version,
    )


def timeline(facts: PersonFacts, rs: RuleSet) -> list[_Interval]:
    """Every coloured interval the facts produce (ordinals); ``today`` plays no part."""
    out: list[_Interval] = []
    add = out.append
    # Abnormal days break the run of normal days a red code needs before turning green.
    abnormal_spans: list[tuple[int, int]] = []
    abnormal_days: list[int] = []
    negatives = sorted({d.toordinal() for d in facts.negative_tests}) if facts.negative_tests else []

    status = facts.case_status
    if status is not CaseStatus.NONE:
        on = facts.case_status_on
        if status in _ACTIVE_CASE_CODES:
            start = on.toordinal() if on is not None else _NEVER_START
            add((start, _NEVER_END, 2, _C[_ACTIVE_CASE_CODES[status]]))
            abnormal_spans.append((start, _NEVER_END))
        elif on is not None:
            end = on.toordinal()
            if status is CaseStatus.RECOVERED:
                add((_NEVER_START, end, 2, _C["case_under_treatment"]))
                abnormal_spans.append((_NEVER_START, end))
            else:
                # 排除疑似: was suspected until excluded, but was never ill, so those days may count as normal.
                add((_NEVER_START, end, 2, _C["suspected_case"]))

    contact = facts.contact_status
    if contact is not ContactStatus.NONE:
        exposed = facts.last_exposure_on
        if contact is ContactStatus.CLOSE:
            if exposed is None:
                add((_NEVER_START, _NEVER_END, 2, _C["close_contact"]))
            else:
                e = exposed.toordinal()
                release = e + rs.quarantine_days
                if rs.contact_release_needs_negative_test:
                    i = bisect.bisect_left(negatives, release - rs.release_test_window_days)
                    release = max(release, negatives[i]) if i < len(negatives) else _NEVER_END
                add((e, release, 2, _C["close_contact"]))
        else:
            r = _RANK[rs.secondary_contact_colour]
            if r:
                if exposed is None:
                    add((_NEVER_START, _NEVER_END, r, _C["secondary_contact"]))
                elif rs.secondary_contact_days:
                    e = exposed.toordinal()
                    add((e, e + rs.secondary_contact_days, r, _C["secondary_contact"]))

    r = _RANK[rs.quarantine_colour]
    if r:
        for stay in facts.quarantine_stays:
            end_day = stay.released_on if stay.released_on is not None else stay.planned_end
            add((stay.start.toordinal(), end_day.toordinal(), r, _C["in_quarantine"]))

    for arrival in facts.arrivals:
        if arrival.from_risk is RiskLevel.HIGH:
            r, days, code = _RANK[rs.high_risk_arrival_colour], rs.high_risk_arrival_days, "arrival_high_risk"
        elif arrival.from_risk is RiskLevel.MEDIUM:
            r, days, code = (
                _RANK[rs.medium_risk_arrival_colour],
                rs.medium_risk_arrival_days,
                "arrival_medium_risk",
            )
        else:
            continue
        if r and days:
            a = arrival.on.toordinal()
            add((a, a + days, r, _C[code]))

    threshold = rs.fever_threshold_celsius
    fever_days = [t.on.toordinal() for t in facts.temperatures if t.celsius >= threshold]
    symptom_days = [d.toordinal() for d in facts.symptoms_declared]
    for marked, colour, code in (
        (fever_days, rs.fever_colour, "checkpoint_fever"),
        (symptom_days, rs.symptom_colour, "declared_symptoms"),
    ):
        if not marked:
            continue
        abnormal_days.extend(marked)
        r = _RANK[colour]
        if r:
            for d in marked:
                # A negative test dated on or after the day clears it, but the day itself stays marked.
                i = bisect.bisect_left(negatives, d)
                add((d, max(negatives[i], d + 1) if i < len(negatives) else _NEVER_END, r, _C[code]))

    if facts.missed_checkins:
        missed = sorted({d.toordinal() for d in facts.missed_checkins})
        abnormal_days.extend(missed)
        k, r = rs.missed_checkins_threshold, _RANK[rs.missed_checkins_colour]
        if k and r:
            window = rs.missed_checkins_window_days
            # Day d qualifies when k misses fall in (d - window, d]: the i-th miss with the
            # (k-1)-th before it make every d in [missed[i], missed[i-k+1] + window) qualify.
            for i in range(k - 1, len(missed)):
                end = missed[i - k + 1] + window
                if end > missed[i]:
                    add((missed[i], end, r, _C["missed_checkins"]))

    if facts.residence_risk is not RiskLevel.LOW:
        if facts.residence_risk is RiskLevel.HIGH:
            r, code = _RANK[rs.residence_high_risk_colour], "residence_high_risk"
        else:
            r, code = _RANK[rs.residence_medium_risk_colour], "residence_medium_risk"
        if r:
            add((_NEVER_START, _NEVER_END, r, _C[code]))

    if facts.prior_red_until is not None:
        end = facts.prior_red_until.toordinal()
        add((_NEVER_START, end, 2, _C["earlier_red"]))
        abnormal_spans.append((_NEVER_START, end))  # unknown days: assume none was normal

    reds = sorted((s, e) for s, e, rank, _ in out if rank == 2 and s < e)
    if reds:
        abnormal_days.sort()
        observation = _C["red_observation"]
        run_end = reds[0][1]
        for s, e in reds[1:]:
            if s > run_end:
                _add_observation(out, run_end, abnormal_days, abnormal_spans, rs, observation)
            if e > run_end:
                run_end = e
        _add_observation(out, run_end, abnormal_days, abnormal_spans, rs, observation)
    return out


def _add_observation(
    out: list[_Interval],
    run_end: int,
    abnormal_days: list[int],
    abnormal_spans: list[tuple[int, int]],
    rs: RuleSet,
    observation: int,
) -> None:
    if run_end >= _NEVER_END:
        return
    green_from = _first_clean_day(run_end, rs.red_to_green_normal_days, abnormal_days, abnormal_spans)
    if green_from > run_end:
        out.append((run_end, green_from, 2, observation))


def _first_clean_day(
    start: int, n: int, abnormal_days: list[int], abnormal_spans: list[tuple[int, int]]
) -> int:
    """The first day c >= start such that none of the n days before c is abnormal."""
    if n == 0:
        return start
    c = start
    while True:
        # Any acceptable day lies beyond every abnormal day in the window: jump straight there.
        candidate = c
        i = bisect.bisect_left(abnormal_days, c)
        if i and abnormal_days[i - 1] >= c - n:
            candidate = abnormal_days[i - 1] + 1 + n
        for s, e in abnormal_spans:
            if s < c and e > c - n and e + n > candidate:
                candidate = e + n
        if candidate == c:
            return c
        if candidate >= _NEVER_END:
            return _NEVER_END
        c = candidate


def _reasons(intervals: list[_Interval], today: int, rs: RuleSet) -> tuple[Reason, ...]:
    active: dict[int, tuple[int, int]] = {}  # reason index -> (rank, end)
    for start, end, r, code in intervals:
        if start <= today < end:
            seen = active.get(code)
            active[code] = (r, end) if seen is None else (max(r, seen[0]), max(end, seen[1]))
    if not active:
        return ()
    reasons = []
    for code, (r, end) in active.items():
        # The reason lasts as long as same-reason intervals keep chaining on from one another.
        extended = True
        while extended and end < _NEVER_END:
            extended = False
            for start2, end2, _, code2 in intervals:
                if code2 == code and start2 <= end < end2:
                    end, extended = end2, True
        zh, en = rs._texts[code]
        reasons.append((-r, code, Reason(_CODES[code], _BY_RANK[r], zh, en, _to_date(end))))
    reasons.sort(key=lambda item: (item[0], item[1]))
    return tuple(item[2] for item in reasons)


def _next_change(intervals: list[_Interval], today: int, rank: int) -> date | None:
    boundaries = set()
    for start, end, _, _ in intervals:
        if today < start < _NEVER_END:
            boundaries.add(start)
        if today < end < _NEVER_END:
            boundaries.add(end)
    for b in sorted(boundaries):
        r = 0
        for start, end, r2, _ in intervals:
            if start <= b < end and r2 > r:
                r = r2
        if r != rank:
            return _to_date(b)
    return None


def _to_date(ordinal: int) -> date | None:
    return date.fromordinal(ordinal) if 1 <= ordinal <= _MAX_ORDINAL else None


DEFAULT_RULESET: Final = RuleSet(
    # 2020.2: medium-risk arrivals stay yellow 14 days, as every period in the seeds (2020.1 had 7).
    version="2020.2",
    # 杭州健康码 went live on 11 February 2020; other provinces followed within weeks.
    effective_from=date(2020, 2, 11),
)

"""Gathering each person's facts for the rules engine, from this app and from registered providers.

Other apps extend the facts by registering a provider in their AppConfig.ready()::

    from apps.codes import facts
    facts.register(my_provider)

A provider is ``callable(chunk: PersonChunk) -> dict[int, dict[str, Any]]`` returning, for the persons of
the chunk it knows something about, partial ``core.coderules.PersonFacts`` fields as core values (``CaseStatus``,
``ContactStatus``, ``date``, ``QuarantineStay``, ``Arrival``, ``TemperatureReading``, ``RiskLevel``; plain
strings are accepted for the enums). Tuple fields from several providers are concatenated; for scalar
fields the worst value wins (an active case status over an ended one, close over secondary contact,
the latest exposure, high over medium risk, the latest ``prior_red_until``). ``today`` is ours.
A provider must make a bounded number of queries per call (no per-person queries): it is called with
chunks of up to ``CHUNK`` persons during a bulk recompute. It filters its tables with ``chunk.where()``,
which is an id range during a bulk recompute (two query parameters; a 10,000-id IN list costs about
40 µs per person to bind and parse, more than everything else a recompute does) and an id list otherwise.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from core.coderules import (
    Arrival,
    CaseStatus,
    ContactStatus,
    PersonFacts,
    RiskLevel,
    RuleSet,
    TemperatureReading,
)

CHUNK = 10_000
# Facts older than this cannot change a colour under any valid rule set (all periods are <= 60 days,
# and a red code needs at most 60 normal days after its last red day).
LOOKBACK_DAYS = 130


@dataclass(frozen=True, slots=True)
class PersonChunk:
    """The persons whose facts are asked for.

    ``rows`` are (person id, residence area code) pairs sorted by id. ``span`` is set by the bulk path:
    (first id, last id) such that every live person with an id in it is in ``rows``; filtering by it
    may also return rows of merged-away persons, which ``gather`` ignores.
    """

    rows: list[tuple[int, str]]
    span: tuple[int, int] | None = None

    @classmethod
    def of(cls, person_ids: Iterable[int]) -> PersonChunk:
        """A chunk of these persons (one query for their areas), for callers outside the bulk path."""
        from apps.people.models import Person

        ids = sorted(set(person_ids))
        return cls(list(Person.objects.filter(pk__in=ids).order_by("pk").values_list("pk", "area_id")))

    @property
    def ids(self) -> list[int]:
        return [pid for pid, _ in self.rows]

    def where(self, field: str = "person_id") -> dict[str, Any]:
        """ORM filter keywords selecting these persons' rows by ``field``."""
        if self.span is not None:
            return {f"{field}__gte": self.span[0], f"{field}__lte": self.span[1]}
        return {f"{field}__in": self.ids}


Provider = Callable[[PersonChunk], dict[int, dict[str, Any]]]

_PROVIDERS: list[Provider] = []

_TUPLE_FIELDS = {
    "quarantine_stays",
    "arrivals",
    "negative_tests",
    "temperatures",
    "symptoms_declared",
    "missed_checkins",
}
_CASE_RANK = {
    CaseStatus.NONE: 0,
    CaseStatus.EXCLUDED: 1,
    CaseStatus.RECOVERED: 2,
    CaseStatus.SUSPECTED: 3,
    CaseStatus.ASYMPTOMATIC: 4,
    CaseStatus.CONFIRMED: 5,
    CaseStatus.DIED: 6,
}
_CONTACT_RANK = {ContactStatus.NONE: 0, ContactStatus.SECONDARY: 1, ContactStatus.CLOSE: 2}
_RISK_RANK = {RiskLevel.LOW: 0, RiskLevel.MEDIUM: 1, RiskLevel.HIGH: 2}
_FIELDS = {f.name for f in dataclasses.fields(PersonFacts)} - {"today"}


def register(provider: Provider) -> Provider:
    """Add a fact provider (idempotent; usable as a decorator)."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


def unregister(provider: Provider) -> None:
    if provider in _PROVIDERS:
        _PROVIDERS.remove(provider)


def providers() -> list[Provider]:
    return list(_PROVIDERS)


def merge(target: dict[str, Any], part: dict[str, Any]) -> None:
    """Fold one provider's partial facts into ``target`` (see the module docstring for the rules)."""
    for name, value in part.items():
        if name not in _FIELDS:
            raise ValueError(f"fact provider returned an unknown field {name!r}")
        if name in _TUPLE_FIELDS:
            target[name] = (*target.get(name, ()), *value)
            continue
        if name == "case_status":
            value = CaseStatus(value)
            old = target.get("case_status", CaseStatus.NONE)
            if _CASE_RANK[value] >= _CASE_RANK[old]:
                target["case_status"] = value
                if "case_status_on" in part:
                    target["case_status_on"] = part["case_status_on"]
        elif name == "case_status_on":
            target.setdefault("case_status_on", value)
        elif name == "contact_status":
            value = ContactStatus(value)
            if _CONTACT_RANK[value] >= _CONTACT_RANK[target.get("contact_status", ContactStatus.NONE)]:
                target["contact_status"] = value
        elif name == "residence_risk":
            value = RiskLevel(value)
            if _RISK_RANK[value] >= _RISK_RANK[target.get("residence_risk", RiskLevel.LOW)]:
                target["residence_risk"] = value
        elif value is not None and (target.get(name) is None or value > target[name]):
            # last_exposure_on, prior_red_until: the latest date
            target[name] = value


def gather(chunk: PersonChunk, today: date, ruleset: RuleSet) -> dict[int, PersonFacts]:
    """PersonFacts for the persons of the chunk that have any fact; everyone missing is plainly green."""
    wanted = {pid for pid, _ in chunk.rows}
    merged: dict[int, dict[str, Any]] = defaultdict(dict)
    parts = [_own_facts_on(chunk, today, ruleset)] + [provider(chunk) for provider in _PROVIDERS]
    for part in parts:
        for pid, fields in part.items():
            if fields and pid in wanted:
                merge(merged[pid], fields)
    return {pid: PersonFacts(today=today, **fields) for pid, fields in merged.items() if fields}


def _own_facts_on(chunk: PersonChunk, today: date, ruleset: RuleSet) -> dict[int, dict[str, Any]]:
    """Declarations, daily check-ins and missed check-ins, and checkpoint temperatures from scans."""
    who = chunk.where()
    from apps.codes.models import CheckIn, CheckInObligation, Declaration
    from apps.venues.models import Scan

    since = today - timedelta(days=LOOKBACK_DAYS)
    out: dict[int, dict[str, Any]] = defaultdict(dict)

    def add(pid: int, name: str, values: Iterable[Any]) -> None:
        out[pid][name] = (*out[pid].get(name, ()), *values)

    for pid, declared_on, symptoms, arrived_on, risk in Declaration.objects.filter(
        **who, declared_on__gte=since
    ).values_list("person_id", "declared_on", "symptoms", "arrived_on", "arrived_from_risk"):
        if symptoms:
            add(pid, "symptoms_declared", [declared_on])
        if arrived_on is not None and risk != "low":
            add(pid, "arrivals", [Arrival(arrived_on, RiskLevel(risk))])

    checked: dict[int, set[date]] = defaultdict(set)
    for pid, day, symptoms in CheckIn.objects.filter(**who, day__gte=since).values_list(
        "person_id", "day", "symptoms"
    ):
        checked[pid].add(day)
        if symptoms:
            add(pid, "symptoms_declared", [day])
    for pid, start, end in CheckInObligation.objects.filter(**who, end__gt=since).values_list(
        "person_id", "start", "end"
    ):
        # Today is not missed yet: the person has until midnight.
        last = min(end, today)
        d = max(start, since)
        missed = []
        while d < last:
            if d not in checked[pid]:
                missed.append(d)
            d += timedelta(days=1)
        if missed:
            add(pid, "missed_checkins", missed)

    since_dt = datetime.combine(since, time.min, tzinfo=timezone.get_current_timezone())
    for pid, at, temp in Scan.objects.filter(
        **who,
        scanned_at__gte=since_dt,
        temperature__gte=ruleset.fever_threshold_celsius,
    ).values_list("person_id", "scanned_at", "temperature"):
        add(pid, "temperatures", [TemperatureReading(timezone.localdate(at), float(temp))])
    return out

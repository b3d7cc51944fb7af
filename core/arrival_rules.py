"""Classification on arrival (分类转运) by versioned rules: the first matching rule decides, and is named.

A rule set is data with a version and the day it takes effect (``effective_from``); the set in force
on a day is the latest one effective on or before it, so a past arrival can be re-explained by the
rules of its own day. Rules are tried in order; a rule matches when every condition it names holds
(``origin_kind`` and ``origin_risk`` are lists of accepted values; ``positive`` and ``symptomatic``
booleans). The outcome is one of ``OUTCOMES``: a designated hospital (a suspected case is opened),
centralised or home quarantine for ``days``, or community follow-up only. Every arrival also becomes
a health-code fact (the app's provider), whatever the outcome.

The default set follows the seeds: every overseas arrival 14 days of centralised quarantine
(seed 002), high-risk areas centralised, medium-risk areas at home, positive or symptomatic to the
designated hospital (seed 000: 定点救治).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

OUTCOMES: Final = ("hospital", "centralised", "home", "follow_up")
_CONDITIONS: Final = {"origin_kind", "origin_risk", "positive", "symptomatic"}


class RuleError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class ArrivalFacts:
    origin_kind: str  # abroad | domestic | province
    origin_risk: str  # low | medium | high
    positive: bool = False  # a positive test at the port
    symptomatic: bool = False  # symptoms or a fever at the port


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    outcome: str
    days: int = 0
    when: Mapping[str, Any] = field(default_factory=dict)
    zh: str = ""
    en: str = ""

    def matches(self, facts: ArrivalFacts) -> bool:
        for name, wanted in self.when.items():
            value = getattr(facts, name)
            if isinstance(wanted, list):
                if value not in wanted:
                    return False
            elif value != wanted:
                return False
        return True


@dataclass(frozen=True, slots=True)
class RuleSet:
    version: str
    effective_from: date
    rules: tuple[Rule, ...]


@dataclass(frozen=True, slots=True)
class Decision:
    rule: Rule
    version: str

    @property
    def outcome(self) -> str:
        return self.rule.outcome


def parse_rules(version: str, effective_from: date, rules: Sequence[Mapping[str, Any]]) -> RuleSet:
    """Validate rules given as data; ``RuleError`` names the first problem. The last rule must match
    everyone (no conditions), so every arrival is classified."""
    if not version.strip():
        raise RuleError("a rule set needs a version")
    parsed: list[Rule] = []
    for index, raw in enumerate(rules, start=1):
        if not isinstance(raw, Mapping):
            raise RuleError(f"rule {index} is not an object")
        code, outcome, days = raw.get("code"), raw.get("outcome"), raw.get("days", 0)
        when = raw.get("when", {})
        if not isinstance(code, str) or not code.strip():
            raise RuleError(f"rule {index} needs a code")
        if outcome not in OUTCOMES:
            raise RuleError(f"rule {code}: outcome must be one of {', '.join(OUTCOMES)}")
        if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 60:
            raise RuleError(f"rule {code}: days must be a whole number from 0 to 60")
        if not isinstance(when, Mapping) or set(when) - _CONDITIONS:
            raise RuleError(f"rule {code}: conditions are {', '.join(sorted(_CONDITIONS))}")
        for name, wanted in when.items():
            if name in ("positive", "symptomatic") and not isinstance(wanted, bool):
                raise RuleError(f"rule {code}: {name} is true or false")
            if name in ("origin_kind", "origin_risk") and not (
                isinstance(wanted, list) and all(isinstance(v, str) for v in wanted)
            ):
                raise RuleError(f"rule {code}: {name} is a list of values")
        parsed.append(
            Rule(code, str(outcome), days, dict(when), str(raw.get("zh", "")), str(raw.get("en", "")))
        )
    if not parsed or parsed[-1].when:
        raise RuleError("the last rule must have no conditions, so that every arrival is classified")
    if len({r.code for r in parsed}) != len(parsed):
        raise RuleError("rule codes repeat")
    return RuleSet(version.strip(), effective_from, tuple(parsed))


DEFAULT_RULES: Final[tuple[dict[str, Any], ...]] = (
    {
        "code": "positive_or_symptomatic",
        "when": {"positive": True},
        "outcome": "hospital",
        "zh": "核酸阳性：转定点医院并按疑似病例管理",
        "en": "Positive test: to the designated hospital as a suspected case",
    },
    {
        "code": "symptomatic",
        "when": {"symptomatic": True},
        "outcome": "hospital",
        "zh": "有症状或发热：转定点医院并按疑似病例管理",
        "en": "Symptoms or fever: to the designated hospital as a suspected case",
    },
    {
        "code": "abroad_14d_centralised",
        "when": {"origin_kind": ["abroad"]},
        "outcome": "centralised",
        "days": 14,
        "zh": "境外来（返）人员一律集中隔离14天",
        "en": "Every arrival from abroad: 14 days of centralised quarantine",
    },
    {
        "code": "high_risk_centralised",
        "when": {"origin_risk": ["high"]},
        "outcome": "centralised",
        "days": 14,
        "zh": "来自高风险地区：集中隔离14天",
        "en": "From a high-risk area: 14 days of centralised quarantine",
    },
    {
        "code": "medium_risk_home",
        "when": {"origin_risk": ["medium"]},
        "outcome": "home",
        "days": 14,
        "zh": "来自中风险地区：居家隔离14天",
        "en": "From a medium-risk area: 14 days of home quarantine",
    },
    {
        "code": "low_risk_follow_up",
        "outcome": "follow_up",
        "zh": "来自低风险地区：社区健康监测",
        "en": "From a low-risk area: health monitoring by the community",
    },
)
DEFAULT_SET: Final = parse_rules("2020-02-default", date(2020, 1, 1), DEFAULT_RULES)


def in_force(sets: Iterable[RuleSet], day: date) -> RuleSet:
    """The latest set effective on or before ``day``; the default set when none is."""
    candidates = [s for s in sets if s.effective_from <= day]
    return max(candidates, key=lambda s: (s.effective_from, s.version)) if candidates else DEFAULT_SET


def classify(facts: ArrivalFacts, rules: RuleSet) -> Decision:
    for rule in rules.rules:
        if rule.matches(facts):
            return Decision(rule, rules.version)
    raise RuleError("no rule matched")  # unreachable for a parsed set: its last rule matches all


def dumps(rules: RuleSet) -> str:
    return json.dumps(
        [
            {
                "code": r.code,
                "when": dict(r.when),
                "outcome": r.outcome,
                "days": r.days,
                "zh": r.zh,
                "en": r.en,
            }
            for r in rules.rules
        ],
        ensure_ascii=False,
    )

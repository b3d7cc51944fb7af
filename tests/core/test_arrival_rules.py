"""Classification on arrival: the default rules of the seeds, rule sets by effective date, validation."""

from __future__ import annotations

from datetime import date
from itertools import product

import pytest

from core import arrival_rules as ar


def _oracle(kind: str, risk: str, positive: bool, symptomatic: bool) -> tuple[str, int]:
    # The seeds in plain words, independent of the rule table.
    if positive or symptomatic:
        return "hospital", 0
    if kind == "abroad" or risk == "high":
        return "centralised", 14
    if risk == "medium":
        return "home", 14
    return "follow_up", 0


@pytest.mark.parametrize(
    ("kind", "risk", "positive", "symptomatic"),
    list(
        product(["abroad", "domestic", "province"], ["low", "medium", "high"], [False, True], [False, True])
    ),
)
def test_the_default_rules_decide_as_the_seeds_say(
    kind: str, risk: str, positive: bool, symptomatic: bool
) -> None:
    decision = ar.classify(ar.ArrivalFacts(kind, risk, positive, symptomatic), ar.DEFAULT_SET)
    assert (decision.outcome, decision.rule.days) == _oracle(kind, risk, positive, symptomatic)
    assert decision.rule.zh and decision.rule.en and decision.version == ar.DEFAULT_SET.version


def test_the_deciding_rule_is_named() -> None:
    assert ar.classify(ar.ArrivalFacts("abroad", "low"), ar.DEFAULT_SET).rule.code == "abroad_14d_centralised"
    assert (
        ar.classify(ar.ArrivalFacts("abroad", "low", positive=True), ar.DEFAULT_SET).rule.code
        == "positive_or_symptomatic"
    )


def test_the_set_in_force_is_the_latest_effective_one() -> None:
    march = ar.parse_rules("2020-03", date(2020, 3, 1), [{"code": "all_home", "outcome": "home", "days": 7}])
    april = ar.parse_rules("2020-04", date(2020, 4, 1), [{"code": "all_free", "outcome": "follow_up"}])
    assert ar.in_force([march, april], date(2020, 2, 29)) is ar.DEFAULT_SET
    assert ar.in_force([april, march], date(2020, 3, 31)) is march
    assert ar.in_force([march, april], date(2020, 4, 1)) is april
    assert ar.classify(ar.ArrivalFacts("abroad", "high"), march).rule.code == "all_home"


@pytest.mark.parametrize(
    ("rules", "problem"),
    [
        ([], "last rule"),
        ([{"code": "a", "outcome": "home", "when": {"origin_risk": ["medium"]}}], "last rule"),
        ([{"code": "a", "outcome": "jail"}], "outcome"),
        ([{"code": "a", "outcome": "home", "days": 99}], "days"),
        (
            [{"code": "a", "outcome": "home", "when": {"age": 3}}, {"code": "b", "outcome": "home"}],
            "conditions",
        ),
        (
            [{"code": "a", "outcome": "home", "when": {"positive": "yes"}}, {"code": "b", "outcome": "home"}],
            "true or false",
        ),
        ([{"code": "a", "outcome": "home"}, {"code": "a", "outcome": "home"}], "repeat"),
        (["x"], "not an object"),
    ],
)
def test_bad_rules_are_refused_with_the_reason(rules: list, problem: str) -> None:
    with pytest.raises(ar.RuleError, match=problem):
        ar.parse_rules("v", date(2020, 3, 1), rules)


def test_rules_round_trip_as_data() -> None:
    import json

    again = ar.parse_rules("copy", date(2020, 1, 1), json.loads(ar.dumps(ar.DEFAULT_SET)))
    assert again.rules == ar.DEFAULT_SET.rules

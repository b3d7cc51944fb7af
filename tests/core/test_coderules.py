"""Tests for the health-code rules engine: one example per rule, and a day-by-day oracle for the rest."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.coderules import (
    DEFAULT_RULESET,
    REASON_CODES,
    Arrival,
    CaseStatus,
    CodeResult,
    Colour,
    ContactStatus,
    PersonFacts,
    QuarantineStay,
    RiskLevel,
    RuleSet,
    RuleSetError,
    TemperatureReading,
    evaluate,
    ruleset_for,
)

D0 = date(2020, 3, 1)
RS = DEFAULT_RULESET
RANK = {Colour.GREEN: 0, Colour.YELLOW: 1, Colour.RED: 2}


def day(n: int) -> date:
    return D0 + timedelta(days=n)


def on(facts: PersonFacts, n: int, rs: RuleSet = RS) -> CodeResult:
    return evaluate(dataclasses.replace(facts, today=day(n)), rs)


def codes(result: CodeResult) -> set[str]:
    return {reason.code for reason in result.reasons}


# --------------------------------------------------------------------------- examples, one per rule


def test_it_gives_green_with_no_reasons_when_nothing_is_known() -> None:
    result = evaluate(PersonFacts(today=D0), RS)
    assert result == CodeResult(Colour.GREEN, (), None, "2020.2")


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (CaseStatus.CONFIRMED, "confirmed_case"),
        (CaseStatus.SUSPECTED, "suspected_case"),
        (CaseStatus.ASYMPTOMATIC, "asymptomatic_case"),
        (CaseStatus.DIED, "deceased"),
    ],
)
def test_it_keeps_active_cases_red_with_no_end(status: CaseStatus, code: str) -> None:
    result = evaluate(PersonFacts(today=D0, case_status=status, case_status_on=day(-3)), RS)
    assert result.colour is Colour.RED
    assert codes(result) == {code}
    assert result.changes_on is None
    assert result.reasons[0].until is None


def test_it_keeps_a_recovered_case_red_for_14_normal_days_after_discharge() -> None:
    facts = PersonFacts(today=day(0), case_status=CaseStatus.RECOVERED, case_status_on=day(0))
    result = evaluate(facts, RS)
    assert result.colour is Colour.RED
    assert codes(result) == {"red_observation"}
    assert result.changes_on == day(14)
    assert on(facts, 13).colour is Colour.RED
    assert on(facts, 14).colour is Colour.GREEN


def test_it_restarts_the_normal_days_after_a_missed_check_in() -> None:
    facts = PersonFacts(
        today=day(0), case_status=CaseStatus.RECOVERED, case_status_on=day(0), missed_checkins=(day(5),)
    )
    assert evaluate(facts, RS).changes_on == day(20)  # 14 clean days from day 6


def test_it_turns_an_excluded_suspect_green_when_the_last_14_days_were_normal() -> None:
    facts = PersonFacts(today=day(0), case_status=CaseStatus.EXCLUDED, case_status_on=day(0))
    assert evaluate(facts, RS).colour is Colour.GREEN
    assert on(facts, -1).colour is Colour.RED


def test_it_keeps_an_excluded_suspect_red_after_a_recent_fever() -> None:
    facts = PersonFacts(
        today=day(0),
        case_status=CaseStatus.EXCLUDED,
        case_status_on=day(0),
        temperatures=(TemperatureReading(day(-2), 38.1),),
        negative_tests=(day(0),),
    )
    result = evaluate(facts, RS)
    assert result.colour is Colour.RED
    # The fever day (-2) is abnormal: the 14 normal days are days -1..12, so green from day 13.
    assert result.changes_on == day(13)
    assert on(facts, 12).colour is Colour.RED
    assert on(facts, 13).colour is Colour.GREEN


def test_it_refuses_a_recovered_case_without_a_date() -> None:
    with pytest.raises(ValueError, match="case_status_on"):
        PersonFacts(today=D0, case_status=CaseStatus.RECOVERED)


def close_contact(**extra: object) -> PersonFacts:
    return PersonFacts(
        today=day(1),
        contact_status=ContactStatus.CLOSE,
        last_exposure_on=day(0),
        **extra,  # type: ignore[arg-type]
    )


def test_it_releases_a_close_contact_after_14_days_and_a_negative_test() -> None:
    facts = close_contact(negative_tests=(day(13),))
    result = evaluate(facts, RS)
    assert result.colour is Colour.RED
    assert codes(result) == {"close_contact"}
    assert result.reasons[0].until == day(14)
    assert result.changes_on == day(14)


def test_it_keeps_a_close_contact_red_without_a_release_test() -> None:
    result = evaluate(close_contact(negative_tests=(day(3),)), RS)  # too early to count
    assert result.colour is Colour.RED
    assert result.changes_on is None


def test_it_releases_a_close_contact_on_the_day_of_a_late_negative_test() -> None:
    assert evaluate(close_contact(negative_tests=(day(17),)), RS).changes_on == day(17)


def test_it_releases_a_close_contact_on_day_14_when_the_rules_need_no_test() -> None:
    rs = dataclasses.replace(RS, contact_release_needs_negative_test=False)
    assert evaluate(close_contact(), rs).changes_on == day(14)


def test_it_extends_a_close_contacts_red_after_a_missed_check_in_in_quarantine() -> None:
    facts = close_contact(negative_tests=(day(13),), missed_checkins=(day(10),))
    result = evaluate(facts, RS)
    assert result.changes_on == day(25)
    assert codes(on(facts, 20)) == {"red_observation"}


def test_it_keeps_a_close_contact_without_exposure_date_red() -> None:
    facts = PersonFacts(today=D0, contact_status=ContactStatus.CLOSE)
    assert evaluate(facts, RS).colour is Colour.RED


def test_it_gives_secondary_contacts_yellow_for_14_days() -> None:
    facts = PersonFacts(today=day(2), contact_status=ContactStatus.SECONDARY, last_exposure_on=day(0))
    result = evaluate(facts, RS)
    assert (result.colour, codes(result), result.changes_on) == (
        Colour.YELLOW,
        {"secondary_contact"},
        day(14),
    )


def test_it_keeps_a_quarantined_person_red_until_the_planned_end() -> None:
    facts = PersonFacts(today=day(3), quarantine_stays=(QuarantineStay(day(0), day(14)),))
    result = evaluate(facts, RS)
    assert (result.colour, codes(result), result.changes_on) == (Colour.RED, {"in_quarantine"}, day(14))


def test_it_ends_quarantine_red_on_early_release() -> None:
    facts = PersonFacts(
        today=day(3), quarantine_stays=(QuarantineStay(day(-11), day(14), released_on=day(3)),)
    )
    assert evaluate(facts, RS).colour is Colour.GREEN


def test_it_rejects_a_stay_that_ends_before_it_starts() -> None:
    with pytest.raises(ValueError, match="planned_end"):
        QuarantineStay(day(5), day(4))


def test_it_gives_medium_risk_arrivals_yellow_for_14_days_as_the_seeds() -> None:
    facts = PersonFacts(today=day(0), arrivals=(Arrival(day(0), RiskLevel.MEDIUM),))
    result = evaluate(facts, RS)
    assert (result.colour, codes(result), result.changes_on) == (
        Colour.YELLOW,
        {"arrival_medium_risk"},
        day(14),
    )
    assert evaluate(dataclasses.replace(facts, today=day(13)), RS).colour is Colour.YELLOW
    assert evaluate(dataclasses.replace(facts, today=day(14)), RS).colour is Colour.GREEN


def test_every_default_period_is_the_seeds_14_days() -> None:
    periods = {
        name: getattr(RS, name)
        for name in (
            "quarantine_days",
            "secondary_contact_days",
            "medium_risk_arrival_days",
            "high_risk_arrival_days",
            "red_to_green_normal_days",
        )
    }
    assert periods == dict.fromkeys(periods, 14)


def test_it_gives_high_risk_arrivals_red_for_14_days_then_green() -> None:
    facts = PersonFacts(today=day(0), arrivals=(Arrival(day(0), RiskLevel.HIGH),))
    result = evaluate(facts, RS)
    assert (result.colour, codes(result), result.changes_on) == (Colour.RED, {"arrival_high_risk"}, day(14))
    assert on(facts, 14).colour is Colour.GREEN


def test_it_ignores_arrivals_from_low_risk_areas() -> None:
    facts = PersonFacts(today=day(0), arrivals=(Arrival(day(0), RiskLevel.LOW),))
    assert evaluate(facts, RS).colour is Colour.GREEN


def test_it_gives_a_checkpoint_fever_yellow_until_a_negative_test() -> None:
    facts = PersonFacts(
        today=day(0), temperatures=(TemperatureReading(day(0), 37.3),), negative_tests=(day(2),)
    )
    result = evaluate(facts, RS)
    assert (result.colour, codes(result), result.changes_on) == (Colour.YELLOW, {"checkpoint_fever"}, day(2))


def test_it_ignores_temperatures_below_the_threshold() -> None:
    facts = PersonFacts(today=day(0), temperatures=(TemperatureReading(day(0), 37.2),))
    assert evaluate(facts, RS).colour is Colour.GREEN


def test_it_keeps_the_fever_day_yellow_even_with_a_same_day_negative_test() -> None:
    facts = PersonFacts(
        today=day(0), temperatures=(TemperatureReading(day(0), 38.0),), negative_tests=(day(0),)
    )
    assert evaluate(facts, RS).changes_on == day(1)


def test_it_gives_declared_symptoms_yellow_with_no_end_until_tested() -> None:
    facts = PersonFacts(today=day(0), symptoms_declared=(day(-1),))
    result = evaluate(facts, RS)
    assert (result.colour, codes(result), result.changes_on) == (Colour.YELLOW, {"declared_symptoms"}, None)


def test_it_turns_yellow_at_three_missed_check_ins_within_seven_days() -> None:
    two = PersonFacts(today=day(6), missed_checkins=(day(0), day(6)))
    assert evaluate(two, RS).colour is Colour.GREEN
    three = dataclasses.replace(two, missed_checkins=(day(0), day(3), day(6)))
    result = evaluate(three, RS)
    assert (result.colour, codes(result), result.changes_on) == (Colour.YELLOW, {"missed_checkins"}, day(7))
    spread = dataclasses.replace(two, missed_checkins=(day(-1), day(3), day(6)))
    assert evaluate(spread, RS).colour is Colour.GREEN


def test_it_gives_residents_of_high_risk_areas_yellow_and_of_medium_risk_areas_green() -> None:
    high = evaluate(PersonFacts(today=D0, residence_risk=RiskLevel.HIGH), RS)
    assert (high.colour, codes(high), high.changes_on) == (Colour.YELLOW, {"residence_high_risk"}, None)
    assert evaluate(PersonFacts(today=D0, residence_risk=RiskLevel.MEDIUM), RS).colour is Colour.GREEN


def test_it_keeps_an_earlier_red_until_14_normal_days_have_passed() -> None:
    facts = PersonFacts(today=day(0), prior_red_until=day(0))
    result = evaluate(facts, RS)
    assert (result.colour, codes(result), result.changes_on) == (Colour.RED, {"red_observation"}, day(14))


def test_it_lists_every_active_reason_worst_first() -> None:
    facts = close_contact(arrivals=(Arrival(day(0), RiskLevel.MEDIUM),), residence_risk=RiskLevel.HIGH)
    result = evaluate(facts, RS)
    assert [r.code for r in result.reasons] == ["close_contact", "arrival_medium_risk", "residence_high_risk"]
    assert [r.colour for r in result.reasons] == [Colour.RED, Colour.YELLOW, Colour.YELLOW]
    assert all(r.text_zh and r.text_en for r in result.reasons)
    assert "14" in result.reasons[0].text_zh


def test_it_switches_a_rule_off_when_its_colour_is_green() -> None:
    rs = dataclasses.replace(RS, version="lenient", medium_risk_arrival_colour=Colour.GREEN)
    facts = PersonFacts(today=day(0), arrivals=(Arrival(day(0), RiskLevel.MEDIUM),))
    assert evaluate(facts, rs) == CodeResult(Colour.GREEN, (), None, "lenient")


def test_it_follows_the_rule_set_parameters() -> None:
    rs = dataclasses.replace(RS, version="strict", medium_risk_arrival_days=10, fever_threshold_celsius=37.0)
    facts = PersonFacts(
        today=day(0),
        arrivals=(Arrival(day(0), RiskLevel.MEDIUM),),
        temperatures=(TemperatureReading(day(0), 37.1),),
        # Without a negative test the fever keeps the code yellow with no end; this one clears it on day 3.
        negative_tests=(day(3),),
    )
    result = evaluate(facts, rs)
    assert result.ruleset_version == "strict"
    assert codes(result) == {"arrival_medium_risk", "checkpoint_fever"}
    assert result.changes_on == day(10)
    assert evaluate(facts, RS).changes_on == day(14)  # the default: 14 days, and 37.1 °C is no fever
    assert codes(evaluate(facts, RS)) == {"arrival_medium_risk"}


# --------------------------------------------------------------------------- rule sets as data


def test_it_round_trips_a_rule_set_through_json() -> None:
    data = json.loads(json.dumps(RS.to_dict()))
    assert RuleSet.from_dict(data) == RS


def test_it_names_every_bad_field_when_loading_a_rule_set() -> None:
    data = RS.to_dict()
    data["quarantine_days"] = "14"
    data["fever_colour"] = "purple"
    data["effective_from"] = "2020-02-30"
    del data["version"]
    data["surprise"] = 1
    with pytest.raises(RuleSetError) as caught:
        RuleSet.from_dict(data)
    names = {name for name, _ in caught.value.errors}
    assert names == {"quarantine_days", "fever_colour", "effective_from", "version", "surprise"}
    assert "quarantine_days" in str(caught.value)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("quarantine_days", 0),
        ("red_to_green_normal_days", -1),
        ("missed_checkins_window_days", 61),
        ("fever_threshold_celsius", 45.0),
        ("release_test_window_days", 20),
        ("version", " "),
        ("contact_release_needs_negative_test", 1),
        ("medium_risk_arrival_days", True),
    ],
)
def test_it_rejects_out_of_range_parameters_naming_the_field(field: str, value: object) -> None:
    data = RS.to_dict()
    data[field] = value
    with pytest.raises(RuleSetError) as caught:
        RuleSet.from_dict(data)
    assert [name for name, _ in caught.value.errors] == [field]


def test_it_picks_the_rule_set_in_effect() -> None:
    later = dataclasses.replace(RS, version="2020.2", effective_from=date(2020, 3, 10))
    assert ruleset_for(date(2020, 3, 9), [later, RS]) is RS
    assert ruleset_for(date(2020, 3, 10), [RS, later]) is later
    with pytest.raises(LookupError):
        ruleset_for(date(2020, 1, 1), [RS, later])
    clash = dataclasses.replace(RS, version="2020.1b")
    with pytest.raises(ValueError, match="same day"):
        ruleset_for(date(2020, 3, 1), [RS, clash])


# --------------------------------------------------------------------------- oracle and properties

ACTIVE = (CaseStatus.CONFIRMED, CaseStatus.SUSPECTED, CaseStatus.ASYMPTOMATIC, CaseStatus.DIED)
WINDOW = 40  # facts fall on days 0..WINDOW-1


def oracle_rank(f: PersonFacts, rs: RuleSet, d: date) -> int:
    """The colour rank on day d, straight from the rules as the issue states them, one day at a time."""

    def base_red(x: date) -> bool:
        s, since = f.case_status, f.case_status_on
        if s in ACTIVE and (since is None or x >= since):
            return True
        if s in (CaseStatus.RECOVERED, CaseStatus.EXCLUDED) and since is not None and x < since:
            return True
        if f.contact_status is ContactStatus.CLOSE:
            exp = f.last_exposure_on
            if exp is None:
                return True
            end = exp + timedelta(days=rs.quarantine_days)
            released = x >= end and (
                not rs.contact_release_needs_negative_test
                or any(end - timedelta(days=rs.release_test_window_days) <= t <= x for t in f.negative_tests)
            )
            if x >= exp and not released:
                return True
        if f.prior_red_until is not None and x < f.prior_red_until:
            return True
        return any(rank == 2 for rank in yellowish(x))

    def abnormal(x: date) -> bool:
        s, since = f.case_status, f.case_status_on
        if s in ACTIVE and (since is None or x >= since):
            return True
        if s is CaseStatus.RECOVERED and since is not None and x < since:
            return True
        if f.prior_red_until is not None and x < f.prior_red_until:
            return True
        return (
            x in f.missed_checkins
            or x in f.symptoms_declared
            or any(t.on == x and t.celsius >= rs.fever_threshold_celsius for t in f.temperatures)
        )

    def yellowish(x: date) -> list[int]:
        """Ranks of the rules whose colour the rule set chooses (they may be set to red)."""
        ranks = []
        if f.contact_status is ContactStatus.SECONDARY:
            exp = f.last_exposure_on
            if exp is None or exp <= x < exp + timedelta(days=rs.secondary_contact_days):
                ranks.append(RANK[rs.secondary_contact_colour])
        for a in f.arrivals:
            if a.from_risk is RiskLevel.MEDIUM and a.on <= x < a.on + timedelta(
                days=rs.medium_risk_arrival_days
            ):
                ranks.append(RANK[rs.medium_risk_arrival_colour])
            if a.from_risk is RiskLevel.HIGH and a.on <= x < a.on + timedelta(days=rs.high_risk_arrival_days):
                ranks.append(RANK[rs.high_risk_arrival_colour])
        for stay in f.quarantine_stays:
            if stay.start <= x < (stay.released_on or stay.planned_end):
                ranks.append(RANK[rs.quarantine_colour])
        marked = [(t.on, rs.fever_colour) for t in f.temperatures if t.celsius >= rs.fever_threshold_celsius]
        marked += [(s, rs.symptom_colour) for s in f.symptoms_declared]
        for when, colour in marked:
            cleared = x > when and any(when <= t <= x for t in f.negative_tests)
            if when <= x and not cleared:
                ranks.append(RANK[colour])
        k, w = rs.missed_checkins_threshold, rs.missed_checkins_window_days
        if k and len({m for m in f.missed_checkins if x - timedelta(days=w) < m <= x}) >= k:
            ranks.append(RANK[rs.missed_checkins_colour])
        if f.residence_risk is RiskLevel.HIGH:
            ranks.append(RANK[rs.residence_high_risk_colour])
        if f.residence_risk is RiskLevel.MEDIUM:
            ranks.append(RANK[rs.residence_medium_risk_colour])
        return ranks

    if base_red(d):
        return 2
    # Red turns green only after N consecutive normal days since the last red day.
    n = rs.red_to_green_normal_days
    e = d
    while e > day(-200) and not base_red(e - timedelta(days=1)):
        e -= timedelta(days=1)
    if e > day(-200):
        clean = any(
            not any(abnormal(c - timedelta(days=i)) for i in range(1, n + 1))
            for c in (e + timedelta(days=j) for j in range((d - e).days + 1))
        )
        if not clean:
            return 2
    return max(yellowish(d), default=0)


days = st.integers(0, WINDOW - 1).map(day)
colours = st.sampled_from(list(Colour))


@st.composite
def person_facts(draw: st.DrawFn) -> PersonFacts:
    case_status = draw(st.sampled_from(list(CaseStatus)))
    stays = []
    for start in draw(st.lists(days, max_size=2)):
        length = draw(st.integers(0, 20))
        released = draw(st.none() | st.integers(0, length))
        stays.append(
            QuarantineStay(
                start,
                start + timedelta(days=length),
                None if released is None else start + timedelta(days=released),
            )
        )
    return PersonFacts(
        today=draw(days),
        case_status=case_status,
        case_status_on=draw(
            days if case_status in (CaseStatus.RECOVERED, CaseStatus.EXCLUDED) else st.none() | days
        ),
        contact_status=draw(st.sampled_from(list(ContactStatus))),
        last_exposure_on=draw(st.none() | days),
        quarantine_stays=tuple(stays),
        arrivals=tuple(
            draw(st.lists(st.builds(Arrival, days, st.sampled_from(list(RiskLevel))), max_size=3))
        ),
        negative_tests=tuple(draw(st.lists(days, max_size=3))),
        temperatures=tuple(
            draw(
                st.lists(
                    st.builds(TemperatureReading, days, st.sampled_from([36.5, 37.2, 37.3, 39.0])), max_size=3
                )
            )
        ),
        symptoms_declared=tuple(draw(st.lists(days, max_size=2))),
        missed_checkins=tuple(draw(st.lists(days, max_size=6))),
        residence_risk=draw(st.sampled_from(list(RiskLevel))),
        prior_red_until=draw(st.none() | days),
    )


@st.composite
def rulesets(draw: st.DrawFn) -> RuleSet:
    if draw(st.booleans()):
        return RS
    quarantine_days = draw(st.integers(1, 21))
    return dataclasses.replace(
        RS,
        version="drawn",
        quarantine_days=quarantine_days,
        contact_release_needs_negative_test=draw(st.booleans()),
        release_test_window_days=draw(st.integers(0, quarantine_days)),
        secondary_contact_colour=draw(colours),
        secondary_contact_days=draw(st.integers(0, 21)),
        quarantine_colour=draw(colours),
        medium_risk_arrival_colour=draw(colours),
        medium_risk_arrival_days=draw(st.integers(0, 14)),
        high_risk_arrival_colour=draw(colours),
        high_risk_arrival_days=draw(st.integers(0, 21)),
        fever_threshold_celsius=draw(st.sampled_from([37.0, 37.3, 38.0])),
        fever_colour=draw(colours),
        symptom_colour=draw(colours),
        missed_checkins_colour=draw(colours),
        missed_checkins_threshold=draw(st.integers(0, 4)),
        missed_checkins_window_days=draw(st.integers(1, 10)),
        residence_medium_risk_colour=draw(colours),
        residence_high_risk_colour=draw(colours),
        red_to_green_normal_days=draw(st.integers(0, 21)),
    )


HORIZON = WINDOW + 150  # every finite interval ends well before this


@settings(max_examples=300, deadline=None)
@given(person_facts(), rulesets())
def test_it_matches_the_day_by_day_oracle_including_the_change_date(facts: PersonFacts, rs: RuleSet) -> None:
    result = evaluate(facts, rs)
    rank = oracle_rank(facts, rs, facts.today)
    assert RANK[result.colour] == rank
    expected_change = None
    for n in range((facts.today - D0).days + 1, HORIZON):
        if oracle_rank(facts, rs, day(n)) != rank:
            expected_change = day(n)
            break
    assert result.changes_on == expected_change


@settings(max_examples=300, deadline=None)
@given(person_facts(), rulesets())
def test_the_stated_change_date_is_exact(facts: PersonFacts, rs: RuleSet) -> None:
    result = evaluate(facts, rs)
    if result.changes_on is None:
        later = dataclasses.replace(facts, today=facts.today + timedelta(days=HORIZON))
        assert evaluate(later, rs).colour is result.colour
        return
    before = dataclasses.replace(facts, today=result.changes_on - timedelta(days=1))
    after = dataclasses.replace(facts, today=result.changes_on)
    assert evaluate(before, rs).colour is result.colour
    assert evaluate(after, rs).colour is not result.colour


@settings(max_examples=300, deadline=None)
@given(person_facts(), rulesets())
def test_every_colour_is_explained_and_every_reason_end_is_exact(facts: PersonFacts, rs: RuleSet) -> None:
    result = evaluate(facts, rs)
    assert evaluate(facts, rs) == result  # same facts, same result
    if result.colour is Colour.GREEN:
        assert result.reasons == ()
    else:
        assert result.reasons
        assert result.reasons[0].colour is result.colour
    for reason in result.reasons:
        assert reason.code in REASON_CODES
        assert RANK[reason.colour] <= RANK[result.colour]
        if reason.until is not None:
            assert reason.until > facts.today
            last = evaluate(dataclasses.replace(facts, today=reason.until - timedelta(days=1)), rs)
            gone = evaluate(dataclasses.replace(facts, today=reason.until), rs)
            assert reason.code in codes(last)
            assert reason.code not in codes(gone)


@settings(max_examples=100, deadline=None)
@given(person_facts())
def test_it_does_not_depend_on_the_order_of_facts(facts: PersonFacts) -> None:
    shuffled = dataclasses.replace(
        facts,
        arrivals=facts.arrivals[::-1],
        negative_tests=facts.negative_tests[::-1],
        temperatures=facts.temperatures[::-1],
        missed_checkins=facts.missed_checkins[::-1] + facts.missed_checkins,
        quarantine_stays=facts.quarantine_stays[::-1],
    )
    assert evaluate(shuffled, RS) == evaluate(facts, RS)


@settings(max_examples=100, deadline=None)
@given(person_facts(), rulesets())
def test_same_facts_give_the_same_result(facts: PersonFacts, rs: RuleSet) -> None:
    rebuilt = RuleSet.from_dict(json.loads(json.dumps(rs.to_dict())))
    assert evaluate(dataclasses.replace(facts), rebuilt) == evaluate(facts, rs) == evaluate(facts, rs)


# --------------------------------------------------------------------------- rule-set bounds, inclusive

DAY_BOUNDS = {
    "quarantine_days": (1, 60),
    "release_test_window_days": (0, 60),
    "secondary_contact_days": (0, 60),
    "medium_risk_arrival_days": (0, 60),
    "high_risk_arrival_days": (0, 60),
    "missed_checkins_threshold": (0, 60),
    "missed_checkins_window_days": (1, 60),
    "red_to_green_normal_days": (0, 60),
}


def _errors_of(**changes: object) -> list[tuple[str, str]]:
    data = {**RS.to_dict(), **changes}
    try:
        RuleSet.from_dict(data)
    except RuleSetError as exc:
        assert str(exc) == "; ".join(f"{name}: {message}" for name, message in exc.errors)
        return list(exc.errors)
    return []


@pytest.mark.parametrize("field", sorted(DAY_BOUNDS))
def test_day_counts_are_valid_at_both_bounds_and_not_beyond(field: str) -> None:
    low, high = DAY_BOUNDS[field]
    # release_test_window_days may not exceed quarantine_days: give it room at the top.
    room = {"quarantine_days": 60} if field == "release_test_window_days" else {}
    if field == "quarantine_days":
        room = {
            "release_test_window_days": 0
        }  # a one-day quarantine with the default 2-day window is refused
    assert _errors_of(**{field: low}, **room) == []
    assert _errors_of(**{field: high}, **room) == []
    message = f"must be a whole number from {low} to {high}"
    assert _errors_of(**{field: low - 1}, **room) == [(field, message)]
    assert _errors_of(**{field: high + 1}, **room) == [(field, message)]
    rs = RuleSet.from_dict({**RS.to_dict(), field: high, **room})
    assert getattr(rs, field) == high


def test_the_release_test_window_may_equal_the_quarantine_but_not_exceed_it() -> None:
    assert _errors_of(quarantine_days=5, release_test_window_days=5) == []
    assert _errors_of(quarantine_days=5, release_test_window_days=6) == [
        ("release_test_window_days", "must not exceed quarantine_days")
    ]


def test_the_fever_threshold_is_valid_from_35_to_42_inclusive() -> None:
    message = "must be a temperature from 35.0 to 42.0 °C"
    for ok in (35.0, 35, 42.0, 42, 37.3):
        assert _errors_of(fever_threshold_celsius=ok) == []
    for bad in (34.9, 42.1, -37.3):
        assert _errors_of(fever_threshold_celsius=bad) == [("fever_threshold_celsius", message)]
    with pytest.raises(RuleSetError) as caught:
        dataclasses.replace(RS, fever_threshold_celsius=True)
    assert caught.value.errors == (("fever_threshold_celsius", message),)


def test_the_version_is_a_non_empty_string_of_at_most_64_characters() -> None:
    message = "must be a non-empty string of at most 64 characters"
    assert _errors_of(version="v" * 64) == []
    assert _errors_of(version="v" * 65) == [("version", message)]
    assert _errors_of(version="") == [("version", message)]
    with pytest.raises(RuleSetError) as caught:
        dataclasses.replace(RS, version=7)
    assert caught.value.errors == (("version", message),)


def test_constructed_rule_sets_are_checked_like_loaded_ones() -> None:
    colours = ", ".join(sorted(c.value for c in Colour))
    with pytest.raises(RuleSetError) as caught:
        dataclasses.replace(
            RS,
            effective_from="2020-02-01",
            contact_release_needs_negative_test=1,
            fever_colour="red",
            quarantine_days=14.0,
        )
    assert caught.value.errors == (
        ("effective_from", "must be a date"),
        ("quarantine_days", "must be a whole number from 1 to 60"),
        ("contact_release_needs_negative_test", "must be true or false"),
        ("fever_colour", f"must be one of {colours}"),
    )


def test_loading_names_what_each_bad_value_should_be() -> None:
    colours = ", ".join(sorted(c.value for c in Colour))
    assert dict(
        _errors_of(
            version=3,
            effective_from=20200201,
            quarantine_days=True,
            contact_release_needs_negative_test="yes",
            fever_threshold_celsius="37.3",
            fever_colour="purple",
        )
    ) == {
        "version": "must be a string",
        "effective_from": "must be an ISO date string (YYYY-MM-DD)",
        "quarantine_days": "must be a whole number",
        "contact_release_needs_negative_test": "must be true or false",
        "fever_threshold_celsius": "must be a number",
        "fever_colour": f"must be one of {colours}",
    }
    assert _errors_of(effective_from="2020-02-30") == [("effective_from", "not an ISO date: '2020-02-30'")]
    assert _errors_of(fever_threshold_celsius=38) == []
    assert isinstance(
        RuleSet.from_dict({**RS.to_dict(), "fever_threshold_celsius": 38}).fever_threshold_celsius, float
    )
    missing = RS.to_dict()
    del missing["fever_colour"]
    with pytest.raises(RuleSetError) as caught:
        RuleSet.from_dict({**missing, "extra": 1})
    assert caught.value.errors == (("extra", "unknown field"), ("fever_colour", "missing"))

"""Classification on arrival through the service: the deciding rule, its action, versions, the code fact."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.arrivals import services
from apps.arrivals.choices import Handoff
from apps.arrivals.facts import arrival_facts
from apps.cases.choices import CaseStatus, Origin
from apps.cases.models import Case
from apps.codes.facts import PersonChunk
from apps.common.errors import ServiceError, ValidationFailed
from core import coderules
from tests.factories import COMMUNITY_A, DISTRICT_A

pytestmark = pytest.mark.django_db
ARRIVED = dt.datetime(2020, 3, 10, 2, 0, tzinfo=dt.UTC)


def _traveller(person_factory: Any, actor: Any, ref: str, **kw: Any) -> Any:
    traveller, _ = services.traveller_register(
        actor=actor,
        person=person_factory(actor=actor, area_code=COMMUNITY_A),
        source_ref=ref,
        transport="flight",
        arrived_at=kw.pop("arrived_at", ARRIVED),
        port_area_id=DISTRICT_A,
        destination_area_id=COMMUNITY_A,
        **kw,
    )
    return traveller


def test_from_abroad_the_rule_is_named_and_a_centralised_order_is_asked_for(
    officer_a: Any, person_factory: Any
) -> None:
    traveller = _traveller(person_factory, officer_a, "a", origin_kind="abroad", origin_country="IT")
    traveller = services.traveller_classify(actor=officer_a, traveller=traveller)
    assert (
        traveller.classification["rule"] == "abroad_14d_centralised"
        and traveller.classification["days"] == 14
    )
    # Handed to quarantine at once: a proposed order for the arrival, its note naming the deciding rule.
    from apps.quarantine.models import QuarantineOrder

    order = QuarantineOrder.objects.get(pk=traveller.quarantine_order_id)
    assert traveller.handoff == Handoff.SENT and traveller.handoff_request == {}
    assert (order.person_id, order.source, order.source_ref, order.kind) == (
        traveller.person_id, "arrival", f"arrival:{traveller.pk}", "centralised"
    )
    assert order.last_exposure == ARRIVED and order.note == traveller.classification["zh"]
    # Classifying again asks for nothing new: the same exposure is one order.
    again = services.traveller_classify(actor=officer_a, traveller=traveller)
    assert again.handoff == Handoff.SENT and QuarantineOrder.objects.filter(person=traveller.person).count() == 1


def test_medium_risk_goes_home_and_low_risk_only_to_follow_up(officer_a: Any, person_factory: Any) -> None:
    medium = _traveller(person_factory, officer_a, "m", origin_kind="domestic", origin_risk="medium")
    medium = services.traveller_classify(actor=officer_a, traveller=medium)
    from apps.quarantine.models import QuarantineOrder

    assert medium.classification["rule"] == "medium_risk_home"
    assert QuarantineOrder.objects.get(pk=medium.quarantine_order_id).kind == "home"
    low = _traveller(person_factory, officer_a, "l", origin_kind="province", origin_risk="low")
    low = services.traveller_classify(actor=officer_a, traveller=low)
    assert low.classification["outcome"] == "follow_up" and low.handoff == Handoff.NONE


def test_a_positive_traveller_opens_a_suspected_case_imported_from_abroad(
    officer_a: Any, person_factory: Any
) -> None:
    traveller = _traveller(person_factory, officer_a, "p", origin_kind="abroad")
    traveller = services.traveller_classify(actor=officer_a, traveller=traveller, positive=True)
    case = Case.objects.get(pk=traveller.classification["case_id"])
    assert (
        case.status == CaseStatus.SUSPECTED
        and case.origin == Origin.ABROAD
        and case.person_id == traveller.person_id
    )
    assert traveller.classification["rule"] == "positive_or_symptomatic" and traveller.handoff == Handoff.NONE


def test_a_new_version_applies_from_its_day_and_versions_are_immutable(
    officer_a: Any, person_factory: Any
) -> None:
    rules = [{"code": "april_all_home", "outcome": "home", "days": 7}]
    services.ruleset_save(actor=officer_a, version="2020-04", effective_from=dt.date(2020, 4, 1), rules=rules)
    with pytest.raises(ServiceError):
        services.ruleset_save(
            actor=officer_a, version="2020-04", effective_from=dt.date(2020, 4, 2), rules=rules
        )
    with pytest.raises(ValidationFailed):
        services.ruleset_save(
            actor=officer_a, version="bad", effective_from=dt.date(2020, 4, 2), rules=[{"code": "x"}]
        )
    march = _traveller(person_factory, officer_a, "march", origin_kind="abroad")
    april = _traveller(
        person_factory,
        officer_a,
        "april",
        origin_kind="abroad",
        arrived_at=dt.datetime(2020, 4, 1, 1, tzinfo=dt.UTC),
    )
    assert (
        services.traveller_classify(actor=officer_a, traveller=march).classification["version"]
        == "2020-02-default"
    )
    assert (
        services.traveller_classify(actor=officer_a, traveller=april).classification["rule"]
        == "april_all_home"
    )


def test_every_arrival_is_a_health_code_fact(officer_a: Any, person_factory: Any, settings: Any) -> None:
    abroad = _traveller(
        person_factory,
        officer_a,
        "f1",
        origin_kind="abroad",
        arrived_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=2),
    )
    medium = _traveller(
        person_factory,
        officer_a,
        "f2",
        origin_kind="domestic",
        origin_risk="medium",
        arrived_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=2),
    )
    found = arrival_facts(PersonChunk.of([abroad.person_id, medium.person_id]))
    assert found[abroad.person_id]["arrivals"][0].from_risk is coderules.RiskLevel.HIGH
    assert found[medium.person_id]["arrivals"][0].from_risk is coderules.RiskLevel.MEDIUM

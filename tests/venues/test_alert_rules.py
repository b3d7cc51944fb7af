"""Alert on what needs action: residents at their own community's gate, and one fever threshold for codes and
checkpoints."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.utils import timezone

from apps.codes.models import HealthCode
from apps.codes.services import code_for, declaration_submit, ruleset_create
from apps.epi.models import DistrictRisk
from apps.venues.models import Alert, Venue
from apps.venues.services import scans_ingest, venue_create
from core.coderules import DEFAULT_RULESET
from tests.factories import COMMUNITY_A, DISTRICT_A

pytestmark = pytest.mark.django_db

OTHER_COMMUNITY_A = "990101001002"  # same district and street, another community


@pytest.fixture
def guard(make_user: Any) -> Any:
    return make_user("checkpoint_operator", DISTRICT_A, username="guard")


def gate(officer: Any, area: str) -> Venue:
    return venue_create(
        actor=officer, data={"name": f"{area}卡口", "category": "community_gate", "area_code": area}
    )


def scan(venue: Venue, person: Any, **kw: Any) -> dict[str, Any]:
    return {
        "client_id": uuid.uuid4().hex,
        "venue": str(venue.ref),
        "person": person.pk,
        "scanned_at": timezone.now().isoformat(),
        "temperature": kw.pop("temperature", "36.5"),
        "colour": kw.pop("colour", "yellow"),
    }


@pytest.fixture
def high_risk_a() -> None:
    DistrictRisk.objects.create(
        area_id=DISTRICT_A,
        day=timezone.localdate(),
        level="high",
        reason_code="test",
        reason_zh="测试",
        reason_en="test",
        cumulative_cases=60,
        new_cases=5,
        clusters=1,
    )


def test_a_resident_yellow_only_for_living_in_a_high_risk_district_passes_the_home_gate_quietly(
    high_risk_a: None, guard: Any, officer_a: Any, person_factory: Any, api_of: Any
) -> None:
    resident = person_factory(actor=officer_a, area_code=COMMUNITY_A)
    code = code_for(resident)
    assert (code.colour, [r["code"] for r in code.reasons]) == ("yellow", ["residence_high_risk"])
    home, elsewhere = gate(officer_a, COMMUNITY_A), gate(officer_a, OTHER_COMMUNITY_A)
    result = scans_ingest(
        actor=guard,
        scans=[scan(home, resident), scan(home, resident), scan(elsewhere, resident)],
    )
    assert (result.accepted, result.alerts) == (3, 1)
    alerts = api_of(officer_a).get("/api/venues/alerts").json()["items"]
    assert [(a["kind"], a["venue_id"]) for a in alerts] == [("yellow_code", elsewhere.pk)]


def test_the_home_gate_still_alerts_on_fever_red_and_other_yellows(
    high_risk_a: None,
    guard: Any,
    officer_a: Any,
    person_factory: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    resident, arrival, red = (person_factory(actor=officer_a, area_code=COMMUNITY_A) for _ in range(3))
    with django_capture_on_commit_callbacks(execute=True):
        # Yellow for an arrival from a medium-risk area as well as for the residence: that needs an officer.
        declaration_submit(
            person=arrival, symptoms=False, arrived_on=timezone.localdate(), arrived_from_risk="medium"
        )
    code_for(resident)
    home = gate(officer_a, COMMUNITY_A)
    scans_ingest(
        actor=guard,
        scans=[
            scan(home, resident, temperature="38.0"),
            scan(home, arrival),
            scan(home, red, colour="red"),
        ],
    )
    kinds = sorted(Alert.objects.values_list("person_id", "kind"))
    assert kinds == sorted([(resident.pk, "fever"), (arrival.pk, "yellow_code"), (red.pk, "red_code")])


def test_a_yellow_of_unknown_cause_alerts_even_at_home(
    guard: Any, officer_a: Any, person_factory: Any
) -> None:
    p = person_factory(actor=officer_a, area_code=COMMUNITY_A)  # no code computed: its reasons are unknown
    assert not HealthCode.objects.filter(pk=p.pk).exists()
    assert scans_ingest(actor=guard, scans=[scan(gate(officer_a, COMMUNITY_A), p)]).alerts == 1


def test_checkpoint_fever_alerts_follow_the_code_rules_threshold(
    client: Any,
    guard: Any,
    officer_a: Any,
    make_user: Any,
    person_factory: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    p, q = person_factory(actor=officer_a), person_factory(actor=officer_a)
    home = gate(officer_a, COMMUNITY_A)
    # The default 37.3 °C: 37.1 is no fever for the alerts, as for the code.
    assert scans_ingest(actor=guard, scans=[scan(home, p, colour="green", temperature="37.1")]).alerts == 0
    params = {
        **DEFAULT_RULESET.to_dict(),
        "version": "strict-fever",
        "effective_from": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "fever_threshold_celsius": 37.0,
    }
    with django_capture_on_commit_callbacks(execute=True):
        ruleset_create(actor=make_user("commander", "990100"), params=params)
    with django_capture_on_commit_callbacks(execute=True):
        result = scans_ingest(actor=guard, scans=[scan(home, q, colour="green", temperature="37.1")])
    assert result.alerts == 1 and Alert.objects.get().kind == "fever"
    assert HealthCode.objects.get(pk=q.pk).colour == "yellow"  # the same threshold made the code yellow
    client.force_login(officer_a)
    page = client.get("/venues/scans/").content.decode()
    assert page.count('<td class="colour-red">37.1</td>') == 2  # the scan log marks fevers by the same rule

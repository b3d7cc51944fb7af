"""The inbound loop through the services: owners, evidence, quarantine hand-off, alerts, board, scope."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.arrivals import selectors, services
from apps.arrivals.choices import Handoff, Stage
from apps.arrivals.models import StageAlert, Traveller, TravellerEvent
from apps.common.errors import Forbidden, ServiceError, ValidationFailed
from core import arrivals_loop as loop
from tests.factories import COMMUNITY_A, COMMUNITY_B, DISTRICT_A, DISTRICT_B

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2020, 3, 10, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai
_refs = itertools.count(1)


@pytest.fixture
def port_op(make_user: Any) -> Any:
    return make_user("checkpoint_operator", DISTRICT_A)


@pytest.fixture
def owners(make_user: Any, port_op: Any) -> dict[str, Any]:
    return {
        "transport": port_op,
        "port": port_op,
        "transfer": make_user("district_officer", DISTRICT_A),
        "centralised": make_user("quarantine_manager", DISTRICT_A),
        "hospital": make_user("clinician", DISTRICT_A),
        "community": make_user("community_worker", COMMUNITY_A),
    }


def _traveller(person_factory: Any, actor: Any, *, destination: str = COMMUNITY_A, **kw: Any) -> Traveller:
    person = person_factory(actor=actor, area_code=destination)
    traveller, created = services.traveller_register(
        actor=actor,
        person=person,
        source_ref=f"test:{next(_refs)}",
        origin_kind=kw.pop("origin_kind", "abroad"),
        origin_country="IT",
        transport="flight",
        transport_no="CA940",
        arrived_at=kw.pop("arrived_at", T0),
        port_area_id=DISTRICT_A,
        destination_area_id=destination,
        now=T0,
        **kw,
    )
    assert created
    return traveller


def test_registration_is_idempotent_and_opens_transport_with_owner_and_deadline(
    officer_a: Any, person_factory: Any, settings: Any
) -> None:
    settings.TONGCHOU_ARRIVAL_STAGE_HOURS = {"transport": 3}
    traveller = _traveller(person_factory, officer_a)
    again, created = services.traveller_register(
        actor=officer_a,
        person=traveller.person,
        source_ref=traveller.source_ref,
        origin_kind="abroad",
        transport="flight",
        arrived_at=T0,
        port_area_id=DISTRICT_A,
        destination_area_id=COMMUNITY_A,
    )
    assert again.pk == traveller.pk and not created
    assert traveller.stage == Stage.TRANSPORT and traveller.stage_due_at == T0 + dt.timedelta(hours=3)
    assert (traveller.owner_role, traveller.owner_area_id) == ("checkpoint_operator", DISTRICT_A)


def test_the_whole_loop_by_its_owners_with_evidence(
    officer_a: Any, person_factory: Any, owners: Any, monkeypatch: Any
) -> None:
    traveller = _traveller(person_factory, officer_a)
    monkeypatch.setattr(services, "quarantine_stay_ok", lambda t, ref: ref == "order:7")
    steps = [
        ("port", {}),
        ("transfer", {}),
        ("centralised", {"vehicle": "浙A-12345", "receiving_site": "site:1"}),
        ("community", {"stay": "order:7"}),
        ("closed", {}),
    ]
    for to, evidence in steps:
        owner = owners[traveller.stage]
        traveller = services.traveller_advance(
            actor=owner, traveller=traveller, to=to, evidence=evidence, now=T0
        )
    assert traveller.stage == Stage.CLOSED and traveller.owner_role == "" and traveller.stage_due_at is None
    events = list(TravellerEvent.objects.filter(traveller=traveller).values_list("to_stage", flat=True))
    assert events == ["transport", "port", "transfer", "centralised", "community", "closed"]


def test_only_the_owner_closes_a_stage(
    officer_a: Any, officer_b: Any, person_factory: Any, make_user: Any
) -> None:
    traveller = _traveller(person_factory, officer_a)
    for outsider in (officer_a, officer_b, make_user("checkpoint_operator", DISTRICT_B)):
        with pytest.raises(Forbidden):
            services.traveller_advance(actor=outsider, traveller=traveller, to="port", now=T0)
    assert Traveller.objects.get(pk=traveller.pk).stage == Stage.TRANSPORT


def test_a_step_outside_the_table_is_refused(officer_a: Any, person_factory: Any, port_op: Any) -> None:
    traveller = _traveller(person_factory, officer_a)
    for to in ("centralised", "closed", "nowhere"):
        with pytest.raises(ServiceError) as refused:
            services.traveller_advance(actor=port_op, traveller=traveller, to=to, now=T0)
        assert refused.value.code == "step_not_allowed"


def test_a_transfer_needs_vehicle_and_site_and_quarantine_needs_a_real_stay(
    officer_a: Any, person_factory: Any, owners: Any
) -> None:
    traveller = _traveller(person_factory, officer_a)
    traveller = services.traveller_advance(actor=owners["transport"], traveller=traveller, to="port", now=T0)
    traveller = services.traveller_advance(actor=owners["port"], traveller=traveller, to="transfer", now=T0)
    with pytest.raises(ValidationFailed) as refused:
        services.traveller_advance(
            actor=owners["transfer"], traveller=traveller, to="centralised", evidence={"vehicle": "x"}
        )
    assert [d["field"] for d in refused.value.details] == ["receiving_site"]
    traveller = services.traveller_advance(
        actor=owners["transfer"],
        traveller=traveller,
        to="centralised",
        evidence={"vehicle": "x", "receiving_site": "s"},
        now=T0,
    )
    # Quarantine is not installed on this branch: no stay can be shown, the stage stays open.
    with pytest.raises(ValidationFailed) as refused:
        services.traveller_advance(
            actor=owners["centralised"], traveller=traveller, to="community", evidence={"stay": "order:1"}
        )
    assert refused.value.code == "evidence_invalid"


def test_without_quarantine_the_handoff_is_pending_and_replayed_when_it_lands(
    officer_a: Any, person_factory: Any, monkeypatch: Any
) -> None:
    installed = services.django_apps.is_installed
    monkeypatch.setattr(services.django_apps, "is_installed", lambda name: name != "apps.quarantine" and installed(name))
    traveller = _traveller(person_factory, officer_a)
    traveller = services.hand_to_quarantine(
        traveller=traveller, kind="centralised", actor=officer_a, policy_code="abroad-14"
    )
    assert traveller.handoff == Handoff.PENDING and traveller.handoff_request["kind"] == "centralised"
    assert services.replay_pending_handoffs() == 0  # still not installed

    calls: list[dict[str, Any]] = []

    def propose_order(**kwargs: Any) -> Any:
        calls.append(kwargs)
        if len(calls) > 1:
            raise ServiceError("duplicate_order", "already")
        return SimpleNamespace(pk=41)

    monkeypatch.setattr(services, "_propose_quarantine_order", propose_order)
    monkeypatch.setattr(services.django_apps, "is_installed", lambda name: True)
    assert services.replay_pending_handoffs() == 1
    traveller.refresh_from_db()
    assert (
        traveller.handoff == Handoff.SENT
        and traveller.quarantine_order_id == 41
        and traveller.handoff_request == {}
    )
    sent = calls[0]
    assert sent["source"] == "arrival" and sent["source_ref"] == f"arrival:{traveller.pk}"
    assert (
        sent["kind"] == "centralised" and sent["policy_code"] == "abroad-14" and sent["last_exposure"] == T0
    )
    assert sent["person"].pk == traveller.person_id and sent["actor"].pk == officer_a.pk
    # Asked again: quarantine answers duplicate_order, which is success for arrivals.
    again = services.hand_to_quarantine(traveller=traveller, kind="centralised")
    assert again.handoff == Handoff.SENT and again.quarantine_order_id == 41


def test_an_unknown_quarantine_kind_is_refused(officer_a: Any, person_factory: Any) -> None:
    with pytest.raises(ValidationFailed):
        services.hand_to_quarantine(traveller=_traveller(person_factory, officer_a), kind="hotel")


def test_overdue_alerts_go_to_the_owner_then_to_the_district_once_each(
    officer_a: Any, person_factory: Any, settings: Any
) -> None:
    settings.TONGCHOU_ARRIVAL_STAGE_HOURS = {"transport": 2}
    settings.TONGCHOU_ARRIVAL_ESCALATE_HOURS = 6
    traveller = _traveller(person_factory, officer_a, destination=COMMUNITY_A)
    assert services.raise_overdue_alerts(now=T0 + dt.timedelta(hours=1)) == 0
    assert services.raise_overdue_alerts(now=T0 + dt.timedelta(hours=3)) == 1
    assert services.raise_overdue_alerts(now=T0 + dt.timedelta(hours=4)) == 0
    assert services.raise_overdue_alerts(now=T0 + dt.timedelta(hours=9)) == 1
    alerts = list(
        StageAlert.objects.filter(traveller=traveller)
        .order_by("level")
        .values_list("level", "role", "area_id")
    )
    assert alerts == [(1, "checkpoint_operator", DISTRICT_A), (2, "district_officer", DISTRICT_A)]
    assert Traveller.objects.get(pk=traveller.pk).overdue_level == 2


def test_each_district_sees_its_own_travellers(officer_a: Any, officer_b: Any, person_factory: Any) -> None:
    mine = _traveller(person_factory, officer_a, destination=COMMUNITY_A)
    theirs = _traveller(person_factory, officer_b, destination=COMMUNITY_B)
    Traveller.objects.filter(pk=theirs.pk).update(port_area_id=DISTRICT_B)
    assert list(selectors.travellers_visible(user=officer_a)) == [mine]
    assert list(selectors.travellers_visible(user=officer_b)) == [theirs]
    assert selectors.loop_board(user=officer_b, now=T0).arrived == 1


def test_the_board_uses_a_bounded_number_of_queries(
    officer_a: Any, person_factory: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(5):
        _traveller(person_factory, officer_a)
    with django_assert_max_num_queries(5):
        board = selectors.loop_board(user=officer_a, now=T0 + dt.timedelta(days=1))
    assert board.arrived == 5 and board.reconciles() and board.overdue_by_stage[loop.Stage.TRANSPORT] == 5


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.sampled_from([s.value for s in Stage]), st.integers(0, 3)),
        max_size=25,
    )
)
def test_the_database_board_reconciles_after_random_events(
    officer_a: Any, person_factory: Any, owners: Any, events: Any
) -> None:
    Traveller.objects.all().delete()
    travellers: dict[int, Traveller] = {}
    evidence = {"transfer": {"vehicle": "v", "receiving_site": "s"}}
    for who, to, day in events:
        if who not in travellers:
            travellers[who] = _traveller(person_factory, officer_a, arrived_at=T0 + dt.timedelta(days=day))
            continue
        current = travellers[who]
        with contextlib.suppress(ServiceError):
            travellers[who] = services.traveller_advance(
                actor=owners.get(current.stage, officer_a),
                traveller=current,
                to=to,
                evidence=evidence.get(current.stage, {}),
                now=T0,
            )
    board = selectors.loop_board(user=officer_a, now=T0 + dt.timedelta(hours=5))
    assert board.reconciles() and board.arrived == len(travellers)
    for stage in loop.Stage:
        assert board.by_stage[stage] == sum(1 for t in travellers.values() if t.stage == stage.value)

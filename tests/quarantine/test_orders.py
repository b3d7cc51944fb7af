"""Orders: proposed by tracing or by hand, refused twice for one exposure, accepted (or changed) into a stay,
extended by a new exposure, never shortened; the code fact follows the stay and turns green on release."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from apps.accounts.models import User
from apps.cases import services as cases
from apps.cases.choices import FollowUpStatus
from apps.cases.models import Contact, FollowUp, LabResult
from apps.codes.facts import PersonChunk
from apps.codes.models import HealthCode
from apps.codes.services import codes_recompute
from apps.common.errors import Conflict, Forbidden, ServiceError, ValidationFailed
from apps.quarantine import services
from apps.quarantine.choices import OrderStatus, StayStatus
from apps.quarantine.facts import quarantine_facts
from apps.quarantine.models import QuarantineOrder, Stay
from core.coderules import QuarantineStay

pytestmark = pytest.mark.django_db


def _propose(
    person: Any, ref: str = "flight:CA981:2020-03-20", days_ago: float = 3, **kw: Any
) -> QuarantineOrder:
    return services.propose_order(
        person=person,
        source=kw.pop("source", "arrival"),
        source_ref=ref,
        last_exposure=timezone.now() - dt.timedelta(days=days_ago),
        **kw,
    )


def test_a_second_order_for_the_same_exposure_is_refused(person_a: Any) -> None:
    _propose(person_a)
    with pytest.raises(ServiceError) as caught:
        _propose(person_a)
    assert caught.value.code == "duplicate_order"
    assert QuarantineOrder.objects.count() == 1
    _propose(person_a, source="contact")  # another source of the same ref is another exposure


def test_the_policy_in_effect_on_the_exposure_day_is_chosen(person_a: Any) -> None:
    order = _propose(person_a)
    assert order.policy.code == "c7h3-2022"  # the latest centralised version (2022-06-28)
    assert _propose(person_a, "x", policy_code="c14-2020").policy.code == "c14-2020"
    with pytest.raises(ValidationFailed):
        _propose(person_a, "y", policy_code="h14-2020")  # a home policy for a centralised order


@pytest.mark.parametrize(
    "kw",
    [{"source": "carrier pigeon"}, {"kind": "hotel"}, {"days_ago": -1}],
)
def test_invalid_orders_are_refused(person_a: Any, kw: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed):
        _propose(person_a, **kw)


def test_accepting_starts_a_waiting_stay_with_the_planned_end_from_the_local_exposure_day(
    person_a: Any, officer_a: User
) -> None:
    order = _propose(person_a, days_ago=3, policy_code="c14-2020")
    stay = services.accept_order(actor=officer_a, order=order)
    exposure_day = timezone.localdate(order.last_exposure)
    assert stay.status == StayStatus.WAITING
    assert stay.quarantine_end == stay.planned_end == exposure_day + dt.timedelta(days=14)
    order.refresh_from_db()
    assert (order.status, order.stay_id, order.decided_by_id) == (OrderStatus.ACCEPTED, stay.pk, officer_a.pk)
    with pytest.raises(Conflict):
        services.accept_order(actor=officer_a, order=order)


def test_the_officer_may_change_the_order_when_accepting(person_a: Any, officer_a: User) -> None:
    order = _propose(person_a, policy_code="c14-2020")
    stay = services.accept_order(actor=officer_a, order=order, kind="home", note="elderly, lives alone")
    assert (stay.kind, stay.status, stay.policy.code) == ("home", StayStatus.ACTIVE, "h14-2020")


def test_an_officer_of_another_district_cannot_accept(person_a: Any, officer_b: User) -> None:
    with pytest.raises(Forbidden):
        services.accept_order(actor=officer_b, order=_propose(person_a))


def test_a_new_exposure_extends_the_stay_and_an_older_one_never_shortens_it(
    person_a: Any, officer_a: User, make_stay: Callable[..., Stay]
) -> None:
    stay = make_stay(person_a, days_ago=5, policy_code="c14-2020")
    end = stay.planned_end
    later = _propose(person_a, "contact:later", days_ago=1)
    stay.refresh_from_db()
    assert stay.planned_end == end + dt.timedelta(days=4)
    assert later.status == OrderStatus.ACCEPTED and later.stay_id == stay.pk
    _propose(person_a, "contact:earlier", days_ago=9)
    stay.refresh_from_db()
    assert stay.planned_end == end + dt.timedelta(days=4)
    assert stay.events.filter(kind="extend").count() == 1


def test_an_exposure_whose_period_is_over_is_not_a_new_stay(person_a: Any, officer_a: User) -> None:
    with pytest.raises(Conflict):
        services.accept_order(actor=officer_a, order=_propose(person_a, days_ago=20, policy_code="c14-2020"))


def test_rejecting_needs_a_reason(person_a: Any, officer_a: User) -> None:
    order = _propose(person_a)
    with pytest.raises(ValidationFailed):
        services.reject_order(actor=officer_a, order=order, note="")
    assert (
        services.reject_order(actor=officer_a, order=order, note="not a contact").status
        == OrderStatus.REJECTED
    )


def test_confirming_a_contact_proposes_an_order_at_once_and_the_stay_carries_the_follow_up(
    person_factory: Any, officer_a: User, epi: User
) -> None:
    infected, contact_person = person_factory(actor=officer_a), person_factory(actor=officer_a)
    case = cases.case_report(actor=epi, person=infected, status="suspected")
    exposed = timezone.now() - dt.timedelta(days=2)
    contact = Contact.objects.create(
        case=case, person=contact_person, degree=1, first_exposed_at=exposed, last_exposed_at=exposed
    )
    assert not QuarantineOrder.objects.exists()  # a suggestion is not an order
    cases.contact_decide(actor=epi, contact=contact, confirm=True)
    order = QuarantineOrder.objects.get(person=contact_person)
    assert (order.status, order.source, order.source_ref, order.kind) == (
        OrderStatus.PROPOSED,
        "contact",
        f"contact:{contact.pk}",
        "centralised",
    )
    assert order.last_exposure == exposed
    stay = services.accept_order(actor=officer_a, order=order)
    follow_up = FollowUp.objects.get(contact=contact)
    assert stay.follow_up_id == follow_up.pk
    services.to_hospital(actor=officer_a, stay=stay, reason="fever")
    follow_up.refresh_from_db()
    assert (
        follow_up.status == FollowUpStatus.CLOSED and follow_up.close_reason
    )  # closed early, with the reason


def test_the_code_fact_is_the_stay_with_its_end_on_my_code(
    person_a: Any, make_stay: Callable[..., Stay], django_assert_max_num_queries: Any
) -> None:
    stay = make_stay(person_a, days_ago=3, policy_code="c14-2020")
    with django_assert_max_num_queries(1):
        facts = quarantine_facts(PersonChunk([(person_a.pk, person_a.area_id)]))
    assert facts[person_a.pk]["quarantine_stays"] == (
        QuarantineStay(start=stay.start_day, planned_end=stay.quarantine_end, released_on=None),
    )
    codes_recompute(person_ids=[person_a.pk])
    code = HealthCode.objects.get(person=person_a)
    assert code.colour == "red"
    reason = next(r for r in code.reasons if r["code"] == "in_quarantine")
    assert reason["until"] == stay.quarantine_end.isoformat()


def test_the_code_stays_red_past_the_end_until_release_then_turns_green(
    person_a: Any, officer_a: User, make_stay: Callable[..., Stay]
) -> None:
    stay = make_stay(person_a, days_ago=14, started_days_ago=1, kind="home", policy_code="h14-2020")
    assert stay.quarantine_end == timezone.localdate()
    codes_recompute(person_ids=[person_a.pk])
    assert HealthCode.objects.get(person=person_a).colour == "red"  # the end is today, not yet released
    at = timezone.now() - dt.timedelta(days=1)
    LabResult.objects.create(
        key="n", lab="t", sample_id="n", person=person_a, sampled_at=at, result="negative", created_at=at
    )
    services.release(actor=officer_a, stay=stay)
    codes_recompute(person_ids=[person_a.pk])
    assert HealthCode.objects.get(person=person_a).colour == "green"


def test_release_is_refused_while_the_rule_does_not_hold(
    person_a: Any, officer_a: User, make_stay: Callable[..., Stay]
) -> None:
    stay = make_stay(person_a, days_ago=3, policy_code="c14-2020")
    services.allocate(actor=officer_a, stays=[stay], room=_free_room())
    with pytest.raises(Conflict) as caught:
        services.release(actor=officer_a, stay=stay)
    assert caught.value.code == "release_rule"
    reasons = {d.get("reason") for d in caught.value.details}
    assert {"before_end", "final_test_missing", "tests_missing"} <= reasons


def _free_room() -> Any:
    from apps.quarantine.models import Room, Site

    site = Site.objects.create(name="h", area_id="990101")
    return Room.objects.create(site=site, number="1", floor=1)


def test_early_release_needs_a_second_person(
    person_a: Any, officer_a: User, make_stay: Callable[..., Stay], make_user: Callable[..., User]
) -> None:
    stay = make_stay(person_a, days_ago=3, kind="home", policy_code="h14-2020")
    ask = services.early_release_request(actor=officer_a, stay=stay, reason="contact was misjudged")
    with pytest.raises(Forbidden):
        services.early_release_decide(actor=officer_a, ask=ask, approve=True)
    with pytest.raises(Conflict):
        services.early_release_request(actor=officer_a, stay=stay, reason="asked a second time")
    second = make_user("district_officer", "990101", username="second")
    services.early_release_decide(actor=second, ask=ask, approve=True)
    stay.refresh_from_db()
    assert stay.status == StayStatus.RELEASED_EARLY and stay.released_on == timezone.localdate()


def test_a_policy_stored_as_data_is_checked_by_core(city: Any) -> None:
    from django.core.exceptions import ValidationError

    from apps.quarantine.models import QuarantinePolicy

    phases = [{"kind": "home_monitoring", "days": 7}, {"kind": "centralised", "days": 14}]
    bad = QuarantinePolicy(code="bad", kind="centralised", effective_from=dt.date(2020, 5, 1), phases=phases)
    with pytest.raises(ValidationError):
        bad.clean()
    good = QuarantinePolicy(
        code="c10", kind="centralised", effective_from=dt.date(2020, 5, 1), phases=phases[1:]
    )
    good.clean()
    assert good.core().quarantine_end(dt.date(2020, 5, 1)) == dt.date(2020, 5, 15)

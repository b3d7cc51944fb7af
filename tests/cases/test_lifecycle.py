"""The case life cycle: every allowed transition succeeds with its timestamps and actor, every other fails."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from apps.cases import lifecycle, services
from apps.cases.choices import CaseStatus
from apps.cases.models import Case, CaseEvent
from apps.common.errors import Conflict, Forbidden, ValidationFailed

# A path from a starting status to each status, so any transition can be tried from its source.
PATHS: dict[str, list[str]] = {
    CaseStatus.FEVER: [],
    CaseStatus.SUSPECTED: [],
    CaseStatus.ASYMPTOMATIC: [CaseStatus.ASYMPTOMATIC],
    CaseStatus.CONFIRMED: [CaseStatus.CONFIRMED],
    CaseStatus.HOSPITALISED: [CaseStatus.CONFIRMED, CaseStatus.HOSPITALISED],
    CaseStatus.EXCLUDED: [CaseStatus.EXCLUDED],
    CaseStatus.RECOVERED: [CaseStatus.CONFIRMED, CaseStatus.HOSPITALISED, CaseStatus.RECOVERED],
    CaseStatus.DIED: [CaseStatus.CONFIRMED, CaseStatus.HOSPITALISED, CaseStatus.DIED],
}


def _case_in(status: str, make_case: Any, person: Any, epi: Any) -> Case:
    start = CaseStatus.FEVER if status == CaseStatus.FEVER else CaseStatus.SUSPECTED
    case = make_case(person, status=start)
    for step in PATHS[status]:
        case = services.case_transition(actor=epi, case=case, to=step)
    assert case.status == status
    return case


@pytest.mark.django_db
@pytest.mark.parametrize(("frm", "to"), sorted(lifecycle.TRANSITIONS))
def test_each_allowed_transition_succeeds_with_timestamp_and_actor(
    frm: str, to: str, make_case: Any, person_a: Any, epi: Any
) -> None:
    case = _case_in(frm, make_case, person_a, epi)
    moved = services.case_transition(actor=epi, case=case, to=to, note="step")
    assert moved.status == to
    event = CaseEvent.objects.filter(case=case).last()
    assert (event.from_status, event.to_status, event.actor, event.note) == (frm, to, epi, "step")
    for field in lifecycle.TRANSITIONS[(frm, to)]:
        assert getattr(moved, field) is not None, field


ALL = list(CaseStatus.values)
FORBIDDEN = [(a, b) for a, b in itertools.product(ALL, ALL) if (a, b) not in lifecycle.TRANSITIONS]


@pytest.mark.django_db
@pytest.mark.parametrize(("frm", "to"), FORBIDDEN)
def test_each_transition_outside_the_table_is_refused(
    frm: str, to: str, make_case: Any, person_a: Any, epi: Any
) -> None:
    case = _case_in(frm, make_case, person_a, epi)
    events = CaseEvent.objects.filter(case=case).count()
    with pytest.raises(Conflict) as err:
        services.case_transition(actor=epi, case=case, to=to)
    assert err.value.code == "transition_not_allowed"
    assert Case.objects.get(pk=case.pk).status == frm
    assert CaseEvent.objects.filter(case=case).count() == events


@pytest.mark.django_db
def test_a_case_starts_only_as_fever_report_or_suspected(person_a: Any, epi: Any) -> None:
    with pytest.raises(ValidationFailed):
        services.case_report(actor=epi, person=person_a, status=CaseStatus.CONFIRMED)


@pytest.mark.django_db
def test_a_person_has_one_open_case_but_may_have_another_after_closing(
    make_case: Any, person_a: Any, epi: Any
) -> None:
    case = make_case(person_a)
    with pytest.raises(Conflict):
        make_case(person_a)
    services.case_transition(actor=epi, case=case, to=CaseStatus.EXCLUDED)
    assert make_case(person_a).pk != case.pk


@pytest.mark.django_db
def test_an_officer_of_another_district_cannot_report_or_move_a_case(
    person_a: Any, epi: Any, epi_b: Any, make_case: Any
) -> None:
    with pytest.raises(Forbidden):
        services.case_report(actor=epi_b, person=person_a)
    case = make_case(person_a)
    with pytest.raises(Forbidden):
        services.case_transition(actor=epi_b, case=case, to=CaseStatus.CONFIRMED)


@pytest.mark.django_db
def test_the_four_earlies_dates_are_kept_once_stamped(make_case: Any, person_a: Any, epi: Any) -> None:
    case = make_case(person_a, status=CaseStatus.FEVER, onset_date="2020-02-01")
    first_visit = case.first_visit_at
    case = services.case_transition(actor=epi, case=case, to=CaseStatus.SUSPECTED)
    reported = case.reported_at
    case = services.case_transition(actor=epi, case=case, to=CaseStatus.CONFIRMED)
    assert case.reported_at == reported and case.first_visit_at == first_visit
    assert case.confirmed_at is not None and case.lab_confirmed_at is not None
    case = services.case_transition(actor=epi, case=case, to=CaseStatus.HOSPITALISED, hospital="金银潭")
    assert case.isolated_at == case.admitted_at and case.hospital == "金银潭"


@pytest.mark.django_db
def test_future_dates_are_refused(make_case: Any, person_a: Any, epi: Any) -> None:
    case = make_case(person_a)
    with pytest.raises(ValidationFailed) as err:
        services.case_update(actor=epi, case=case, data={"onset_date": "2999-01-01"})
    assert err.value.code == "future_date"


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["2020-02-30", "yesterday", "2020-13-01"])
def test_impossible_dates_are_a_validation_error_not_a_crash(
    make_case: Any, person_a: Any, epi: Any, value: str
) -> None:
    case = make_case(person_a)
    with pytest.raises(ValidationFailed) as err:
        services.case_update(actor=epi, case=case, data={"onset_date": value, "isolated_at": value})
    assert err.value.code == "invalid_date"


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_triggers_no_recompute_later(
    city: Any, person_factory: Any, officer_a: Any, epi: Any, monkeypatch: Any
) -> None:
    from django.db import transaction

    from apps.cases import hooks

    recomputed: list[list[int]] = []
    monkeypatch.setattr(hooks, "codes_recompute", recomputed.append)
    person = person_factory(actor=officer_a)
    other = person_factory(actor=officer_a)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.case_report(actor=epi, person=person)
        raise RuntimeError("rolled back")
    services.case_report(actor=epi, person=other)
    assert recomputed == [[other.pk]]


@pytest.mark.django_db
def test_isolation_starts_with_quarantine_when_it_comes_before_admission(
    make_case: Any, person_a: Any, epi: Any, api_of: Any
) -> None:
    import datetime as dt

    from django.utils import timezone

    base = (timezone.now() - dt.timedelta(days=10)).replace(microsecond=0)  # in the past, whatever the hour
    case = make_case(person_a, at=base)
    quarantined = base + dt.timedelta(hours=2)
    case = services.case_update(actor=epi, case=case, data={"quarantined_at": quarantined.isoformat()})
    assert case.isolated_at == quarantined
    case = services.case_transition(
        actor=epi, case=case, to=CaseStatus.CONFIRMED, at=base + dt.timedelta(days=2)
    )
    case = services.case_transition(
        actor=epi, case=case, to=CaseStatus.HOSPITALISED, at=base + dt.timedelta(days=3)
    )
    assert case.admitted_at == base + dt.timedelta(days=3)
    body = api_of(epi).get(f"/api/cases/{case.pk}").json()
    assert dt.datetime.fromisoformat(body["isolated_at"]) == quarantined  # not the admission
    assert (
        body["delays"]["report_to_isolation"] < 1
    )  # 早隔离 measured to the quarantine, hours after the report
    # A quarantine recorded later but dated earlier moves the start earlier; isolation is never set by hand.
    earlier = base + dt.timedelta(hours=1)
    case = services.case_update(actor=epi, case=case, data={"quarantined_at": earlier.isoformat()})
    assert Case.objects.get(pk=case.pk).isolated_at == earlier
    with pytest.raises(ValidationFailed) as err:
        services.case_update(actor=epi, case=case, data={"isolated_at": base.isoformat()})
    assert err.value.code == "derived_field"


@pytest.mark.django_db
def test_without_quarantine_isolation_starts_at_admission(make_case: Any, person_a: Any, epi: Any) -> None:
    case = make_case(person_a)
    case = services.case_transition(actor=epi, case=case, to=CaseStatus.CONFIRMED)
    assert case.isolated_at is None
    case = services.case_transition(actor=epi, case=case, to=CaseStatus.HOSPITALISED)
    assert case.isolated_at == case.admitted_at is not None

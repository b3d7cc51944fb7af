"""Tracing from the database equals the brute-force oracle over every scan, household and manifest."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from apps.cases import services, tracing
from apps.cases.choices import CaseStatus, ContactStatus
from apps.cases.models import Case, Contact, FollowUp, TransmissionLink, Trip, TripPassenger
from apps.people.models import Household, Person
from apps.venues.models import Scan, Venue
from core import tracing as core
from tests.factories import COMMUNITY_A
from tests.oracles import tracing as oracle

T0 = dt.datetime(2020, 2, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def town(person_factory: Any, officer_a: Any) -> dict[str, Any]:
    """30 persons in 10 households, 4 venues, random scans over 5 days, one flight and one train."""
    rng = random.Random(7)
    persons = [
        person_factory(actor=officer_a, area_code=COMMUNITY_A, household_ref=f"H{i % 10}") for i in range(30)
    ]
    venues = [
        Venue.objects.create(name=f"V{i}", category="supermarket", area_id=COMMUNITY_A) for i in range(4)
    ]
    scans = []
    for n in range(400):
        at = T0 + dt.timedelta(minutes=rng.randrange(0, 5 * 24 * 60, 7))
        scans.append(
            Scan(person=rng.choice(persons), venue=rng.choice(venues), scanned_at=at, client_id=f"s{n}")
        )
    # Edge cases: exactly 30 minutes apart (a contact), 30 min 1 s apart (not), the same person twice.
    p0, p1, p2 = persons[0], persons[1], persons[2]
    edge = T0 + dt.timedelta(days=2)
    scans += [
        Scan(person=p0, venue=venues[0], scanned_at=edge, client_id="e0"),
        Scan(person=p1, venue=venues[0], scanned_at=edge + dt.timedelta(minutes=30), client_id="e1"),
        Scan(
            person=p2, venue=venues[0], scanned_at=edge - dt.timedelta(minutes=30, seconds=1), client_id="e2"
        ),
        Scan(person=p1, venue=venues[0], scanned_at=edge + dt.timedelta(minutes=5), client_id="e3"),
    ]
    Scan.objects.bulk_create(scans)
    flight = Trip.objects.create(mode="flight", number="CA123", departs_at=T0 + dt.timedelta(days=1))
    train = Trip.objects.create(mode="train", number="G71", departs_at=T0 + dt.timedelta(days=3))
    for i, person in enumerate(persons[:12]):
        TripPassenger.objects.create(trip=flight, person=person, seat=f"{10 + i}{'ABCDEF'[i % 6]}")
    for i, person in enumerate(persons[10:20]):
        TripPassenger.objects.create(trip=train, person=person, carriage=f"0{i % 3}")
    return {"persons": persons, "venues": venues}


def _oracle(case: Case, params: core.TracingParams) -> tuple[list[Any], list[Any]]:
    """The independent oracle (tests/oracles/tracing.py) over every row of the database, read here with
    plain queries: no code of apps.cases.tracing (load_around, traced_case) and none of core.tracing."""
    rows = [
        (pk, p, v, int(t.timestamp()))
        for pk, p, v, t in Scan.objects.values_list("pk", "person_id", "venue_id", "scanned_at")
    ]
    households = dict(Person.objects.filter(household__isnull=False).values_list("pk", "household_id"))
    manifest = []
    for trip, person, seat, carriage, mode, departs in TripPassenger.objects.values_list(
        "trip_id", "person_id", "seat", "carriage", "trip__mode", "trip__departs_at"
    ):
        if mode == "flight":  # the seat row is the seat's number: "12C" sits in row 12
            position: int | str = int(seat.rstrip("ABCDEFGHJK"))
        else:  # carriages "03" and "3" are the same carriage
            position = str(int(carriage))
        manifest.append((str(trip), person, mode, position, int(departs.timestamp())))
    shanghai = ZoneInfo("Asia/Shanghai")
    onset = (
        None
        if case.onset_date is None
        else int(dt.datetime(*case.onset_date.timetuple()[:3], tzinfo=shanghai).timestamp())
    )

    def epoch(at: dt.datetime | None) -> int | None:
        return None if at is None else int(at.timestamp())

    plain_case = {
        "person": case.person_id,
        "onset": onset,
        "sampled": epoch(case.sampled_at),
        "reported": epoch(case.reported_at),
        "isolated": epoch(case.isolated_at),
    }
    plain_params = {
        "now": params.now,
        "window": params.window_seconds,
        "pre_onset": params.pre_onset_seconds,
        "rows": params.flight_row_distance,
    }
    close = oracle.close(plain_case, rows, households, manifest, plain_params)
    secondary = oracle.secondary(plain_case, rows, households, manifest, plain_params)
    return close, secondary


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "onset_days", "isolated_days"), [(0, 2, 4), (1, 3, None), (5, None, None), (12, 1, 2)]
)
def test_tracing_from_the_database_equals_the_oracle(
    django_assert_max_num_queries: Any,
    town: dict[str, Any],
    epi: Any,
    who: int,
    onset_days: int | None,
    isolated_days: int | None,
) -> None:
    person = town["persons"][who]
    case = services.case_report(actor=epi, person=person, status=CaseStatus.SUSPECTED)
    # No onset and no report: the window starts at the case's first scan (a case with no onset date).
    case.onset_date = None if onset_days is None else (T0 + dt.timedelta(days=onset_days)).date()
    case.reported_at = None if onset_days is None else case.reported_at
    case.isolated_at = None if isolated_days is None else T0 + dt.timedelta(days=isolated_days)
    case.save()
    params = core.TracingParams(now=int((T0 + dt.timedelta(days=6)).timestamp()))
    with django_assert_max_num_queries(16):  # batched: not one query per contact or per venue
        _, close, secondary = tracing.find_contacts(case, params)
    expected_close, expected_secondary = _oracle(case, params)
    assert oracle.plain(close) == expected_close
    assert oracle.plain(secondary) == expected_secondary
    # The town gives every case evidence of all four kinds, so the comparison covers every kind's fields.
    assert {e.kind.value for c in [*close, *secondary] for e in c.evidence} == {
        "venue",
        "household",
        "flight",
        "train",
    }
    assert close, "the generated town should give this case contacts"


@pytest.mark.django_db
def test_trace_case_stores_what_the_oracle_finds_with_scans_in_day_partitions(
    town: dict[str, Any], epi: Any
) -> None:
    """On PostgreSQL the town's scans move into their local days' partitions, which trace_case's loads prune
    (a no-op on SQLite); the stored suggestions are still exactly the oracle's contacts."""
    from apps.venues import partitions

    partitions.ensure_days((T0 - dt.timedelta(days=1)).date(), (T0 + dt.timedelta(days=6)).date())
    case = services.case_report(actor=epi, person=town["persons"][3], status=CaseStatus.SUSPECTED)
    case.onset_date = (T0 + dt.timedelta(days=2)).date()
    case.save()
    now = T0 + dt.timedelta(days=6)
    tracing.trace_case(case, now=now)
    close, secondary = _oracle(case, core.TracingParams(now=int(now.timestamp())))
    stored = {
        c.person_id: (c.degree, c.evidence_count, int(c.first_exposed_at.timestamp()))
        for c in Contact.objects.filter(case=case)
    }
    assert close and stored == {
        person: (degree, len(evidence), first) for person, degree, first, evidence in [*close, *secondary]
    }


@pytest.mark.django_db
@pytest.mark.parametrize("collision", ["case_person_id", "close_contact_id"])
def test_households_are_traced_whatever_the_person_and_household_ids(
    person_factory: Any, officer_a: Any, epi: Any, collision: str
) -> None:
    """Person ids and household ids are different key spaces. Force the two collisions that once hid a
    close contact's household (and so its housemates as secondary contacts) depending on which ids the
    database happened to hand out: the close contact's household id equal to the case's person id, and
    the close contact's person id equal to the case's household id."""
    case_person, close_person, housemate = (
        person_factory(actor=officer_a, area_code=COMMUNITY_A) for _ in range(3)
    )
    far = 10**9 + case_person.pk  # an id no person or household of this test has
    if collision == "case_person_id":
        close_household_pk = case_person.pk
    else:
        close_household_pk = far + 1
        case_household = Household.objects.create(pk=close_person.pk, ref="HC", area_id=COMMUNITY_A)
        Person.objects.filter(pk=case_person.pk).update(household=case_household)
    close_household = Household.objects.create(pk=close_household_pk, ref="HX", area_id=COMMUNITY_A)
    Person.objects.filter(pk__in=[close_person.pk, housemate.pk]).update(household=close_household)
    venue = Venue.objects.create(name="V", category="supermarket", area_id=COMMUNITY_A)
    at = T0 + dt.timedelta(days=2)
    Scan.objects.bulk_create(
        [
            Scan(person=case_person, venue=venue, scanned_at=at, client_id="c"),
            Scan(person=close_person, venue=venue, scanned_at=at + dt.timedelta(minutes=10), client_id="x"),
        ]
    )
    case = services.case_report(
        actor=epi,
        person=case_person,
        status=CaseStatus.SUSPECTED,
        onset_date=(T0 + dt.timedelta(days=3)).date(),
    )
    params = core.TracingParams(now=int((T0 + dt.timedelta(days=6)).timestamp()))
    _, close, secondary = tracing.find_contacts(case, params)
    assert [c.person_id for c in close] == [close_person.pk]
    assert [(c.person_id, [e.kind for e in c.evidence]) for c in secondary] == [
        (housemate.pk, [core.ContactKind.HOUSEHOLD])
    ]
    assert (oracle.plain(close), oracle.plain(secondary)) == _oracle(case, params)


@pytest.mark.django_db
def test_the_window_edge_is_a_contact_and_one_second_more_is_not(town: dict[str, Any], epi: Any) -> None:
    p0, p1, p2 = town["persons"][:3]
    case = services.case_report(
        actor=epi, person=p0, status=CaseStatus.SUSPECTED, onset_date=(T0 + dt.timedelta(days=3)).date()
    )
    params = core.TracingParams(now=int((T0 + dt.timedelta(days=6)).timestamp()))
    _, close, _ = tracing.find_contacts(case, params)
    edge = int((T0 + dt.timedelta(days=2)).timestamp())
    venue = town["venues"][0].pk
    p1_items = [
        e
        for c in close
        if c.person_id == p1.pk
        for e in c.evidence
        if e.source_scan_time == edge and e.venue_id == venue
    ]
    assert sorted(e.overlap_seconds for e in p1_items) == [0, 25 * 60]  # scanned twice: two evidence items
    p2_items = [e for c in close if c.person_id == p2.pk for e in c.evidence if e.source_scan_time == edge]
    assert p2_items == []


@pytest.mark.django_db
def test_confirming_a_suggested_contact_opens_follow_up_and_links_cases(
    town: dict[str, Any], epi: Any
) -> None:
    p0, p1 = town["persons"][:2]
    case = services.case_report(
        actor=epi, person=p0, status=CaseStatus.SUSPECTED, onset_date=(T0 + dt.timedelta(days=3)).date()
    )
    result = tracing.trace_case(case, now=T0 + dt.timedelta(days=6))
    assert result["close"] > 0
    other = services.case_report(actor=epi, person=p1, status=CaseStatus.SUSPECTED)
    contact = Contact.objects.get(case=case, person=p1)
    assert contact.status == ContactStatus.SUGGESTED and contact.evidence
    services.contact_decide(actor=epi, contact=contact, confirm=True, note="流调确认")
    follow = FollowUp.objects.get(contact=contact)
    assert follow.until == timezone.localtime(contact.last_exposed_at).date() + dt.timedelta(days=14)
    assert TransmissionLink.objects.filter(infector=case, infectee=other, source="contact").exists()
    # Re-tracing keeps the decision.
    tracing.trace_case(case, now=T0 + dt.timedelta(days=6))
    assert Contact.objects.get(pk=contact.pk).status == ContactStatus.CONFIRMED


@pytest.mark.django_db
def test_an_epidemiologist_of_another_district_cannot_decide(
    town: dict[str, Any], epi: Any, epi_b: Any
) -> None:
    from apps.common.errors import Forbidden

    case = services.case_report(
        actor=epi,
        person=town["persons"][0],
        status=CaseStatus.SUSPECTED,
        onset_date=(T0 + dt.timedelta(days=3)).date(),
    )
    tracing.trace_case(case, now=T0 + dt.timedelta(days=6))
    contact = Contact.objects.filter(case=case).first()
    with pytest.raises(Forbidden):
        services.contact_decide(actor=epi_b, contact=contact, confirm=True)


@pytest.mark.django_db
def test_a_confirmed_contact_is_followed_up_through_the_api(
    town: dict[str, Any], epi: Any, epi_b: Any, api_of: Any
) -> None:
    case = services.case_report(
        actor=epi,
        person=town["persons"][0],
        status=CaseStatus.SUSPECTED,
        onset_date=(T0 + dt.timedelta(days=3)).date(),
    )
    tracing.trace_case(case, now=T0 + dt.timedelta(days=6))
    contact = Contact.objects.filter(case=case, degree=1).first()
    services.contact_decide(actor=epi, contact=contact, confirm=True)
    client = api_of(epi)
    rows = client.get("/api/cases/followups").json()["items"]
    assert [r["person_id"] for r in rows] == [contact.person_id]
    assert api_of(epi_b).get("/api/cases/followups").json()["items"] == []
    url = f"/api/cases/followups/{rows[0]['id']}/entries"
    assert client.post(url, {"temperature": 51}, content_type="application/json").status_code == 422
    response = client.post(
        url, {"temperature": 36.6, "note": "电话随访", "close": True}, content_type="application/json"
    )
    assert response.status_code == 201 and response.json()["temperature"] == 36.6
    assert FollowUp.objects.get(contact=contact).status == "closed"


def _confirmed_follow_up(town: dict[str, Any], epi: Any, until: dt.date | None = None) -> FollowUp:
    """A traced contact of a suspected case, confirmed: its follow-up (ending on `until` when given)."""
    case = services.case_report(
        actor=epi,
        person=town["persons"][0],
        status=CaseStatus.SUSPECTED,
        onset_date=(T0 + dt.timedelta(days=3)).date(),
    )
    tracing.trace_case(case, now=T0 + dt.timedelta(days=6))
    contact = Contact.objects.filter(case=case, degree=1).first()
    services.contact_decide(actor=epi, contact=contact, confirm=True)
    follow = FollowUp.objects.get(contact=contact)
    if until is not None:
        FollowUp.objects.filter(pk=follow.pk).update(until=until)
        follow.refresh_from_db()
    return follow


@pytest.mark.django_db
def test_closing_a_follow_up_before_its_end_needs_a_reason_and_shows_as_early(
    town: dict[str, Any], epi: Any, api_of: Any
) -> None:
    follow = _confirmed_follow_up(town, epi, until=timezone.localdate() + dt.timedelta(days=5))
    client = api_of(epi)
    url = f"/api/cases/followups/{follow.pk}/entries"
    refused = client.post(url, {"temperature": 36.6, "close": True}, content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["details"][0]["field"] == "close_reason"
    assert (
        FollowUp.objects.get(pk=follow.pk).status == "open" and not follow.entries.exists()
    )  # nothing saved
    closed = client.post(
        url,
        {"close": True, "close_reason": "核酸两次阴性，专家组同意提前解除"},
        content_type="application/json",
    )
    assert closed.status_code == 201
    row = client.get("/api/cases/followups?status=closed").json()["items"][0]
    assert (row["closed_early"], row["close_reason"]) == (True, "核酸两次阴性，专家组同意提前解除")


@pytest.mark.django_db
def test_a_follow_up_closed_on_or_after_its_end_needs_no_reason(
    town: dict[str, Any], epi: Any, api_of: Any
) -> None:
    follow = _confirmed_follow_up(town, epi, until=timezone.localdate())
    client = api_of(epi)
    assert (
        client.post(
            f"/api/cases/followups/{follow.pk}/entries", {"close": True}, content_type="application/json"
        ).status_code
        == 201
    )
    row = client.get("/api/cases/followups?status=closed").json()["items"][0]
    assert (row["closed_early"], row["close_reason"]) == (False, "")


@pytest.mark.django_db
def test_a_contact_under_observation_who_becomes_a_case_was_isolated_from_the_observation(
    town: dict[str, Any], epi: Any
) -> None:
    follow = _confirmed_follow_up(town, epi)
    second = services.case_report(actor=epi, person=follow.contact.person, status=CaseStatus.SUSPECTED)
    assert second.quarantined_at == follow.started_at
    assert second.isolated_at == follow.started_at <= second.reported_at

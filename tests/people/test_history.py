"""The person page shows the person's history from every module: cases, health code and scans."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone

from apps.cases.services import case_report, case_transition
from apps.codes.services import code_for
from apps.venues.services import scans_ingest, venue_create
from tests.factories import COMMUNITY_A, DISTRICT_A

pytestmark = pytest.mark.django_db


def test_cases_code_and_scans_appear_in_the_person_history(officer_a, make_user, person_factory, client_of):
    person = person_factory(actor=officer_a)
    epi = make_user("epidemiologist", "990100", username="epi")
    guard = make_user("checkpoint_operator", DISTRICT_A, username="guard")
    venue = venue_create(actor=officer_a, data={"name": "东门超市", "category": "supermarket", "area_code": COMMUNITY_A})
    scans_ingest(actor=guard, device_id="d1", scans=[{
        "client_id": uuid.uuid4().hex, "venue": str(venue.ref), "person": person.pk,
        "scanned_at": timezone.now().isoformat(), "temperature": "36.6", "colour": "green"}])
    case = case_report(actor=epi, person=person, status="suspected")
    case_transition(actor=epi, case=case, to="confirmed")
    code_for(person)

    html = client_of(epi).get(f"/persons/{person.pk}/").content.decode()
    assert f"/cases/{case.pk}/" in html
    assert "东门超市" in html and "36.6" in html
    assert "code-red" in html  # a confirmed case makes the code red, and the history says so


def test_history_entries_follow_the_viewers_permissions(officer_a, make_user, person_factory, client_of):
    person = person_factory(actor=officer_a)
    epi = make_user("epidemiologist", "990100", username="epi")
    case = case_report(actor=epi, person=person, status="suspected")
    case_transition(actor=epi, case=case, to="confirmed")
    auditor = make_user("auditor", "990100", username="aud")  # may see persons, not scans or codes
    html = client_of(auditor).get(f"/persons/{person.pk}/").content.decode()
    assert "code-red" not in html
    assert client_of(officer_a).get(f"/persons/{person.pk}/").status_code == 200
    assert f"/cases/{case.pk}/" in client_of(officer_a).get(f"/persons/{person.pk}/").content.decode()

"""In Debian's chromium: an epidemiologist confirms a suggested contact and sees the contact's code turn red."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from apps.cases import services
from apps.cases.choices import CaseStatus
from apps.cases.models import Contact
from apps.codes.models import HealthCode
from apps.codes.services import codes_recompute
from apps.venues.models import Scan, Venue
from tests.factories import COMMUNITY_A

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_confirming_a_suggested_contact_turns_their_code_red(
    officer_a: Any, epi: Any, person_factory: Any, browser_login: Any
) -> None:
    case_person = person_factory(actor=officer_a, area_code=COMMUNITY_A)
    contact_person = person_factory(actor=officer_a, area_code=COMMUNITY_A)
    venue = Venue.objects.create(name="青石菜市场", category="supermarket", area_id=COMMUNITY_A)
    met = timezone.now() - dt.timedelta(hours=30)
    Scan.objects.create(person=case_person, venue=venue, scanned_at=met, client_id="b1")
    Scan.objects.create(
        person=contact_person, venue=venue, scanned_at=met + dt.timedelta(minutes=12), client_id="b2"
    )
    codes_recompute(person_ids=[contact_person.pk])
    assert HealthCode.objects.get(pk=contact_person.pk).colour == "green"
    case = services.case_report(
        actor=epi, person=case_person, status=CaseStatus.SUSPECTED, onset_date=timezone.localdate()
    )
    services.case_transition(actor=epi, case=case, to=CaseStatus.CONFIRMED)  # traces after commit
    contact = Contact.objects.get(case=case, person=contact_person)

    page = browser_login(epi)
    page.goto(f"/cases/contacts/?case={case.pk}")
    row = page.locator(f"#contact-{contact.pk}")
    assert "青石菜市场" in row.inner_text()
    assert row.locator("[data-code]").get_attribute("data-code") == "green"
    with page.expect_response(lambda r: "/decide/" in r.url and r.status == 200):
        row.locator("button[value=confirm]").click()
    confirmed = page.locator(f"#contact-{contact.pk}[data-status=confirmed]")
    confirmed.wait_for()
    assert confirmed.locator("[data-code]").get_attribute("data-code") == "red"
    assert HealthCode.objects.get(pk=contact_person.pk).colour == "red"

"""Browser: a citizen shows "my code", an operator verifies it offline and the queued scan uploads once."""

from __future__ import annotations

from typing import Any

import pytest

from apps.venues.models import Scan
from apps.venues.services import venue_create
from tests.factories import COMMUNITY_A, DISTRICT_A


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_operator_verifies_a_code_offline_and_the_queued_scan_uploads_once(
    page: Any, browser_login: Any, make_user: Any, officer_a: Any, person_factory: Any, wait_js: Any
) -> None:
    person = person_factory(actor=officer_a)
    citizen = make_user("citizen", COMMUNITY_A, person=person, username="citizen")
    guard = make_user("checkpoint_operator", DISTRICT_A, username="guard")
    venue = venue_create(
        actor=officer_a, data={"name": "东门卡口", "category": "community_gate", "area_code": COMMUNITY_A}
    )

    browser_login(citizen)
    page.goto("/codes/my/")
    assert page.locator(".code-card").get_attribute("data-colour") == "green"
    assert page.locator(".qr svg").count() == 1
    code_text = page.locator("#qr-text").input_value()
    assert code_text.startswith("TC1:")

    page.context.clear_cookies()
    browser_login(guard)
    page.goto("/venues/checkpoint/")
    page.wait_for_selector("#checkpoint[data-ready='1']")
    wait_js(page, "document.getElementById('keys-status').textContent.includes('(1)')")
    page.select_option("#venue", str(venue.ref))

    page.context.set_offline(True)
    wait_js(page, "!navigator.onLine")
    # A tampered code is refused offline too.
    page.fill("#code-text", code_text[:-2] + ("00" if code_text[-2:] != "00" else "11"))
    page.click("#verify")
    wait_js(page, "document.getElementById('verdict').dataset.status !== undefined")
    assert page.locator("#verdict").get_attribute("data-status") in {"bad_signature", "malformed"}

    page.fill("#code-text", code_text)
    page.click("#verify")
    page.wait_for_selector("#verdict[data-status='valid']")
    assert "green" in (page.locator("#verdict").get_attribute("class") or "")
    page.fill("#temperature", "36.6")
    page.click("#record")
    wait_js(page, "document.getElementById('queue-count').textContent === '1'")
    assert Scan.objects.count() == 0  # nothing reached the server while offline

    page.context.set_offline(False)
    wait_js(page, "document.getElementById('queue-count').textContent === '0'", timeout=20_000)
    scan = Scan.objects.get()
    assert (scan.person_id, scan.venue_id, scan.colour, str(scan.temperature)) == (
        person.pk,
        venue.pk,
        "green",
        "36.6",
    )
    assert scan.operator_id == guard.pk
    page.evaluate("window.tongchouCheckpoint.flush()")
    page.wait_for_timeout(500)
    assert Scan.objects.count() == 1

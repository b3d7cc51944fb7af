"""Browser: a citizen shows "my code", an operator verifies it offline and the queued scan uploads once."""

from __future__ import annotations

from typing import Any

import pytest

from apps.codes.services import code_for, code_issue_qr
from apps.venues.models import Scan
from apps.venues.services import venue_create, venue_qr_text
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


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_verdict_tells_the_guard_what_to_do_and_the_venue_comes_from_search_or_its_qr(
    page: Any, browser_login: Any, make_user: Any, officer_a: Any, person_factory: Any, wait_js: Any
) -> None:
    green_person, yellow_person = person_factory(actor=officer_a), person_factory(actor=officer_a)
    green_text, _ = code_issue_qr(code=code_for(green_person))
    yellow_code = code_for(yellow_person)
    yellow_code.colour = "yellow"
    yellow_text, _ = code_issue_qr(code=yellow_code)
    guard = make_user("checkpoint_operator", DISTRICT_A, username="guard")
    east = venue_create(actor=officer_a, data={"name": "东门卡口", "category": "community_gate", "area_code": COMMUNITY_A})
    west = venue_create(actor=officer_a, data={"name": "西门卡口", "category": "community_gate", "area_code": COMMUNITY_A})

    browser_login(guard)
    page.goto("/venues/checkpoint/")
    page.wait_for_selector("#checkpoint[data-ready='1']")
    wait_js(page, "document.getElementById('keys-status').textContent.includes('(1)')")

    # The venue: by typing part of its name, then by scanning (here pasting) its signed venue QR.
    page.fill("#venue-search", "西门")
    assert page.locator("#venue").input_value() == str(west.ref)
    page.fill("#venue-search", venue_qr_text(venue=east))
    wait_js(page, f"document.getElementById('venue').value === '{east.ref}'")
    assert "东门卡口" in page.locator("#venue-note").inner_text()

    # Yellow is not "passed": it says refer, in its own look, with the rule.
    page.fill("#code-text", yellow_text)
    page.click("#verify")
    page.wait_for_selector("#verdict[data-status='valid']")
    verdict = page.locator("#verdict")
    assert verdict.get_attribute("data-action") == "refer"
    assert "action-refer" in (verdict.get_attribute("class") or "")
    assert "引导复核" in verdict.inner_text() and "暂不放行" in verdict.inner_text()
    assert "验证通过" not in verdict.inner_text()

    page.click("#record")
    wait_js(page, "document.getElementById('verdict').dataset.action === undefined")
    assert "action-" not in (verdict.get_attribute("class") or "")
    assert "黄码" not in verdict.inner_text()  # the previous person's verdict is gone
    wait_js(page, "document.getElementById('queue-count').textContent === '0'")

    page.fill("#code-text", green_text)
    page.click("#verify")
    page.wait_for_selector("#verdict[data-action='let_in']")
    assert "放行" in verdict.inner_text()

    # Offline, the pass is queued; the moment the network is back (the `online` event) it goes up.
    page.context.set_offline(True)
    wait_js(page, "!navigator.onLine")
    page.click("#record")
    wait_js(page, "document.getElementById('queue-count').textContent === '1'")
    page.context.set_offline(False)
    wait_js(page, "document.getElementById('queue-count').textContent === '0'", timeout=5_000)
    assert sorted(Scan.objects.values_list("colour", flat=True)) == ["green", "yellow"]
    assert set(Scan.objects.values_list("venue_id", flat=True)) == {east.pk}

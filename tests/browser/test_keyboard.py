"""The keyboard path of the main interactive widgets: the map's table, the health code's refresh and its pause button,
a visible focus ring, and the checkpoint's actions under the thumb on a phone."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import COMMUNITY_A, DISTRICT_A

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _tab_to(page: Any, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching `selector` has the focus (as a keyboard user would get there)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} is not reachable with Tab")


def test_the_maps_table_is_reached_opened_and_followed_by_keyboard(
    page: Any, browser_login: Any, officer_a: Any
) -> None:
    browser_login(officer_a)
    page.goto("/areas/")
    _tab_to(page, ".area-map-table summary")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focus shows
    page.keyboard.press("Enter")
    assert page.locator(".area-map-table").evaluate("d => d.open")
    _tab_to(page, ".area-map-table a")
    first = page.evaluate("document.activeElement.getAttribute('href')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(first)


def test_the_health_code_refreshes_by_script_and_the_keyboard_pauses_it(
    page: Any, browser_login: Any, make_user: Any, officer_a: Any, person_factory: Any, wait_js: Any
) -> None:
    citizen = make_user("citizen", COMMUNITY_A, person=person_factory(actor=officer_a), username="citizen_k")
    browser_login(citizen)
    page.clock.install()
    page.goto("/codes/my/")
    assert page.locator("meta[http-equiv=refresh]").count() == 0
    status = page.locator("#qr-status")
    assert status.get_attribute("role") == "status" and status.get_attribute("aria-live") == "polite"
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if r.resource_type == "fetch" else None)

    page.clock.run_for(600_000)  # ten minutes: the page fetches a fresh QR in place, and says so
    wait_js(page, "document.getElementById('qr-status').textContent !== ''")
    assert status.text_content() == "二维码已更新。" and len(requests) == 1
    assert page.locator(".qr svg").count() == 1

    _tab_to(page, "#qr-pause")
    page.keyboard.press("Space")
    assert page.locator("#qr-pause").get_attribute("aria-pressed") == "true"
    assert page.locator("#qr-pause").text_content() == "恢复自动更新"
    assert status.text_content().startswith("已暂停自动更新")
    page.clock.run_for(1_800_000)  # paused: half an hour without a request
    assert len(requests) == 1

    page.keyboard.press("Enter")  # resume: at once, then every ten minutes again
    assert page.locator("#qr-pause").get_attribute("aria-pressed") == "false"
    wait_js(page, "document.getElementById('qr-status').textContent === '二维码已更新。'")
    assert len(requests) == 2


def test_the_checkpoint_actions_sit_under_the_thumb_on_a_phone(
    browser: Any, live_server: Any, make_user: Any
) -> None:
    from tests.factories import TEST_PASSWORD

    guard = make_user("checkpoint_operator", DISTRICT_A, username="guard_k")
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True
    )
    try:
        phone = context.new_page()
        phone.goto("/accounts/login/")
        phone.fill("input[name=username]", guard.username)
        phone.fill("input[name=password]", TEST_PASSWORD)
        phone.click("button[type=submit]")
        phone.wait_for_url(lambda url: "/accounts/login/" not in url)
        phone.goto("/venues/checkpoint/")
        boxes = [phone.locator(s).bounding_box() for s in ("#start-camera", "#verify", "#record")]
        for box in boxes:
            assert box["height"] >= 48 and box["y"] + box["height"] > 844 - 80  # big, and at the bottom
        assert len({round(b["y"]) for b in boxes}) == 1  # side by side, one thumb's reach
        # The last line of the page still scrolls clear of the bar.
        phone.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        last = phone.locator("#upload-status").bounding_box()
        assert last["y"] + last["height"] <= boxes[0]["y"]
    finally:
        context.close()

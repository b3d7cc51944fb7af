"""In Debian's chromium: an area filter finds areas by name as the user types, and filters by the picked code."""

from __future__ import annotations

import pytest

from tests.factories import DISTRICT_A

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_typing_a_street_name_offers_it_and_filters_by_its_code(officer_a, browser_login):
    page = browser_login(officer_a)
    page.goto("/venues/")
    field = page.locator("input[data-area-picker]")
    field.press_sequentially("青石", delay=50)
    option = page.locator(f'datalist option[value="{DISTRICT_A}001"]')
    option.wait_for(state="attached")
    assert "青石街道" in option.get_attribute("label")
    # Only the officer's own district is offered (青石街道 of district 990103 is not).
    assert page.locator('datalist option[value="990103007"]').count() == 0
    field.fill(f"{DISTRICT_A}001")  # what picking the suggestion puts in the field
    field.dispatch_event("change")
    assert "青石街道" in page.locator(".area-picker-name").inner_text()
    with page.expect_navigation():
        field.press("Enter")
    assert f"area={DISTRICT_A}001" in page.url
    assert page.locator("input[data-area-picker]").input_value() == f"{DISTRICT_A}001"

"""In Debian's chromium: an officer signs in, searches a person by ID number and sees the masked record."""

from __future__ import annotations

import pytest

from tests.factories import COMMUNITY_A, resident_id

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_finds_a_person_by_id_number_and_sees_it_masked(officer_a, person_factory, browser_login):
    number = resident_id(COMMUNITY_A)
    person = person_factory(actor=officer_a, name="赵明华", doc_number=number, phone="13812345678")
    for _ in range(3):
        person_factory(actor=officer_a)
    page = browser_login(officer_a)
    page.goto("/persons/")
    page.fill("input[name=q]", number)
    with page.expect_response(lambda r: "q=" in r.url and r.status == 200):
        page.click("form.filters button[type=submit]")
    rows = page.locator("tr.person-row")
    rows.first.wait_for()
    assert rows.count() == 1
    text = rows.first.inner_text()
    assert person.doc_masked in text and "138****5678" in text and "赵*华" in text
    assert number not in page.content() and "13812345678" not in page.content()
    rows.first.locator("a").click()
    page.wait_for_url(f"**/persons/{person.pk}/")
    assert person.doc_masked in page.content()
    assert number not in page.content()


def test_the_language_switch_changes_the_interface(officer_a, browser_login):
    page = browser_login(officer_a)
    page.goto("/persons/")
    assert page.locator("h1").inner_text() == "人员"  # Chinese first
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.locator("h1").inner_text() == "Persons"
    with page.expect_navigation():
        page.select_option("select[name=language]", "zh-hans")
    assert page.locator("h1").inner_text() == "人员"

"""In Debian's chromium: an enterprise files a commitment and raises a hotline ticket on its phone page, and an
economic officer of its district sees both on the economic dashboard."""

from __future__ import annotations

from typing import Any

import pytest

from apps.enterprises.models import Commitment, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_enterprise_files_and_asks_and_the_officer_sees_both(
    ent_user: Any, ent_a: Any, econ_a: Any, categories: Any, browser_login: Any
) -> None:
    page = browser_login(ent_user)
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto("/enterprises/mine/")
    assert page.locator("#my-status").get_attribute("class").endswith("status-not")
    form = page.locator("#file form")
    form.locator("input[name=employees_returning]").fill("60")
    form.locator("input[name=employees_from_outside]").fill("5")
    for box in form.locator("input[name=measures]").all():  # the guideline: every mandatory measure
        box.check()
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/enterprises/mine/")
    assert page.locator("#my-status").get_attribute("class").endswith("status-partly")

    ticket_form = page.locator("#ticket form")
    ticket_form.locator("select[name=category]").select_option("labour")
    ticket_form.locator("input[name=title]").fill("外地员工返岗难")
    ticket_form.locator("textarea[name=description]").fill("需要协调包车接回30名员工")
    ticket_form.locator("button[type=submit]").click()
    page.wait_for_url("**/enterprises/mine/")
    assert "外地员工返岗难" in page.locator("#ticket ul.tickets").inner_text()
    commitment, ticket = Commitment.objects.get(), Ticket.objects.get()
    assert (commitment.enterprise_id, ticket.enterprise_id, ticket.department.code) == (
        ent_a.pk,
        ent_a.pk,
        "hr",
    )

    page.context.clear_cookies()
    page = browser_login(econ_a)
    page.goto("/enterprises/dashboard/")
    assert ent_a.name in page.locator("#recent-commitments").inner_text()
    assert "外地员工返岗难" in page.locator("#open-tickets").inner_text()
    assert page.locator("#kpi-rate").inner_text() == "100%"
    page.locator("#open-tickets a").first.click()
    page.wait_for_url(f"**/enterprises/tickets/{ticket.pk}/")
    assert "需要协调包车" in page.content()

"""Pages run under the Content-Security-Policy without a single violation (scripts and styles from static files)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = ["/", "/persons/", "/enterprises/dashboard/", "/indicators/", "/society/schools/", "/epi/", "/venues/"]


def test_pages_raise_no_policy_violation(page, make_user, browser_login):
    commander = make_user("commander", "990100", username="commander_csp")
    page.set_default_timeout(60_000)  # the first pages of a cold server on a shared machine
    browser_login(commander)
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    for url in PAGES:
        response = page.goto(url)
        assert response is not None and response.status < 500, url
        page.wait_for_load_state("networkidle")
    assert not violations, violations
    # The language switch is bound from static/js/app.js, not from an inline handler.
    page.goto("/persons/")
    with page.expect_navigation():  # wait_for_url would return at once: the page is already /persons/
        page.select_option("select[name=language]", "en")
    assert page.locator("html").get_attribute("lang") == "en"

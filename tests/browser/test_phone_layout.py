"""At 390 px (a phone held upright): the header stays a short bar and no page scrolls sideways.

Phone users are citizens, enterprise users and checkpoint guards; an officer's table pages must not push the page
wider than the screen either (their tables scroll inside their own box).
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from apps.enterprises import services as enterprise_services
from core import creditcode
from tests.factories import COMMUNITY_A, DISTRICT_A

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
HEADER_MAX = 110  # px: the brand and tools on one row, the menu on one scrolling row below


def _layout(page: Any, path: str) -> tuple[float, int]:
    response = page.goto(path)
    assert response is not None and response.status == 200, path
    header = page.locator("header.topbar").bounding_box()
    width = page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
    return header["height"], width


@pytest.fixture
def phone(browser: Any, live_server: Any) -> Any:
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport=PHONE, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _sign_in(page: Any, user: Any) -> None:
    from tests.factories import TEST_PASSWORD

    page.goto("/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def _assert_fits(page: Any, paths: list[str]) -> None:
    measured = {path: _layout(page, path) for path in paths}
    too_tall = {p: h for p, (h, _) in measured.items() if h > HEADER_MAX}
    too_wide = {p: w for p, (_, w) in measured.items() if w > PHONE["width"]}
    assert not too_tall and not too_wide, f"header heights {too_tall}, page widths {too_wide}"


def test_the_sign_in_pages_fit_a_phone_and_link_to_the_citizen_sign_in(phone: Any, city: Any) -> None:
    _assert_fits(phone, ["/accounts/login/", "/codes/signin/"])
    phone.goto("/accounts/login/")
    phone.locator("a[href='/codes/signin/']").click()
    phone.wait_for_url("**/codes/signin/")


def test_a_citizens_pages_fit_a_phone(phone: Any, make_user: Any, officer_a: Any, person_factory: Any) -> None:
    citizen = make_user("citizen", COMMUNITY_A, username="citizen_a", person=person_factory(actor=officer_a))
    _sign_in(phone, citizen)
    _assert_fits(phone, ["/", "/codes/my/", "/codes/declare/"])


def test_an_enterprise_users_pages_fit_a_phone(phone: Any, make_user: Any) -> None:
    econ = make_user("economic_officer", "990100", username="econ_city")
    enterprise = enterprise_services.enterprise_create(
        actor=econ,
        data={
            "credit_code": creditcode.generate(random.Random(3), DISTRICT_A), "name": "甲区长江精密机械制造有限责任公司",
            "industry_section": "C", "area_code": COMMUNITY_A, "size_class": "small", "above_designated": "no",
            "employees": "100", "contact_name": "张三丰", "contact_phone": "13912345678",
        },
    )  # fmt: skip
    user = make_user("enterprise_user", DISTRICT_A, username="ent_user_a")
    enterprise_services.enterprise_member_link(actor=econ, enterprise=enterprise, user=user)
    _sign_in(phone, user)
    _assert_fits(phone, ["/", "/enterprises/mine/", "/enterprises/policies/"])


def test_a_guards_and_an_officers_pages_fit_a_phone(phone: Any, make_user: Any, officer_a: Any, person_factory: Any) -> None:
    for _ in range(3):
        person_factory(actor=officer_a)
    _sign_in(phone, make_user("checkpoint_operator", DISTRICT_A, username="guard_a"))
    _assert_fits(phone, ["/", "/venues/checkpoint/"])
    phone.context.clear_cookies()
    _sign_in(phone, officer_a)
    _assert_fits(phone, ["/", "/persons/", "/venues/", "/codes/overrides/"])

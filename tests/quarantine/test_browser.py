"""In Debian's chromium: a confirmed contact gets a proposed order, the manager allocates a room in two clicks,
the person checks in on the phone page, a negative final test arrives by lab import, the manager releases,
and the person's code turns green."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from apps.cases import services as cases
from apps.cases.models import Contact
from apps.quarantine import services
from apps.quarantine.models import CheckIn, QuarantineOrder, Room, Site, Stay
from tests.factories import COMMUNITY_A

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_from_contact_to_release_and_a_green_code(
    officer_a: Any,
    epi: Any,
    manager_a: Any,
    make_user: Any,
    person_factory: Any,
    browser: Any,
    live_server: Any,
) -> None:
    from tests.conftest import TEST_PASSWORD

    infected = person_factory(actor=officer_a, area_code=COMMUNITY_A)
    contact_person = person_factory(actor=officer_a, area_code=COMMUNITY_A)
    case = cases.case_report(actor=epi, person=infected, status="suspected")
    exposed = timezone.now() - dt.timedelta(days=14)
    contact = Contact.objects.create(
        case=case, person=contact_person, degree=1, first_exposed_at=exposed, last_exposed_at=exposed
    )
    cases.contact_decide(actor=epi, contact=contact, confirm=True)
    order = QuarantineOrder.objects.get(person=contact_person, status="proposed")
    # The officer accepted it yesterday under the 14-day policy: the quarantine ends today.
    stay = services.accept_order(
        actor=officer_a,
        order=order,
        policy_code="c14-2020",
        today=timezone.localdate() - dt.timedelta(days=1),
    )
    Stay.objects.filter(pk=stay.pk).update(start_day=timezone.localdate() - dt.timedelta(days=1))
    site = Site.objects.create(name="青石酒店", area_id="990101")
    room = Room.objects.create(site=site, number="808", floor=8)
    citizen = make_user("citizen", "990101", username="contact")
    citizen.person = contact_person
    citizen.save(update_fields=["person"])

    def login(user: Any, **context: Any) -> Any:
        page = browser.new_context(base_url=live_server.url, locale="zh-CN", **context).new_page()
        page.set_default_timeout(15_000)
        page.goto("/accounts/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", TEST_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    manager = login(manager_a)
    manager.goto("/quarantine/waiting/")
    manager.select_option(f"#room-{stay.pk}", str(room.pk))  # click one: the room
    manager.locator(f"form:has(#room-{stay.pk}) button[type=submit]").click()  # click two: allocate
    manager.wait_for_url("**/quarantine/waiting/")
    room.refresh_from_db()
    assert room.status == "occupied"
    manager.goto(f"/quarantine/sites/{site.pk}/")
    assert "808" in manager.inner_text(".room-occupied") and "已入住" in manager.inner_text(".room-occupied")

    phone = login(citizen, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone.goto("/quarantine/me/")
    phone.fill("#temperature", "36.6")
    phone.click("#checkin")
    phone.wait_for_url("**/quarantine/me/")
    assert CheckIn.objects.filter(stay=stay, by_person=True).count() == 1

    yesterday = timezone.now() - dt.timedelta(days=1)
    cases.labs_import(
        actor=epi,
        lab="市疾控",
        client_batch_id="final",
        rows=[
            (
                1,
                {
                    "sample_id": "F1",
                    "sampled_at": yesterday.isoformat(),
                    "result": "阴性",
                    "person_id": str(contact_person.pk),
                },
            )
        ],
    )
    manager.goto(f"/quarantine/stays/{stay.pk}/")
    assert "已满足解除隔离条件" in manager.inner_text("body")
    manager.click("button[value=release]")
    manager.wait_for_url(f"**/quarantine/stays/{stay.pk}/")
    stay.refresh_from_db()
    assert stay.status == "released" and room.__class__.objects.get(pk=room.pk).status == "cleaning"

    phone.goto("/codes/my/")
    assert phone.locator("[data-colour]").get_attribute("data-colour") == "green"
    phone.goto(f"/quarantine/stays/{stay.pk}/certificate/")
    assert phone.locator(".cert svg").count() == 1

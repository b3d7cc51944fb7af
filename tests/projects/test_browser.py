"""In Debian's chromium: the battle map's dots lead to the project and its reasons; a school ticks a readiness item;
the public ranking needs no sign-in; the indicator page draws its ECharts charts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from apps.indicators import services as indicator_services
from apps.projects import services as project_services
from apps.society import services as society_services
from core import dekad as dk
from tests.factories import DISTRICT_A
from tests.maps import click_at, wait_for_map

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_follows_a_red_dot_on_the_battle_map_to_its_reasons(make_user, browser_login):
    econ = make_user("economic_officer", DISTRICT_A, username="econ_a")
    today = timezone.localdate()
    project = project_services.project_create(
        actor=econ,
        ref="XM-1",
        name="东湖冷链物流中心",
        area_code=DISTRICT_A + "001",
        investment_planned=1000,
        plan_start=today - dt.timedelta(days=100),
        plan_end=today + dt.timedelta(days=200),
        official="王主任",
        investment_completed=100,
        stage="started",
        milestones=[("主体封顶", today - dt.timedelta(days=45), None)],
    )
    assert project.colour == "red"
    page = browser_login(econ)
    page.goto("/projects/map/")
    drawn = wait_for_map(page)
    assert drawn["markers"] == 1 and {"name": DISTRICT_A, "value": 1} in drawn["areas"]
    # The project has no coordinates: its dot sits at a fixed spot inside its area.
    spot = page.evaluate(
        "() => echarts.getInstanceByDom(document.querySelector('.area-map-canvas')).getOption().series[1].data[0].value"
    )
    with page.expect_navigation():
        click_at(page, *spot)
    assert page.url.endswith(f"/projects/{project.pk}/")
    assert "已逾期45天" in page.locator("ul.reasons").inner_text()


def test_a_district_officer_ticks_a_readiness_item_with_evidence(officer_a, browser_login):
    school = society_services.school_create(
        actor=officer_a, code="S1", name="青石第一小学", area_code=DISTRICT_A + "001", level="primary"
    )
    page = browser_login(officer_a)
    page.goto(f"/society/schools/{school.pk}/")
    form = page.locator("form:has(input[name=item][value=plan])")
    form.locator("input[name=done]").check()
    form.locator("input[name=evidence]").fill("区教委批复〔2020〕3号")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "已完成 1 / 16 项准备事项" in page.content()


def test_the_public_ranking_and_the_indicator_charts(make_user, page, browser_login):
    page.goto("/projects/ranking/")
    assert "/accounts/login/" not in page.url
    assert page.locator("table.ranking tbody tr").count() == 6
    hq = make_user("economic_officer", "990100", username="econ_hq")
    officer = make_user("district_officer", DISTRICT_A, username="officer_x")
    indicator = indicator_services.indicator_upsert(
        actor=hq, code="retail", name_zh="社会消费品零售总额", unit="亿元"
    )
    period = dk.last_due(timezone.localdate())
    indicator_services.report_submit(
        actor=officer, indicator=indicator, area_code=DISTRICT_A, dekad=period.key, value=3
    )
    browser_login(hq)
    page.goto(f"/indicators/retail/?dekad={period.key}")
    page.locator("#ranking-chart canvas").wait_for()
    page.locator("#series-chart canvas").wait_for()

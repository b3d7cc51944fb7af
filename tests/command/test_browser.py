"""In Debian's chromium: the headquarters dashboard draws its map and its chart with data (not empty canvases),
and the wall mode rotates its views; a screenshot is kept under var/test-artefacts/ (gitignored)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from apps.command import tasks_service
from tests.maps import wait_for_map

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTEFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artefacts"


def _painted(page: Any, selector: str) -> int:
    return page.evaluate(
        """(sel) => {
            const canvas = document.querySelector(sel + ' canvas');
            if (!canvas) return 0;
            const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            let n = 0;
            for (let i = 3; i < px.length; i += 4) { if (px[i] > 0) n++; }
            return n;
        }""",
        selector,
    )


def test_the_dashboard_draws_the_map_and_the_chart_with_data(
    make_user: Any, browser_login: Any, wait_js: Any
) -> None:
    commander = make_user("commander", "990100", username="commander")
    due = timezone.now() + dt.timedelta(days=2)
    for district, n in (("990101", 3), ("990102", 1), ("990104", 2)):
        for i in range(n):
            tasks_service.task_assign(
                actor=commander,
                data={"title": f"任务{district}-{i}", "area_code": district, "unit": "卫健委", "due_at": due},
            )
    page = browser_login(commander)
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto("/command/?map=command.tasks_open")
    drawn = wait_for_map(page)
    values = {a["name"]: a["value"] for a in drawn["areas"]}
    assert (values["990101"], values["990102"], values["990104"]) == (3, 1, 2)
    assert drawn["painted"] > 1000 and drawn["svgHidden"]
    wait_js(page, "document.getElementById('hq-chart').dataset.rendered !== undefined")
    series = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('hq-chart')).getOption().series[0].data"
    )
    assert sorted(series, reverse=True)[:3] == [3, 2, 1]
    assert _painted(page, "#hq-chart") > 1000
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "command-dashboard.png"), full_page=True)
    # The text alternative: the table by area holds the same figures.
    first_row = page.locator("section.hq-table tbody tr").first.inner_text()
    assert first_row.startswith("东湖区")  # 990101, with its three open tasks among the cells
    assert "\t3\t" in first_row or first_row.split("\t").count("3") >= 1


def test_the_wall_mode_shows_one_view_at_a_time(make_user: Any, browser_login: Any, wait_js: Any) -> None:
    commander = make_user("commander", "990100", username="commander")
    page = browser_login(commander)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto("/command/?wall=1")
    wait_js(page, "document.querySelector('.hq').dataset.view === '0'")
    views = page.locator(".hq-view")
    hidden = page.locator(".hq-view.hq-hidden")
    assert views.count() >= 2 and hidden.count() == views.count() - 1
    page.screenshot(path=str(ARTEFACTS / "command-dashboard-wall.png"))

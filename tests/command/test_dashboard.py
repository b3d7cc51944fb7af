"""The headquarters dashboard: every figure equals the count of the list it links to, in the demo city, for the
city's commander and for a district officer; a module that is not installed shows nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from apps.accounts.models import User
from apps.command import dashboard
from apps.common import headquarters

pytestmark = pytest.mark.django_db


def api_count(client: Any, address: str) -> int:
    """Walk the linked API list page by page and count its rows (the lists have no COUNT by design)."""
    total, page = 0, 1
    while True:
        joiner = "&" if "?" in address else "?"
        answer = client.get(f"{address}{joiner}page={page}&page_size=500")
        assert answer.status_code == 200, (address, answer.content[:300])
        body = answer.json()
        total += len(body["items"])
        if not body["has_next"]:
            return total
        page += 1


@pytest.fixture
def demo_city(db: None) -> None:
    call_command("demo_city", persons=600, seed=7, no_progress=True, stdout=io.StringIO())


def test_every_figure_equals_the_count_of_the_list_it_links_to(demo_city: None, api_of: Any) -> None:
    checked = 0
    for username in ("commander", "officer_a"):
        user = User.objects.get(username=username)
        client = api_of(user)
        figures = dashboard.visible_figures(user)
        for area in ("", "990101", "990102"):
            for shown in dashboard.figure_values(user=user, area=area, figures=figures):
                if shown.figure.api is None:
                    continue
                assert shown.value == api_count(client, shown.figure.api(area)), (username, area, shown.key)
                checked += 1
        for row in dashboard.district_table(
            user=user,
            area="",
            children=dashboard.child_areas(user=user),
            figures=dashboard.split_figures(figures),
        ):
            for cell in row["cells"]:
                if cell["figure"].api is not None:
                    assert cell["value"] == api_count(client, cell["figure"].api(row["area"].code))
                    checked += 1
    assert checked > 40  # the demo city fills the figures (a broken registry would check nothing)
    # The page shows both tracks, each figure a link to its list with the same filters.
    page = Client()
    page.force_login(User.objects.get(username="commander"))
    html = page.get("/command/", {"area": "990101"}).content.decode()
    for expected in (
        'href="/cases/?klass=confirmed&amp;area=990101"',
        'href="/projects/?colour=red&amp;area=990101"',
        'href="/command/tasks/?overdue=1&amp;area=990101"',
        "data-area-map",
    ):
        assert expected in html, expected


def test_a_module_that_is_not_installed_shows_nothing_not_zero(settings: Any, commander: Any) -> None:
    keys = {f.key for f in headquarters.discover()}
    assert "projects.red" in keys
    settings.INSTALLED_APPS = [a for a in settings.INSTALLED_APPS if a != "apps.projects"]
    keys = {f.key for f in headquarters.discover()}
    assert not any(k.startswith("projects.") for k in keys)
    assert "cases.confirmed" in keys


def test_a_district_officer_sees_only_their_district(officer_a: Any, client_of: Any) -> None:
    children = dashboard.child_areas(user=officer_a)
    assert children and all(c.code.startswith("990101") for c in children)  # their district's streets


def test_a_citizen_has_no_dashboard(make_user: Any, client_of: Any) -> None:
    citizen = make_user("citizen", "990101001001", username="citizen")
    assert client_of(citizen).get("/command/").status_code == 403


def test_the_dashboard_query_count_does_not_grow_with_the_data(commander: Any) -> None:
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from apps.command import tasks_service

    page = Client()
    page.force_login(commander)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert page.get("/command/", {"map": "command.tasks_open"}).status_code == 200
        return len(ctx.captured_queries)

    def add(n: int) -> None:
        for i in range(n):
            tasks_service.task_assign(
                actor=commander,
                data={
                    "title": f"t{i}",
                    "area_code": f"99010{1 + i % 6}",
                    "unit": "u",
                    "due_at": timezone.now() + dt.timedelta(days=1),
                },
            )

    add(2)
    queries()  # the first read of the day computes and stores the day's risk levels
    few = queries()
    add(30)
    assert queries() == few <= 120

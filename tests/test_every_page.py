"""Every page of the site, for every demo role, in Chinese: no English UI words, no Python reprs, no raw enum values;
and every link of a user's menu opens for that user.

The demo city is generated once for the module (a small one) and the pages are filled from it (tests/sweep.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from apps.accounts.choices import Role
from apps.accounts.models import User
from apps.demo import generator
from apps.demo.steps.users import DEMO_USERS
from tests.sweep import PARAMS, page_patterns, page_urls, raw_values, untranslated, visible_text

USERNAMES = [username for username, _, _ in DEMO_USERS]
# A page that only answers POST, or a file download: nothing to read.
NOT_READ = {405}


@pytest.fixture(scope="module")
def demo_city(django_db_setup: Any, django_db_blocker: Any) -> Iterator[list[tuple[str, str]]]:
    with django_db_blocker.unblock():
        ctx = generator.DemoContext(
            seed=2020, persons=1200, today=timezone.localdate(), out=lambda _: None, progress=False
        )
        try:
            generator.run(ctx)
            _pending_override()
            _finished_import()
            yield page_urls()
        finally:  # also when the set-up fails: the city must not leak into the next module's tests
            call_command("flush", interactive=False, verbosity=0)


def _pending_override() -> None:
    """The demo city has no code override; one pending request puts the override pages in the sweep."""
    from apps.codes.services import override_request
    from apps.people.models import Person

    officer = User.objects.get(username="officer_a")
    person = Person.objects.filter(area__code__startswith="990101").order_by("pk").first()
    override_request(
        actor=officer, person=person, colour="yellow", reason="Re-test pending after a lab mix-up",
        valid_until=timezone.now() + dt.timedelta(days=2),
    )


def _finished_import() -> None:
    """A finished person import with a bad row puts the import report page in the sweep."""
    from apps.people.models import Person
    from apps.people.services import persons_import

    officer = User.objects.get(username="officer_a")
    area = Person.objects.filter(area__code__startswith="990101").order_by("pk").values_list("area_id", flat=True)[0]
    persons_import(actor=officer, data=f"name,area_code\n张小明,{area}\n李四,\n".encode(), filename="list.csv")


def _client(username: str, language: str = "zh-CN,zh;q=0.9") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(User.objects.get(username=username))
    return client


def test_every_role_has_a_demo_user() -> None:
    assert {role for _, role, _ in DEMO_USERS} == set(Role.values)


def test_the_sweep_fills_every_page_with_parameters() -> None:
    """A new page with a path parameter must be added to tests/sweep.PARAMS, or it would never be swept."""
    missing = [name for route, name in page_patterns() if "<" in route and name not in PARAMS]
    assert not missing, f"add these pages to tests/sweep.PARAMS: {missing}"


@pytest.mark.django_db
def test_the_demo_fills_every_page(demo_city: list[tuple[str, str]]) -> None:
    swept = {name for name, _ in demo_city}
    assert swept == {name for _, name in page_patterns()}, "a page's object is missing from the demo city"


@pytest.mark.django_db
@pytest.mark.parametrize("username", USERNAMES)
def test_every_page_reads_in_chinese(demo_city: list[tuple[str, str]], username: str) -> None:
    client = _client(username)
    problems: dict[str, Any] = {}
    for name, path in demo_city:
        if name == "accounts:logout":
            continue
        response = client.get(path)
        if response.status_code in NOT_READ or "text/html" not in response.get("Content-Type", ""):
            continue
        if response.status_code >= 500:
            problems[path] = response.status_code
            continue
        text = visible_text(response.content.decode())
        bad = untranslated(text, allowed=set(USERNAMES))
        if bad:
            problems[path] = (response.status_code, bad)
    assert not problems, f"{username} sees untranslated text: {problems}"


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["commander", "econ", "epi", "citizen"])
def test_every_page_shows_no_raw_values_in_english(demo_city: list[tuple[str, str]], username: str) -> None:
    client = _client(username, "en")
    assert client.get("/").content.decode().count('lang="en"') == 1
    problems: dict[str, Any] = {}
    for name, path in demo_city:
        response = client.get(path) if name != "accounts:logout" else None
        if response is None or response.status_code in NOT_READ or "text/html" not in response.get("Content-Type", ""):
            continue
        bad = raw_values(visible_text(response.content.decode()), allowed=set(USERNAMES))
        if bad or response.status_code >= 500:
            problems[path] = (response.status_code, bad)
    assert not problems, f"{username} sees raw values in English: {problems}"


def _menu(html: str) -> list[str]:
    nav = re.search(r'<nav class="nav"[^>]*>(.*?)</nav>', html, re.S)
    return re.findall(r'href="([^"]+)"', nav.group(1)) if nav else []


@pytest.mark.django_db
@pytest.mark.parametrize("username", USERNAMES)
def test_every_menu_link_opens_for_its_user(demo_city: list[tuple[str, str]], username: str) -> None:
    client = _client(username)
    links = _menu(client.get("/").content.decode())
    assert "/" in links and len(links) >= 2
    refused = {href: client.get(href).status_code for href in links}
    assert {href: s for href, s in refused.items() if s != 200} == {}


@pytest.mark.django_db
def test_a_reveal_names_its_fields_in_chinese(demo_city: list[tuple[str, str]]) -> None:
    path = dict(demo_city)["people:reveal"]
    response = _client("officer_a").post(path, {"reason": "电话联系密接"})
    text = visible_text(response.content.decode())
    assert response.status_code == 200 and "证件号码" in text and "姓名" in text
    assert untranslated(text) == []


@pytest.mark.django_db
def test_an_escalated_ticket_reads_in_shanghai_time(demo_city: list[tuple[str, str]]) -> None:
    from apps.enterprises.models import Ticket

    path = dict(demo_city)["enterprises:ticket"]
    ticket = Ticket.objects.get(pk=int(path.rstrip("/").rsplit("/", 1)[1]))
    text = visible_text(_client("econ").get(path).content.decode())
    due = timezone.localtime(ticket.due_at).strftime("%Y-%m-%d %H:%M")
    assert f"自 {due} 起超时" in text and untranslated(text) == []


@pytest.mark.django_db
def test_a_user_who_cannot_reveal_gets_no_reveal_button(demo_city: list[tuple[str, str]]) -> None:
    path = dict(demo_city)["people:detail"]
    commander, officer = _client("commander").get(path), _client("officer_a").get(path)
    assert commander.status_code == officer.status_code == 200
    assert b"/reveal/" in officer.content and b"/reveal/" not in commander.content


@pytest.mark.django_db
@pytest.mark.parametrize(("username", "path"), [("epi", "/venues/alerts/"), ("commander", "/persons/duplicates/")])
def test_a_list_the_user_may_not_read_says_so(demo_city: list[tuple[str, str]], username: str, path: str) -> None:
    response = _client(username).get(path)
    assert response.status_code == 403 and "您的角色无权访问此页面" in visible_text(response.content.decode())

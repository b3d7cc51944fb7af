"""Shared fixtures: the demo city's areas, users of two districts, and a Playwright browser on Debian's chromium."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from apps.accounts.models import User
from apps.geo.services import areas_upsert
from core import synthetic
from tests.factories import DISTRICT_A, DISTRICT_B, TEST_PASSWORD, PersonFactory, UserFactory

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    # Argon2 is the product hasher (see settings); tests that create many users need speed, not strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def city(db: None) -> list[synthetic.AreaSpec]:
    """The fictional city's 448 areas: 990101–990106 districts, 40 streets, 400 communities."""
    specs = synthetic.city_areas()
    areas_upsert({"code": a.code, "name_zh": a.name_zh, "name_en": a.name_en, "boundary": a.boundary} for a in specs)
    return specs


@pytest.fixture
def make_user(city: Any) -> Callable[..., User]:
    def make(role: str = "district_officer", area: str = DISTRICT_A, **kwargs: Any) -> User:
        return UserFactory(role=role, area=area, **kwargs)

    return make


@pytest.fixture
def officer_a(make_user: Callable[..., User]) -> User:
    return make_user("district_officer", DISTRICT_A, username="officer_a")


@pytest.fixture
def officer_b(make_user: Callable[..., User]) -> User:
    return make_user("district_officer", DISTRICT_B, username="officer_b")


@pytest.fixture
def person_factory(city: Any) -> type[PersonFactory]:
    return PersonFactory


def login(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password=TEST_PASSWORD)
    return client


@pytest.fixture
def client_of() -> Callable[[User], Client]:
    """`client_of(user)`: a page client signed in as that user."""
    return login


@pytest.fixture
def api_of() -> Callable[[User], Client]:
    """`api_of(user)`: a client that sends a bearer token of that user on every request."""
    from apps.accounts.services import token_issue

    def make(user: User) -> Client:
        return Client(headers={"Authorization": f"Bearer {token_issue(user=user, name='test')}"})

    return make


# --- browser tests --------------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


@pytest.fixture
def wait_js() -> Callable[..., None]:
    """`wait_js(page, "js expression")`: wait until it is truthy. Use it instead of `page.wait_for_function`,
    which evaluates its predicate with eval() inside the page and so is refused by our Content-Security-Policy
    (`page.evaluate` goes through the DevTools protocol, which the policy does not govern)."""
    import time

    def wait(page: Any, expression: str, timeout: float = 15_000) -> None:
        deadline = time.monotonic() + timeout / 1000
        while not page.evaluate(expression):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {expression}")
            page.wait_for_timeout(100)

    return wait


@pytest.fixture
def browser_login(page: Any) -> Callable[[User], Any]:
    def do(user: User) -> Any:
        page.goto("/accounts/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", TEST_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    return do

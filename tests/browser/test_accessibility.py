"""WCAG 2 A/AA (axe-core) on every page of the site, as every demo role that can open it, in Chinese.

Pages come from the URL resolver filled by tests/sweep.PARAMS (as the page sweep does), so a page added later is
checked the day it lands. Each role gets one browser context at desktop size; the phone roles get a second one at
390 px. axe-core comes from the npm registry (assets/package.json) and is loaded as a context init script, which the
page's Content-Security-Policy does not govern.
"""

from __future__ import annotations

import functools
import hashlib
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from apps.accounts.models import User
from apps.demo import generator
from apps.demo.steps.users import DEMO_USERS
from tests.sweep import PARAMS, page_patterns, page_urls
from tests.test_every_page import _finished_import, _pending_override

pytestmark = [pytest.mark.browser]

AXE = Path(settings.BASE_DIR) / "assets" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
PHONE_USERS = {
    "citizen",
    "enterprise",
    "guard",
    "worker_a",
}  # citizen, enterprise user, checkpoint, community worker
BROKEN = Path(__file__).parent / "a11y_broken.html"

_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map((v) => ({id: v.id, help: v.help, targets: v.nodes.map((n) => n.target.join(" "))}));
}"""


@functools.cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def axe_violations(page: Any) -> list[dict[str, Any]]:
    # Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not govern.
    if not page.evaluate("() => !!window.axe"):
        page.evaluate(_axe_source())
    return page.evaluate(_RUN, WCAG_TAGS)


def describe(violations: dict[tuple[str, str], list[dict[str, Any]]]) -> str:
    """One line per rule broken on a page for a role: rule id, page, role (and viewport), target selectors."""
    lines = []
    for (path, who), found in sorted(violations.items()):
        for v in found:
            lines.append(f"{v['id']} on {path} as {who}: {', '.join(v['targets'][:8])} ({v['help']})")
    return "\n".join(lines)


def _context(browser: Any, base_url: str, viewport: dict[str, int], *, phone: bool = False) -> Any:
    if not AXE.exists():
        pytest.fail(f"axe-core is missing: cd assets && npm ci ({AXE})")
    context = browser.new_context(
        base_url=base_url, locale="zh-CN", viewport=viewport, is_mobile=phone, service_workers="block"
    )
    context.set_default_timeout(30_000)
    return context


def test_the_check_fails_on_a_page_with_violations(browser: Any) -> None:
    """The fixture page breaks five rules; the check finds each and names the offending element."""
    context = _context(browser, "http://fixture.test", DESKTOP)
    try:
        page = context.new_page()
        page.route("http://fixture.test/broken/", lambda route: route.fulfill(path=str(BROKEN)))
        page.goto("/broken/")
        found = axe_violations(page)
    finally:
        context.close()
    ids = {v["id"] for v in found}
    assert {
        "nested-interactive",
        "color-contrast",
        "scrollable-region-focusable",
        "meta-refresh",
        "label",
    } <= ids
    report = describe({("/broken/", "fixture"): found})
    assert "nested-interactive on /broken/ as fixture: #chart-link" in report


@pytest.fixture
def demo_city_live(transactional_db: None) -> Iterator[list[tuple[str, str]]]:
    """The small demo city, with its pages filled (the live server flushes the database after the test)."""
    ctx = generator.DemoContext(
        seed=2020, persons=600, today=timezone.localdate(), out=lambda _: None, progress=False
    )
    try:
        generator.run(ctx)
        _pending_override()
        _finished_import()
        yield page_urls()
    finally:
        call_command("flush", interactive=False, verbosity=0)


def _sign_in(context: Any, username: str, base_url: str) -> None:
    client = Client()
    client.force_login(User.objects.get(username=username))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])


# What differs between two renderings of one page for two users apart from the content: the header (the user's menu
# and name, checked on the user's first page) and the per-request CSRF tokens.
_NOT_CONTENT = re.compile(
    r'<header class="topbar">.*?</header>|value="[A-Za-z0-9]{64}"|"X-CSRFToken": "[A-Za-z0-9]+"', re.S
)
_BLANK = '<!DOCTYPE html><html lang="zh-hans"><title>-</title></html>'


class _Sweep:
    """One user at one screen size: every page is fetched without the browser first (kept, so the same user's other
    size costs no second rendering); only HTML not yet checked at this size (header aside) is opened in the tab,
    which gets the kept response, and checked. Each distinct page (refusals and not-found pages too) is checked once
    per size; each user's header with the user's first page."""

    def __init__(
        self, context: Any, username: str, width: int, seen: set[Any], served: dict[Any, Any]
    ) -> None:
        self.context, self.username, self.width, self.seen, self.served = (
            context,
            username,
            width,
            seen,
            served,
        )
        self.page = context.new_page()
        self.page.route(lambda url: "/static/" not in url, self._serve)

    def _fetch(self, url: str) -> tuple[int, dict[str, str], bytes]:
        key = (self.username, url)
        if key not in self.served:
            r = self.context.request.get(url, max_redirects=0)
            self.served[key] = (r.status, r.headers, r.body())
        return self.served[key]

    def _serve(self, route: Any) -> None:
        kept = self.served.get((self.username, route.request.url))
        if route.request.resource_type != "document" or kept is None:
            route.continue_()
            return
        route.fulfill(status=kept[0], headers=kept[1], body=kept[2])

    def run(self, pages: list[tuple[str, str]], who: str, base_url: str) -> tuple[int, dict[Any, Any]]:
        checked, found, first = 0, {}, True
        for name, path in pages:
            if name == "accounts:logout":
                continue
            status, headers, body = self._fetch(base_url + path)
            if (
                300 <= status < 400
                or "text/html" not in (headers.get("content-type") or "")
                or not body.strip()
            ):
                continue  # a redirect (its target is a page of its own), a download, an empty refusal (405)
            key = (self.width, hashlib.sha256(_NOT_CONTENT.sub("", body.decode()).encode()).hexdigest())
            if key in self.seen and not first:
                continue
            self.seen.add(key)
            first = False
            self.page.goto(path)
            assert self.page.evaluate("document.documentElement.lang").startswith("zh"), path
            checked += 1
            if violations := axe_violations(self.page):
                found[(path, who)] = violations
        return checked, found


def test_every_page_passes_wcag_for_every_role(browser: Any, live_server: Any, demo_city_live: Any) -> None:
    missing = [name for route, name in page_patterns() if "<" in route and name not in PARAMS]
    assert not missing, f"add these pages to tests/sweep.PARAMS: {missing}"
    assert {n for n, _ in demo_city_live} == {n for _, n in page_patterns()}, "a page's object is missing"
    started = time.monotonic()
    runs = [(u, DESKTOP) for u, _, _ in DEMO_USERS] + [
        (u, PHONE) for u, _, _ in DEMO_USERS if u in PHONE_USERS
    ]
    runs += [("", DESKTOP), ("", PHONE)]  # signed out: the sign-in pages
    total, problems, seen, served = 0, {}, set(), {}
    for username, viewport in runs:
        phone = viewport is PHONE
        who = f"{username or 'anonymous'}{' @390px' if phone else ''}"
        context = _context(browser, live_server.url, viewport, phone=phone)
        try:
            if username:
                _sign_in(context, username, live_server.url)
            sweep = _Sweep(context, username, viewport["width"], seen, served)
            checked, found = sweep.run(demo_city_live, who, live_server.url)
        finally:
            context.close()
        total += checked
        problems.update(found)
        print(f"axe: {who}: {checked} pages checked, {time.monotonic() - started:.0f}s so far")
    print(f"axe: {total} page views, {len(demo_city_live)} pages, {len(runs)} role/viewport runs, "
          f"{time.monotonic() - started:.0f}s")  # fmt: skip
    assert not problems, "WCAG 2 A/AA violations:\n" + describe(problems)

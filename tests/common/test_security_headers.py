"""Security headers: a CSP without inline script, a Permissions-Policy, no-store on personal data, HSTS in production."""

from __future__ import annotations

import base64
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = [*ROOT.glob("templates/**/*.html"), *ROOT.glob("apps/*/templates/**/*.html")]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
EVENT_ATTRIBUTE = re.compile(r"\son[a-z]+\s*=", re.I)


def _directives(response: Any) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return {d.split()[0]: d for d in (part.strip() for part in policy.split(";")) if d}


@pytest.mark.django_db
def test_every_page_gets_a_policy_that_allows_only_our_own_scripts(client: Any) -> None:
    response = client.get("/accounts/login/")
    directives = _directives(response)
    assert directives["script-src"] == "script-src 'self'"
    assert "unsafe" not in directives["style-src"]
    assert directives["object-src"] == "object-src 'none'" and "frame-ancestors" in directives
    assert "camera=(self)" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_holds_inline_script_or_style(template: Path) -> None:
    text = template.read_text()
    assert not INLINE_SCRIPT.search(text), "inline <script>: move it to static/js/"
    assert not EVENT_ATTRIBUTE.search(text), "an on*= handler: bind it from static/js/"
    assert "javascript:" not in text
    assert ' style="' not in text, "an inline style attribute: use a class or data-width / data-indent"


@pytest.mark.django_db
def test_personal_data_and_exports_are_not_stored_by_caches(officer_a: Any, person_factory: Any, client_of: Any,
                                                            api_of: Any, client: Any) -> None:
    person = person_factory(actor=officer_a)
    page = client_of(officer_a)
    for response in (
        page.get(f"/persons/{person.pk}/"),
        page.get("/persons/export/?format=csv"),
        api_of(officer_a).get(f"/api/persons/{person.pk}"),
        api_of(officer_a).get("/api/persons/export?format=xlsx"),
    ):
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
    assert "no-store" in client.get("/api/persons/").get("Cache-Control", "")  # even a refusal


def test_production_settings_pass_the_deployment_checklist() -> None:
    env = {
        **os.environ,
        "TONGCHOU_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "TONGCHOU_PII_KEYS": "1:" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("="),
        "TONGCHOU_HASH_KEY": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "tongchou.example.org",
    }
    env.pop("DJANGO_DEBUG", None)
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


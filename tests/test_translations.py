"""Short words mean different things on different pages; Django merges every app's catalogue and the
first app listed wins, so such words carry a context (pgettext, {% trans ... context ... %})."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext, pgettext

ROOT = Path(__file__).resolve().parent.parent

# Translated differently by two apps, and harmless either way (synonyms, or shown only in the admin).
SYNONYMS = {
    "Area", "area", "Green", "Yellow", "Red", "Page", "Why", "Evidence", "History", "Summary", "summary",
    "Escalated", "Supermarket", "From", "code", "level", "name", "name (Chinese)", "name (English)",
    "Change school plans and checklists", "Register projects and record progress",
    "Report dekad indicator values", "Reveal dispute parties", "See school reopening readiness",
}  # fmt: skip
_ENTRY = re.compile(r'^(?:msgctxt "(.*)"\n)?msgid "(.*)"\nmsgstr "(.+)"$', re.M)


def test_no_word_without_a_context_is_translated_two_ways() -> None:
    seen: dict[str, dict[str, str]] = defaultdict(dict)
    for po in sorted(ROOT.glob("apps/*/locale/zh_Hans/LC_MESSAGES/django.po")):
        for context, msgid, msgstr in _ENTRY.findall(po.read_text(encoding="utf-8")):
            if msgid and not context:
                seen[msgid][po.parts[-5]] = msgstr
    clashes = {m: per for m, per in seen.items() if len(set(per.values())) > 1 and m not in SYNONYMS}
    assert not clashes, f"give these a context (pgettext) where the meaning differs: {clashes}"


@pytest.mark.parametrize(
    ("context", "msgid", "zh"),
    [
        ("venue status", "Open", "开放"),
        ("venue status", "Closed", "已关闭"),
        ("alert status", "Open", "待处理"),
        ("ticket status", "Open", "待办"),
        ("ticket status", "Closed", "已办结"),
        ("one-time code", "Code", "验证码"),
        ("health code", "Code", "健康码"),
        ("identifier", "Code", "编号"),
        ("place", "Name", "名称"),
        ("organisation", "Name", "名称"),
        ("network", "Address", "IP 地址"),
        ("status change", "To", "转为"),
        ("case origin", "Imported", "输入"),
        ("submission", "Report", "报送"),
    ],
)
def test_each_meaning_has_its_own_translation(context: str, msgid: str, zh: str) -> None:
    with translation.override("zh-hans"):
        assert pgettext(context, msgid) == zh
    with translation.override("en"):
        assert pgettext(context, msgid) == msgid


def test_a_persons_name_is_still_a_personal_name() -> None:
    with translation.override("zh-hans"):
        assert (gettext("Name"), gettext("Address")) == ("姓名", "住址")


def test_the_sign_in_page_asks_for_the_one_time_code() -> None:
    from django.template.loader import render_to_string

    with translation.override("zh-hans"):
        html = render_to_string("codes/signin.html", {"sent": True, "phone": "13800000000"})
    assert '<label>验证码<input name="code"' in html

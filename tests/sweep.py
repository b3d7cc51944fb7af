"""Every page of the site, filled from the demo city: the URL patterns, their parameters, and the visible text.

Used by tests/test_every_page.py (every page, every demo role, in Chinese) and usable by hand against a demo
database (`DATABASE_URL=... python -m tests.sweep`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

# Prefixes that are not pages: the JSON API (fuzzed by its own test), the Django admin, the language switch.
NOT_PAGES = ("api/", "admin/", "i18n/")


def page_patterns() -> list[tuple[str, str]]:
    """(route, "namespace:name") of every page under tongchou/urls.py and apps/*/urls.py."""

    def walk(patterns: list[Any], prefix: str, ns: str | None) -> Iterator[tuple[str, str]]:
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern), p.namespace or ns)
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), f"{ns}:{p.name}" if ns else str(p.name)

    return [(route, name) for route, name in walk(get_resolver().url_patterns, "", None) if not route.startswith(NOT_PAGES)]


def _first(model_path: str, field: str = "pk", **filters: Any) -> Callable[[], Any]:
    def get() -> Any:
        from django.apps import apps

        model = apps.get_model(model_path)
        qs = model.objects.filter(**filters).order_by("pk")
        return qs.values_list(field, flat=True).first()

    return get


# Path parameters of each page, taken from the demo city (district A first: most demo roles hold it).
PARAMS: dict[str, dict[str, Callable[[], Any]]] = {
    "geo:node": {"code": lambda: "990101"},
    "people:detail": {"pk": _first("people.Person", area__code__startswith="990101")},
    "people:reveal": {"pk": _first("people.Person", area__code__startswith="990101")},
    "people:import-job": {"pk": _first("people.ImportBatch", kind="persons")},
    "codes:override_decide": {"pk": _first("codes.Override")},
    "codes:person": {"pk": _first("people.Person", area__code__startswith="990101")},
    "codes:override_new": {"pk": _first("people.Person", area__code__startswith="990101")},
    "venues:alert_handle": {"pk": _first("venues.Alert", venue__area__code__startswith="990101")},
    "venues:detail": {"pk": _first("venues.Venue", area__code__startswith="990101")},
    "projects:detail": {"pk": _first("projects.Project")},
    "projects:progress": {"pk": _first("projects.Project")},
    "projects:milestone_new": {"pk": _first("projects.Project")},
    "indicators:detail": {"code": _first("indicators.Indicator", "code")},
    "prices:item": {"code": _first("prices.PriceItem", "code")},
    "society:school": {"pk": _first("society.School")},
    "society:dispute": {"pk": _first("society.Dispute")},
    "society:dispute_transition": {"pk": _first("society.Dispute")},
    "society:dispute_reveal": {"pk": _first("society.Dispute")},
    "cases:contact_decide": {"pk": _first("cases.Contact")},
    "cases:detail": {"pk": _first("cases.Case")},
    "cases:transition": {"pk": _first("cases.Case")},
    "cases:trace": {"pk": _first("cases.Case")},
    "cases:link": {"pk": _first("cases.Case")},
    "quarantine:order_decide": {"pk": _first("quarantine.QuarantineOrder", area__code__startswith="990101")},
    "quarantine:alert_close": {"pk": _first("quarantine.QuarantineAlert", area__code__startswith="990101")},
    "quarantine:request_done": {"pk": _first("quarantine.StayRequest")},
    "quarantine:stay": {"pk": _first("quarantine.Stay", area__code__startswith="990101")},
    "quarantine:stay_act": {"pk": _first("quarantine.Stay", area__code__startswith="990101")},
    "quarantine:certificate": {"pk": _first("quarantine.Stay", area__code__startswith="990101", status="released")},
    "quarantine:board": {"pk": _first("quarantine.Site", area__code__startswith="990101")},
    "quarantine:room_status": {"pk": _first("quarantine.Room", site__area__code__startswith="990101")},
    "arrivals:detail": {"pk": _first("arrivals.Traveller", destination_area__code__startswith="990101")},
    "arrivals:advance": {"pk": _first("arrivals.Traveller", destination_area__code__startswith="990101")},
    "enterprises:ticket": {"pk": _first("enterprises.Ticket", events__kind="escalated")},
    "enterprises:detail": {"pk": _first("enterprises.Enterprise", area__code__startswith="990101")},
    "enterprises:action": {"pk": _first("enterprises.Enterprise", area__code__startswith="990101"),
                           "action": lambda: "status"},
    "screening:import": {"pk": _first("screening.ScreeningList", area__code__startswith="990101")},
    "screening:import-report": {"pk": _first("screening.ListImport", list__area__code__startswith="990101")},
    "screening:decide": {"pk": _first("screening.LinkCandidate", area__code__startswith="990101")},
    "screening:visit": {"pk": _first("screening.WorkItem", area__code__startswith="990101")},
    "command:task": {"pk": _first("command.Task", area__code__startswith="990101")},
    "command:task_act": {"pk": _first("command.Task", area__code__startswith="990101")},
    "command:inbox_open": {"pk": _first("command.Notification")},
    "command:briefing": {"pk": _first("command.Briefing", status="published")},
    "command:briefing_pdf": {"pk": _first("command.Briefing", status="published")},
}  # fmt: skip


def page_urls() -> list[tuple[str, str]]:
    """(name, path) of every page with its parameters filled; a page whose object is missing is left out."""
    from django.urls import reverse

    out = []
    for _route, name in page_patterns():
        params = PARAMS.get(name, {})
        kwargs = {k: get() for k, get in params.items()}
        if any(v is None for v in kwargs.values()):
            continue
        out.append((name, reverse(name, kwargs=kwargs)))
    return out


# textarea holds what a user edits (as an input's value attribute), e.g. the JSON of the code rules.
_HIDDEN_TAGS = {"script", "style", "template", "head", "textarea"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Text(HTMLParser):
    """Text a reader sees: no tags, no attributes, nothing in script/style/template or under `hidden`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            return
        hidden = tag in _HIDDEN_TAGS or any(k == "hidden" or (k == "aria-hidden" and v == "true") for k, v in attrs)
        self.stack.append(hidden or (bool(self.stack) and self.stack[-1]))

    def handle_endtag(self, tag: str) -> None:
        if tag not in _VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts)).strip()


# What must never be seen on a Chinese page.
PYTHON_REPR = re.compile(r"\{'|'\}|\['|'\]")
# Python's constants printed as they are (on an English page "None" may be a word of the sentence).
PYTHON_CONSTANTS = re.compile(r"\bNone\b|\bTrue\b|\bFalse\b")
# A time written by Python for a machine (ISO with its offset, or "UTC"): pages show Shanghai time, "Y-m-d H:i".
MACHINE_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d|[+-]00:00\b|\bUTC\b")
# Column names of import files, which a user must type as they are.
FILE_COLUMNS = {"doc_number", "person_id", "sample_id", "sampled_at", "ct_value", "name_zh", "name_en", "credit_code"}
SNAKE_CASE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
# Four lowercase English words in a row: an untranslated sentence (a service message, a help text).
ENGLISH_PHRASE = re.compile(r"\b[a-z]{2,}(?: [a-z]{2,}){3,}\b")
ENGLISH_UI = re.compile(
    r"\b(?:Code colours|Code rules|My code|on_time|late|missing|no such person|enter a mobile phone number"
    r"|the code is wrong|has expired|Created|Changed|Revealed|Signed in|Home|Persons|Import|Duplicates|Projects"
    r"|Indicators|Prices|Schools|Disputes|Cases|Epidemiology|Economy|Enterprises|Hotline|Checkpoint|Venues"
    r"|Alerts|Audit log|Sign out|Save|Search|Filter|Export|Reveal|Name|Status|Area|Page|Next|Previous"
    r"|Open|Closed|Pending|Approved|Rejected|Resolved|Assigned|Escalated|escalated to|overdue since|yes|no|none|ago)\b"
)


def raw_values(text: str, *, allowed: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    """What no page shows in any language: Python reprs, machine times, snake_case enum values."""
    found = [m.group(0) for m in PYTHON_REPR.finditer(text)]
    found += [m.group(0) for m in MACHINE_TIME.finditer(text)]
    found += [m.group(0) for m in SNAKE_CASE.finditer(text) if m.group(0) not in allowed | FILE_COLUMNS]
    return sorted(set(found))


def untranslated(text: str, *, allowed: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    """The known untranslated strings in a page's visible text (snake_case names listed in `allowed` excepted)."""
    found = raw_values(text, allowed=allowed)
    found += [m.group(0) for m in PYTHON_CONSTANTS.finditer(text)]
    found += [m.group(0) for m in ENGLISH_UI.finditer(text)]
    found += [m.group(0) for m in ENGLISH_PHRASE.finditer(text)]
    return sorted(set(found))

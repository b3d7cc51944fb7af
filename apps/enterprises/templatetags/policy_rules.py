"""A policy's eligibility rule as sentences in the reader's language, not as the stored JSON.

`{% for line in policy.rule|rule_lines %}` lists the conditions; `{% for line in match|match_lines %}` lists them
with whether this enterprise meets each (the core's explanations come in the same pre-order as the rule's nodes).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from apps.enterprises.choices import IndustrySection, Reason, SizeClass, Status

register = template.Library()

ATTR_LABELS = {
    "size_class": gettext_lazy("size class"),
    "industry_section": gettext_lazy("industry section"),
    "district": pgettext_lazy("policy rule", "district"),
    "above_designated_size": gettext_lazy("above designated size (四上)"),
    "employees": gettext_lazy("employees"),
    "annual_revenue": gettext_lazy("annual revenue (10k yuan)"),
    "status": gettext_lazy("resumption status"),
    "reasons": gettext_lazy("reasons for not resuming"),
}
VALUE_LABELS: dict[str, dict[str, Any]] = {
    "size_class": dict(SizeClass.choices),
    "industry_section": dict(IndustrySection.choices),
    "status": dict(Status.choices),
    "reasons": dict(Reason.choices),
}
ORDER_WORDS = {"lt": "<", "lte": "≤", "gt": ">", "gte": "≥"}


def _value(attr: str, value: object) -> str:
    if isinstance(value, bool):
        return pgettext("policy rule", "yes") if value else pgettext("policy rule", "no")
    return str(VALUE_LABELS.get(attr, {}).get(value, value))


def _values(attr: str, values: Any) -> str:
    return pgettext("list separator", ", ").join(_value(attr, v) for v in values) if isinstance(values, (list, tuple, set)) else _value(attr, values)


def _sentence(node: dict[str, Any]) -> str:
    if "all" in node:
        return _("all of the following hold") if node["all"] else _("every enterprise qualifies")
    if "any" in node:
        return _("at least one of the following holds")
    if "not" in node:
        return _("the following does not hold")
    attr = str(node.get("attr", ""))
    ops = [k for k in node if k != "attr"]
    if len(ops) != 1:
        return _("an unreadable condition")
    op, expected = ops[0], node[ops[0]]
    label = str(ATTR_LABELS.get(attr, attr))
    params = {"attr": label, "value": _values(attr, expected)}
    if op in ORDER_WORDS:
        return f"{label} {ORDER_WORDS[op]} {_value(attr, expected)}"
    texts = {
        "eq": _("%(attr)s is %(value)s"),
        "ne": _("%(attr)s is not %(value)s"),
        "in": _("%(attr)s is one of: %(value)s"),
        "not_in": _("%(attr)s is none of: %(value)s"),
        "contains": _("%(attr)s include %(value)s"),
        "contains_any": _("%(attr)s include any of: %(value)s"),
        "contains_all": _("%(attr)s include all of: %(value)s"),
    }
    return texts.get(op, _("an unreadable condition")) % params


def _walk(node: Any, depth: int, out: list[dict[str, Any]]) -> None:
    if not isinstance(node, dict):
        out.append({"depth": depth, "text": _("an unreadable condition")})
        return
    out.append({"depth": depth, "text": _sentence(node)})
    for key in ("all", "any"):
        for child in node.get(key, []) if isinstance(node.get(key), list) else []:
            _walk(child, depth + 1, out)
    if "not" in node:
        _walk(node["not"], depth + 1, out)


@register.filter
def rule_lines(rule: Any) -> list[dict[str, Any]]:
    """Each node of the rule, pre-order: {depth, text}."""
    out: list[dict[str, Any]] = []
    _walk(rule, 0, out)
    return out


@register.filter
def match_lines(match: dict[str, Any]) -> list[dict[str, Any]]:
    """The rule's lines with `passed` from the core's explanations of one enterprise."""
    lines = rule_lines(match["policy"].rule)
    explanations = list(match.get("explanations") or [])
    for line, why in zip(lines, explanations, strict=False):
        line["passed"] = why.passed
    return lines

"""Template helpers of the cases pages: evidence instants (epoch seconds) shown in local time."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def epoch(value: Any, fmt: str = "%m-%d %H:%M") -> str:
    if value in (None, ""):
        return ""
    return timezone.localtime(dt.datetime.fromtimestamp(int(value), dt.UTC)).strftime(fmt)


@register.filter
def get(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key) if mapping else None


@register.filter
def colour_label(colour: str | None) -> str:
    from django.utils.translation import gettext

    labels = {"green": gettext("Green"), "yellow": gettext("Yellow"), "red": gettext("Red")}
    return labels.get(colour or "", "—")


@register.filter
def minutes(seconds: Any) -> str:
    return "" if seconds in (None, "") else str(int(seconds) // 60)

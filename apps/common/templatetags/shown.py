"""`{{ error.message|shown }}`: a service's English message in the reader's language (see apps.common.messages)."""

from __future__ import annotations

from django import template

from apps.common.messages import field_label as field_label_of
from apps.common.messages import shown as shown_message

register = template.Library()


@register.filter
def shown(message: object) -> str:
    return shown_message(message)


@register.filter
def label_of(value: object, choices: object) -> object:
    """`{{ s.kind|label_of:kinds }}`: a stored choice value shown by its label from a `.choices` list."""
    try:
        return dict(choices).get(value, value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return value


@register.filter
def field_label(field: object) -> str:
    """`{{ d.field|field_label }}`: the field an error names, as the reader knows it."""
    return field_label_of(field)

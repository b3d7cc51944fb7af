"""Per-field evidence of a link candidate, in words a reviewer reads (the model's level labels are Splink's)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

FIELD_NAMES = {
    "name": _("name"),
    "birth": _("birth date"),
    "phone": _("phone"),
    "sex": _("sex"),
    "area": _("address area"),
}
LEVEL_WORDS = {
    "same pinyin": _("same pinyin, different characters"),
    "same surname": _("same surname only"),
    "day and month swapped": _("day and month swapped"),
    "same community": _("same community"),
    "same street": _("same street"),
    "same district": _("same district"),
}


def level_words(label: str) -> Any:
    if label in LEVEL_WORDS:
        return LEVEL_WORDS[label]
    if label.startswith("Exact match"):
        return pgettext_lazy("linkage evidence", "identical")
    if label.endswith("is NULL"):
        return pgettext_lazy("linkage evidence", "missing")
    if "Jaro" in label or "Levenshtein" in label:
        return pgettext_lazy("linkage evidence", "similar")
    return pgettext_lazy("linkage evidence", "different")


def evidence_rows(evidence: dict[str, Any]) -> list[dict[str, Any]]:
    """(field, what the comparison found, its weight in bits: positive for, negative against)."""
    return [
        {
            "field": FIELD_NAMES.get(f, f),
            "found": level_words(str(e.get("label", ""))),
            "weight": e.get("weight"),
        }
        for f, e in evidence.items()
    ]

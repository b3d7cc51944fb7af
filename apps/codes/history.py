"""The person page's history entry from the codes app: the current colour with its reasons."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from apps.accounts.choices import Perm
from apps.accounts.scoping import has_perm_at
from apps.codes.models import HealthCode
from apps.people.history import HistoryItem


def code_history(user: Any, person: Any) -> list[HistoryItem]:
    if not has_perm_at(user, Perm.CODE_VIEW, person.area_id):
        return []
    code = HealthCode.objects.filter(person_id=person.pk).first()
    if code is None:
        return []
    lang = "zh" if (translation.get_language() or "zh-hans").startswith("zh") else "en"
    reasons = "; ".join(str(r.get(lang, r.get("code", ""))) for r in code.reasons) or _("no reason to restrict")
    text = _("Health code %(colour)s: %(reasons)s") % {"colour": code.get_colour_display(), "reasons": reasons}
    return [HistoryItem(at=code.computed_at, kind=_("health code"), text=text, colour=code.colour,
                        url=reverse("codes:person", args=[person.pk]))]

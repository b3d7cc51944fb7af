"""Template context: the navigation a user sees depends on what their roles allow."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from apps.accounts.choices import Perm
from apps.accounts.scoping import has_perm_anywhere

# (url name, label, permission needed or None). Modules of later issues add their entries here.
NAVIGATION: list[tuple[str, Any, str | None]] = [
    ("home", _("Home"), None),
    ("command:dashboard", _("Headquarters"), Perm.COMMAND_DASHBOARD),
    ("command:inbox", _("Inbox"), None),
    ("command:tasks", _("Supervised tasks"), Perm.TASK_VIEW),
    ("command:briefing_manage", _("Daily briefing"), Perm.BRIEFING_EDIT),
    ("command:supplies", _("Supplies"), Perm.SUPPLY_VIEW),
    ("geo:tree", _("Areas"), None),
    ("people:list", _("Persons"), Perm.PERSON_VIEW),
    ("people:import", _("Import"), Perm.PERSON_IMPORT),
    ("people:merge", _("Duplicates"), Perm.PERSON_MERGE),
    ("people:referrals", _("Referrals"), Perm.PERSON_CHANGE),
    ("projects:list", _("Projects"), Perm.PROJECT_VIEW),
    ("indicators:overview", _("Indicators"), Perm.INDICATOR_VIEW),
    ("prices:overview", _("Prices"), Perm.PRICE_VIEW),
    ("society:schools", _("Schools"), Perm.SCHOOL_VIEW),
    ("society:disputes", _("Disputes"), Perm.DISPUTE_VIEW),
    ("cases:list", _("Cases"), Perm.CASE_VIEW),
    ("epi:dashboard", _("Epidemiology"), Perm.EPI_VIEW),
    ("arrivals:board", _("Arrivals"), Perm.ARRIVAL_VIEW),
    ("arrivals:port", _("Port screening"), Perm.ARRIVAL_CHANGE),
    ("arrivals:trust", _("Trust lists"), Perm.TRUST_MANAGE),
    ("enterprises:dashboard", _("Economy"), Perm.ECONOMY_DASHBOARD),
    ("enterprises:list", _("Enterprises"), Perm.ENTERPRISE_VIEW),
    ("enterprises:tickets", _("Hotline"), Perm.HOTLINE_HANDLE),
    ("enterprises:mine", _("My enterprise"), Perm.ENTERPRISE_FILE),
    ("codes:my", _("My code"), Perm.CODE_SELF),
    ("quarantine:mine", _("My quarantine"), Perm.CODE_SELF),
    ("quarantine:sites", _("Quarantine"), "quarantine.view"),
    ("quarantine:capacity", _("Quarantine capacity"), "quarantine.view"),
    ("screening:work", _("Visits"), Perm.SCREENING_VISIT),
    ("screening:reconciliation", _("Screening"), Perm.SCREENING_VIEW),
    ("screening:candidates", _("Link review"), Perm.SCREENING_REVIEW),
    ("venues:checkpoint", _("Checkpoint"), Perm.SCAN_UPLOAD),
    ("venues:list", _("Venues"), Perm.VENUE_VIEW),
    ("venues:alerts", _("Alerts"), Perm.ALERT_VIEW),
    ("codes:counts", _("Code colours"), Perm.CODE_VIEW),
    ("codes:rulesets", _("Code rules"), Perm.CODE_RULES),
    ("accounts:audit", _("Audit log"), Perm.AUDIT_VIEW),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for name, label, perm in NAVIGATION:
        if perm is not None and not has_perm_anywhere(user, perm):
            continue
        try:
            items.append((reverse(name), label))
        except NoReverseMatch:  # a module listed before its pages are installed: leave it out of the menu
            continue
    return {"nav_items": items}

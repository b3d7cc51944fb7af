"""Alert on what needs action: the fever threshold of the code rules and core.scanalerts' rule, fed from the database."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_noop

from core.scanalerts import AlertPolicy, scan_alert_kinds


def fever_threshold() -> Decimal:
    """发热: the rule set in force today sets it, for the code rules and the checkpoint alerts alike."""
    from apps.codes.rules import current_ruleset

    return Decimal(str(current_ruleset(timezone.localdate()).fever_threshold_celsius))


def alert_policy() -> AlertPolicy:
    return AlertPolicy.from_mapping(getattr(settings, "TONGCHOU_SCAN_ALERTS", None))


def _yellow_reasons(person_ids: Iterable[int]) -> dict[int, list[str]]:
    """The reason codes that make each person's current code yellow (one query)."""
    from apps.codes.models import HealthCode

    out: dict[int, list[str]] = {}
    for pid, reasons in HealthCode.objects.filter(person_id__in=set(person_ids)).values_list(
        "person_id", "reasons"
    ):
        out[pid] = [str(r.get("code")) for r in reasons or () if r.get("colour") == "yellow"]
    return out


def scan_alert_kinds_for(
    scans: list[dict[str, Any]], residence: Mapping[int, str], *, fever: Decimal | None = None
) -> list[tuple[str, ...]]:
    """The alert kinds of each scan (`person_id`, `venue_area`, `colour`, `temperature`), in order."""
    fever = fever_threshold() if fever is None else fever
    policy = alert_policy()
    reasons = _yellow_reasons(s["person_id"] for s in scans if s["colour"] == "yellow")
    return [
        scan_alert_kinds(
            colour=s["colour"],
            temperature=s["temperature"],
            fever_threshold=fever,
            yellow_reasons=reasons.get(s["person_id"]),
            residence_area=residence.get(s["person_id"], ""),
            venue_area=s["venue_area"],
            policy=policy,
        )
        for s in scans
    ]


# Notification titles (apps.common.notify): English msgids formatted with the venue, shown in each reader's language.
ALERT_TITLES = {
    "red_code": gettext_noop("Red code at %(venue)s"),
    "yellow_code": gettext_noop("Yellow code at %(venue)s"),
    "fever": gettext_noop("Fever at %(venue)s: %(temperature)s °C"),
}


def alert_notes(alerts: Iterable[Any]) -> list[dict[str, object]]:
    """The notification-centre entries of new alerts: for the officers of the venue's and the residence's areas."""
    return [
        {
            "kind": f"venues.{a.kind}",
            "title": ALERT_TITLES[a.kind],
            "params": {"venue": a.venue.name, "temperature": a.temperature or ""},
            "area_code": a.venue_area_id,
            "also_area_code": a.residence_area_id,
            "perm": "alert.view",
            "severity": "urgent" if a.kind == "red_code" else "warning",
            "link": "/venues/alerts/",
            "source_ref": f"venues.alert:{a.pk}",
        }
        for a in alerts
    ]

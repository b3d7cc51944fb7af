"""Health-code facts from the cases app: case status, confirmed contacts, negative tests (a provider for
apps.codes.facts; three queries per call whatever the number of persons)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from apps.cases.choices import CaseStatus, ContactDegree, ContactStatus, LabResultValue
from apps.cases.models import Case, Contact, LabResult
from apps.codes.facts import PersonChunk
from core import coderules

LOOKBACK_DAYS = 130

_STATUS = {
    CaseStatus.SUSPECTED: coderules.CaseStatus.SUSPECTED,
    CaseStatus.CONFIRMED: coderules.CaseStatus.CONFIRMED,
    CaseStatus.HOSPITALISED: coderules.CaseStatus.CONFIRMED,
    CaseStatus.ASYMPTOMATIC: coderules.CaseStatus.ASYMPTOMATIC,
    CaseStatus.RECOVERED: coderules.CaseStatus.RECOVERED,
    CaseStatus.EXCLUDED: coderules.CaseStatus.EXCLUDED,
    CaseStatus.DIED: coderules.CaseStatus.DIED,
}
# The instant each status began, from the case's own dates.
_STATUS_SINCE = {
    CaseStatus.SUSPECTED: ("reported_at", "created_at"),
    CaseStatus.CONFIRMED: ("confirmed_at", "created_at"),
    CaseStatus.HOSPITALISED: ("confirmed_at", "created_at"),
    CaseStatus.ASYMPTOMATIC: ("lab_confirmed_at", "created_at"),
    CaseStatus.RECOVERED: ("closed_at", "updated_at"),
    CaseStatus.EXCLUDED: ("closed_at", "updated_at"),
    CaseStatus.DIED: ("closed_at", "updated_at"),
}


def _day(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date()


def case_facts(chunk: PersonChunk) -> dict[int, dict[str, Any]]:
    who = chunk.where()
    out: dict[int, dict[str, Any]] = {}
    since = timezone.now() - dt.timedelta(days=LOOKBACK_DAYS)
    cases = (
        Case.objects.filter(**who)
        .order_by("id")
        .only(
            "person_id",
            "status",
            "reported_at",
            "confirmed_at",
            "lab_confirmed_at",
            "closed_at",
            "created_at",
            "updated_at",
        )
    )
    for case in cases:  # later cases overwrite earlier ones: the latest case decides
        if case.status not in _STATUS:
            continue  # a fever-clinic report alone is not a code fact
        instant = next(getattr(case, f) for f in _STATUS_SINCE[case.status] if getattr(case, f) is not None)
        out.setdefault(case.person_id, {}).update(
            case_status=_STATUS[case.status], case_status_on=_day(instant)
        )
    contacts = Contact.objects.filter(
        **who, status=ContactStatus.CONFIRMED, last_exposed_at__gte=since
    ).values_list("person_id", "degree", "last_exposed_at")
    for person, degree, last in contacts:
        facts = out.setdefault(person, {})
        kind = (
            coderules.ContactStatus.CLOSE
            if degree == ContactDegree.CLOSE
            else coderules.ContactStatus.SECONDARY
        )
        if facts.get("contact_status") != coderules.ContactStatus.CLOSE:
            facts["contact_status"] = kind
        day = _day(last)
        if facts.get("last_exposure_on") is None or day > facts["last_exposure_on"]:
            facts["last_exposure_on"] = day
    negatives = LabResult.objects.filter(
        **who, result=LabResultValue.NEGATIVE, sampled_at__gte=since
    ).values_list("person_id", "sampled_at")
    for person, sampled in negatives:
        facts = out.setdefault(person, {})
        facts["negative_tests"] = (*facts.get("negative_tests", ()), _day(sampled))
    return out

"""Reads of the cases app, always scoped to the caller's jurisdiction in SQL."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from apps.accounts.choices import Perm
from apps.accounts.models import User
from apps.cases.choices import CLASS_STATUSES, ContactStatus
from apps.cases.models import Case, CaseEvent, Cluster, Contact, FollowUp, LabResult, TransmissionLink
from apps.common.errors import NotFound
from apps.people.models import Person
from core.geocodes import AreaCodeError, scope_prefix


@dataclass(frozen=True)
class CaseFilters:
    klass: str = ""
    status: str = ""
    origin: str = ""
    area: str = ""
    reported_from: dt.date | None = None
    reported_to: dt.date | None = None
    onset_from: dt.date | None = None
    onset_to: dt.date | None = None
    cluster: int | None = None


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def cases_list(*, user: User, filters: CaseFilters | None = None) -> QuerySet[Case]:
    """Cases in the user's jurisdiction, newest first; every filter is an indexed condition and the
    person and area come in the same query (one query per page, no COUNT)."""
    f = filters or CaseFilters()
    qs = Case.objects.visible_to(user, Perm.CASE_VIEW)
    if f.klass:
        qs = qs.filter(status__in=CLASS_STATUSES.get(f.klass, ()))
    if f.status:
        qs = qs.filter(status=f.status)
    if f.origin:
        qs = qs.filter(origin=f.origin)
    if f.area:
        try:
            qs = qs.filter(area__code__startswith=scope_prefix(f.area))
        except AreaCodeError:
            qs = qs.none()
    if f.reported_from:
        qs = qs.filter(reported_at__gte=_day_start(f.reported_from))
    if f.reported_to:
        qs = qs.filter(reported_at__lt=_day_start(f.reported_to + dt.timedelta(days=1)))
    if f.onset_from:
        qs = qs.filter(onset_date__gte=f.onset_from)
    if f.onset_to:
        qs = qs.filter(onset_date__lte=f.onset_to)
    if f.cluster:
        qs = qs.filter(cluster_id=f.cluster)
    qs = qs.select_related("person", "area", "cluster")
    key = case_order_key(f)
    # A date range is walked along its own index, newest first: no sort of the whole range.
    return qs.order_by(f"-{key}", "-id") if key else qs.order_by("-id")


def case_order_key(f: CaseFilters) -> str | None:
    if f.reported_from or f.reported_to:
        return "reported_at"
    if f.onset_from or f.onset_to:
        return "onset_date"
    return None


def cases_after(qs: QuerySet[Case], key: str | None, cursor: str) -> QuerySet[Case]:
    """Keyset pagination: the rows after `cursor` ("<id>" or "<key value>|<id>") in the list's order, so
    page 500 costs what page 1 costs (no OFFSET over the rows before it). A bad cursor gives page 1."""
    value, _, pk = cursor.rpartition("|")
    if not pk.isdigit():
        return qs
    if key is None:
        return qs.filter(id__lt=int(pk))
    parsed: Any = parse_datetime(value) if key == "reported_at" else parse_date(value) if value else None
    if parsed is None:
        return qs
    return qs.filter(Q(**{f"{key}__lt": parsed}) | Q(**{key: parsed, "id__lt": int(pk)}))


def case_cursor(case: Case, key: str | None) -> str:
    if key is None:
        return str(case.pk)
    value = getattr(case, key)
    return f"{value.isoformat()}|{case.pk}"


def case_get(*, user: User, pk: int) -> Case:
    case = (
        Case.objects.visible_to(user, Perm.CASE_VIEW)
        .select_related("person", "area", "cluster", "created_by")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise NotFound("case_not_found", "no such case in your jurisdiction")
    return case


def case_timeline(*, case: Case) -> list[dict[str, Any]]:
    """Everything that happened to a case, in time order: its dates, life-cycle steps and lab results."""
    items: list[dict[str, Any]] = []
    labels = {f.name: f.verbose_name for f in Case._meta.fields}
    for name in (
        "first_visit_at",
        "reported_at",
        "quarantined_at",
        "isolated_at",
        "sampled_at",
        "lab_confirmed_at",
        "confirmed_at",
        "admitted_at",
        "discharged_at",
    ):
        value = getattr(case, name)
        if value is not None:
            items.append({"at": value, "kind": "date", "label": labels[name]})
    if case.onset_date:
        onset = timezone.make_aware(dt.datetime.combine(case.onset_date, dt.time.min))
        items.append({"at": onset, "kind": "date", "label": labels["onset_date"]})
    for event in CaseEvent.objects.filter(case=case).select_related("actor"):
        items.append({"at": event.at, "kind": "event", "event": event})
    for result in LabResult.objects.filter(case=case).order_by("sampled_at"):
        items.append({"at": result.sampled_at, "kind": "lab", "lab": result})
    items.sort(key=lambda i: (i["at"], {"date": 0, "event": 1, "lab": 2}[i["kind"]]))
    return items


def case_delays(*, case: Case) -> list[tuple[str, float | None]]:
    """The four "earlies" of one case in days: onset → first visit → report → isolation (→ admission)."""

    def days(a: dt.datetime | None, b: dt.datetime | None) -> float | None:
        return None if a is None or b is None else round((b - a).total_seconds() / 86400, 1)

    onset = None if case.onset_date is None else _day_start(case.onset_date)
    return [
        ("onset_to_visit", days(onset, case.first_visit_at)),
        ("visit_to_report", days(case.first_visit_at, case.reported_at)),
        ("report_to_isolation", days(case.reported_at, case.isolated_at)),
        ("onset_to_isolation", days(onset, case.isolated_at)),
    ]


def contacts_of_case(*, case: Case) -> QuerySet[Contact]:
    return Contact.objects.filter(case=case).select_related("person", "person__area", "via", "decided_by")


def contact_suggestions(
    *, user: User, status: str = ContactStatus.SUGGESTED, case: int | None = None
) -> QuerySet[Contact]:
    qs = Contact.objects.filter(Q(status=status) if status else Q()).filter(
        case__in=Case.objects.visible_to(user, Perm.CASE_VIEW)
    )
    if case:
        qs = qs.filter(case_id=case)
    return qs.select_related("case", "person", "person__area", "via").order_by(
        "case_id", "degree", "first_exposed_at"
    )


def contact_get(*, user: User, pk: int) -> Contact:
    contact = (
        Contact.objects.filter(pk=pk, case__in=Case.objects.visible_to(user, Perm.CASE_VIEW))
        .select_related("case", "person")
        .first()
    )
    if contact is None:
        raise NotFound("contact_not_found", "no such contact in your jurisdiction")
    return contact


def venue_names(ids: set[int]) -> dict[int, str]:
    from apps.venues.models import Venue

    return dict(Venue.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}


def links_of_case(*, case: Case) -> QuerySet[TransmissionLink]:
    return TransmissionLink.objects.filter(Q(infector=case) | Q(infectee=case)).select_related(
        "infector__person", "infectee__person"
    )


def clusters_list(*, user: User, area: str = "") -> QuerySet[Cluster]:
    visible = Case.objects.visible_to(user, Perm.CASE_VIEW)
    qs = Cluster.objects.filter(pk__in=visible.filter(cluster__isnull=False).values("cluster_id"))
    if area:
        qs = qs.filter(cases__area__code__startswith=area).distinct()
    return qs.select_related("area").order_by("-last_day", "-size")


def person_cases(*, user: User, person: Person) -> QuerySet[Case]:
    """A person's cases for their history (jurisdiction-scoped like every list)."""
    return Case.objects.visible_to(user, Perm.CASE_VIEW).filter(person=person).order_by("-id")


def follow_ups(*, user: User, status: str = "open") -> QuerySet[FollowUp]:
    """Confirmed contacts under medical observation (quarantine candidates) of the user's cases."""
    qs = FollowUp.objects.filter(contact__case__in=Case.objects.visible_to(user, Perm.CASE_VIEW))
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("person", "contact").order_by("until", "id")


def follow_up_get(*, user: User, pk: int) -> FollowUp:
    row = follow_ups(user=user, status="").filter(pk=pk).select_related("contact__case").first()
    if row is None:
        raise NotFound("follow_up_not_found", "no such follow-up in your jurisdiction")
    return row

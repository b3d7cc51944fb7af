"""Reads of the venues app, every one scoped to the caller's jurisdiction in SQL."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from apps.accounts.choices import Perm
from apps.accounts.models import User
from apps.accounts.scoping import area_q
from apps.common.errors import NotFound
from apps.venues.choices import AlertStatus
from apps.venues.models import Alert, Scan, Venue


def venues_list(*, user: User, area: str = "", category: str = "", query: str = "") -> QuerySet[Venue]:
    qs = Venue.objects.visible_to(user, Perm.VENUE_VIEW)
    if area:
        qs = qs.filter(area__code__startswith=area)
    if category:
        qs = qs.filter(category=category)
    if query:
        qs = qs.filter(name__icontains=query)
    return qs.order_by("area_id", "name")


def venue_get(*, user: User, pk: int) -> Venue:
    venue = venues_list(user=user).filter(pk=pk).first()
    if venue is None:
        raise NotFound("not_found", "no such venue in your jurisdiction")
    return venue


def scans_list(
    *, user: User, venue_id: int | None = None, person_id: int | None = None, since: dt.datetime | None = None
) -> QuerySet[Scan]:
    """Scans at venues in the user's jurisdiction or of persons living there, newest first."""
    q = area_q(user, Perm.VENUE_VIEW, "venue__area") | area_q(user, Perm.VENUE_VIEW, "person__area")
    qs = Scan.objects.filter(q)
    if venue_id is not None:
        qs = qs.filter(venue_id=venue_id)
    if person_id is not None:
        qs = qs.filter(person_id=person_id)
    if since is not None:
        qs = qs.filter(scanned_at__gte=since)
    return qs.select_related("venue", "person").order_by("-scanned_at", "-id")


def alerts_list(*, user: User, status: str = "", area: str = "") -> QuerySet[Alert]:
    """Alerts for the officers of the venue's area and of the person's residence area; `area` keeps the alerts at
    venues in that area (the headquarters dashboard counts by where the alert happened)."""
    q = area_q(user, Perm.ALERT_VIEW, "venue_area") | area_q(user, Perm.ALERT_VIEW, "residence_area")
    qs = Alert.objects.filter(q)
    if status:
        qs = qs.filter(status=status)
    if area:
        qs = qs.filter(venue_area__code__startswith=area)
    return qs.select_related("venue", "person").order_by("-occurred_at", "-id")


def alert_get(*, user: User, pk: int) -> Alert:
    alert = alerts_list(user=user).filter(pk=pk).first()
    if alert is None:
        raise NotFound("not_found", "no such alert in your jurisdiction")
    return alert


def open_alert_count(*, user: User) -> int:
    return alerts_list(user=user, status=AlertStatus.OPEN).count()


def venue_throughput(*, user: User, days: int = 1) -> list[dict[str, object]]:
    """Scans per visible venue over the last `days` days (checkpoint throughput)."""
    since = timezone.now() - dt.timedelta(days=days)
    return list(
        venues_list(user=user)
        .annotate(
            n=Count("scans", filter=Q(scans__scanned_at__gte=since)),
            flagged=Count(
                "scans", filter=Q(scans__scanned_at__gte=since) & ~Q(scans__colour__in=["", "green"])
            ),
        )
        .values("pk", "name", "category", "area_id", "n", "flagged")
        .order_by("-n")[:200]
    )


def venues_for_upload(*, user: User) -> QuerySet[Venue]:
    """Venues where the user may record scans (a checkpoint operator's own posts)."""
    return Venue.objects.filter(area_q(user, Perm.SCAN_UPLOAD)).order_by("area_id", "name")

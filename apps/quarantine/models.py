"""Quarantine: policies as data, orders, sites and rooms, stays with bed allocations the database keeps unique,
check-ins, alerts, requests, early-release approvals and site inspections."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.accounts.scoping import area_q
from apps.common.apitypes import LONG_TEXT
from apps.quarantine.choices import (
    OPEN_STAY_STATUSES,
    AlertKind,
    AlertStatus,
    EarlyReleaseStatus,
    EventKind,
    OrderSource,
    OrderStatus,
    RequestKind,
    RequestStatus,
    RoomStatus,
    RoomType,
    SiteKind,
    StayKind,
    StayStatus,
)
from core import quarantine as core

USER = settings.AUTH_USER_MODEL


class QuarantinePolicy(models.Model):
    """One version of a policy (core.quarantine.Policy as data): the version in effect for a kind is the one with
    the latest effective date not after the day."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=StayKind.choices)
    effective_from = models.DateField(_("effective from"))
    phases = models.JSONField(_("phases"))  # [{"kind": ..., "days": n}, ...]
    test_days = models.JSONField(_("test days"), default=list)
    release_test_window_days = models.PositiveSmallIntegerField(default=2)
    final_negative_tests = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "effective_from"], name="quarantine_policy_kind_day")
        ]
        verbose_name = _("quarantine policy")

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        """The admin's check: core.quarantine validates phases, test days and the release window."""
        from django.core.exceptions import ValidationError

        try:
            self.core()
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationError(str(exc)) from None

    def core(self) -> core.Policy:
        return core.Policy.from_dict(
            {
                "code": self.code,
                "kind": self.kind,
                "effective_from": self.effective_from,
                "phases": self.phases,
                "test_days": self.test_days,
                "release_test_window_days": self.release_test_window_days,
                "final_negative_tests": self.final_negative_tests,
            }
        )


class SiteQuerySet(models.QuerySet["Site"]):
    def visible_to(self, user: User, perm: str = "quarantine.view") -> SiteQuerySet:
        return self.filter(area_q(user, perm))


class Site(models.Model):
    """A quarantine site (隔离点): a requisitioned hotel (征用酒店), a dormitory or other premises."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=SiteKind.choices, default=SiteKind.HOTEL)
    area = models.ForeignKey("geo.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SiteQuerySet.as_manager()

    class Meta:
        ordering = ["area", "name"]
        constraints = [models.UniqueConstraint(fields=["area", "name"], name="quarantine_site_area_name")]
        verbose_name = _("quarantine site")

    def __str__(self) -> str:
        return self.name


class Room(models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="rooms")
    number = models.CharField(_("room"), max_length=16)
    floor = models.SmallIntegerField(_("floor"))
    type = models.CharField(_("type"), max_length=12, choices=RoomType.choices, default=RoomType.SINGLE)
    beds = models.PositiveSmallIntegerField(_("beds"), default=1)
    status = models.CharField(_("status"), max_length=12, choices=RoomStatus.choices, default=RoomStatus.FREE)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["site", "floor", "number"]
        constraints = [
            models.UniqueConstraint(fields=["site", "number"], name="quarantine_room_site_number"),
            models.CheckConstraint(condition=Q(beds__gte=1, beds__lte=12), name="quarantine_room_beds"),
        ]
        indexes = [models.Index(fields=["site", "status"], name="quarantine_room_site_status")]
        verbose_name = _("room")

    def __str__(self) -> str:
        return f"{self.site_id}/{self.number}"


class OrderQuerySet(models.QuerySet["QuarantineOrder"]):
    def visible_to(self, user: User, perm: str = "quarantine.view") -> OrderQuerySet:
        return self.filter(area_q(user, perm))


class QuarantineOrder(models.Model):
    """A decision that a person goes into quarantine, and why: one per exposure (person, source, source_ref)."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="quarantine_orders")
    area = models.ForeignKey("geo.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("source"), max_length=10, choices=OrderSource.choices)
    source_ref = models.CharField(_("exposure"), max_length=120)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=StayKind.choices)
    policy = models.ForeignKey(QuarantinePolicy, on_delete=models.PROTECT, related_name="+")
    last_exposure = models.DateTimeField(_("last exposure"))
    status = models.CharField(
        _("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    stay = models.ForeignKey("Stay", null=True, blank=True, on_delete=models.SET_NULL, related_name="orders")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "source", "source_ref"], name="quarantine_order_exposure"
            )
        ]
        indexes = [models.Index(fields=["status", "area"], name="quarantine_order_status_area")]
        verbose_name = _("quarantine order")

    def __str__(self) -> str:
        return f"order {self.pk} {self.person_id} {self.source}:{self.source_ref}"


class StayQuerySet(models.QuerySet["Stay"]):
    def visible_to(self, user: User, perm: str = "quarantine.view") -> StayQuerySet:
        """A stay is seen in the person's residence jurisdiction and at the site's (a hotel in another
        district holds people of this one); a citizen sees their own."""
        q = area_q(user, perm) | area_q(user, perm, "site__area")
        if user.is_authenticated and getattr(user, "person_id", None) and perm == "quarantine.view":
            q |= Q(person_id=user.person_id)
        return self.filter(q)

    def open(self) -> StayQuerySet:
        return self.filter(status__in=OPEN_STAY_STATUSES)


class Stay(models.Model):
    """A person's quarantine from start to release; at most one open stay per person (database constraint)."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="quarantine_stays")
    area = models.ForeignKey(
        "geo.Area", verbose_name=_("residence"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=StayKind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=StayStatus.choices, default=StayStatus.WAITING
    )
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.PROTECT, related_name="stays")
    policy = models.ForeignKey(QuarantinePolicy, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    last_exposure = models.DateTimeField(_("last exposure"))
    start_day = models.DateField(_("start"))
    quarantine_end = models.DateField(_("quarantine ends"))  # first day out of quarantine proper
    planned_end = models.DateField(_("planned end"))  # first day free of every phase (monitoring included)
    released_on = models.DateField(_("released on"), null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(_("reason"), max_length=300, blank=True)
    responsible = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("responsible"),
    )
    follow_up_id = models.BigIntegerField(null=True, blank=True)  # cases.FollowUp this stay carries on
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StayQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status__in=OPEN_STAY_STATUSES), name="quarantine_stay_one_open"
            ),
            models.CheckConstraint(
                condition=Q(planned_end__gte=models.F("quarantine_end")), name="quarantine_stay_end_order"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "site"], name="quarantine_stay_status_site"),
            models.Index(fields=["person", "status"], name="quarantine_stay_person"),
            models.Index(fields=["site", "released_on"], name="quarantine_stay_released"),
        ]
        verbose_name = _("quarantine stay")

    def __str__(self) -> str:
        return f"stay {self.pk} of {self.person_id} ({self.status})"


class Allocation(models.Model):
    """A bed booked for a stay. The partial unique constraints are the guarantee: one open booking per bed and
    one per stay, whatever two allocators do at the same moment."""

    stay = models.ForeignKey(Stay, on_delete=models.CASCADE, related_name="allocations")
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="allocations")
    bed = models.PositiveSmallIntegerField(_("bed"))
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    allocated_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["room", "bed"], condition=Q(ended_at__isnull=True), name="quarantine_bed_one_open"
            ),
            models.UniqueConstraint(
                fields=["stay"], condition=Q(ended_at__isnull=True), name="quarantine_stay_one_bed"
            ),
            models.CheckConstraint(condition=Q(bed__gte=1), name="quarantine_bed_positive"),
        ]
        verbose_name = _("bed allocation")

    def __str__(self) -> str:
        return f"{self.room_id}#{self.bed} → {self.stay_id}"


class StayEvent(models.Model):
    stay = models.ForeignKey(Stay, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=EventKind.choices)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.stay_id} {self.kind} {self.to_status}"


class EarlyRelease(models.Model):
    """解除隔离 ahead of the rule: requested by one person, approved by a second (as code overrides are)."""

    stay = models.ForeignKey(Stay, on_delete=models.CASCADE, related_name="early_releases")
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(
        max_length=10, choices=EarlyReleaseStatus.choices, default=EarlyReleaseStatus.PENDING
    )
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["stay"], condition=Q(status="pending"), name="quarantine_early_release_one_pending"
            )
        ]

    def __str__(self) -> str:
        return f"early release of {self.stay_id} ({self.status})"


class CheckIn(models.Model):
    """A twice-daily health check-in (体温、症状), by staff for a room or by the person themself."""

    stay = models.ForeignKey(Stay, on_delete=models.CASCADE, related_name="checkins")
    day = models.DateField(_("day"))
    slot = models.PositiveSmallIntegerField(_("check-in"))  # 1 morning, 2 afternoon (core.quarantine)
    at = models.DateTimeField(_("time"))
    temperature = models.DecimalField(_("temperature"), max_digits=4, decimal_places=1)
    symptoms = models.BooleanField(_("symptoms"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    by_person = models.BooleanField(default=False)

    class Meta:
        ordering = ["-day", "-slot"]
        constraints = [
            models.UniqueConstraint(fields=["stay", "day", "slot"], name="quarantine_checkin_slot")
        ]

    def __str__(self) -> str:
        return f"{self.stay_id} {self.day} #{self.slot}"


class QuarantineAlert(models.Model):
    """Something the site staff (home: the community worker and the district) must act on. ``key`` makes every
    raise idempotent: a sweep run twice, a scan uploaded twice, raise one alert."""

    key = models.CharField(max_length=80, unique=True)
    stay = models.ForeignKey(Stay, on_delete=models.CASCADE, related_name="alerts")
    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")  # where it is handled
    kind = models.CharField(_("kind"), max_length=16, choices=AlertKind.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    raised_at = models.DateTimeField(_("raised"))
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    closed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["status", "area"], name="quarantine_alert_status_area")]

    def __str__(self) -> str:
        return f"{self.kind} {self.stay_id}"


class StayRequest(models.Model):
    """A request from a person in quarantine (meals, medicine, psychological support), due by an SLA."""

    stay = models.ForeignKey(Stay, on_delete=models.CASCADE, related_name="requests")
    kind = models.CharField(_("kind"), max_length=16, choices=RequestKind.choices)
    text = models.CharField(_("request"), max_length=500)
    status = models.CharField(
        _("status"), max_length=8, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    opened_at = models.DateTimeField()
    due_at = models.DateTimeField(_("due"))
    escalation = models.PositiveSmallIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    answer = models.CharField(_("answer"), max_length=500, blank=True)

    class Meta:
        ordering = ["due_at"]

    def __str__(self) -> str:
        return f"{self.kind} for {self.stay_id}"


class ChecklistItem(models.Model):
    """One item of the site discipline checklist ("一不四分五到位", configurable)."""

    code = models.CharField(max_length=32, unique=True)
    text_zh = models.CharField(max_length=200)
    text_en = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.code


class Inspection(models.Model):
    """A daily discipline inspection of a site: each item passed or not, findings and their follow-up."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="inspections")
    day = models.DateField(_("day"))
    inspector = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    results = models.JSONField(default=list)  # [{"code", "ok", "finding", "follow_up"}]
    findings = models.PositiveSmallIntegerField(default=0)
    note = models.CharField(max_length=LONG_TEXT, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["site", "day"], name="quarantine_inspection_day")]

    def __str__(self) -> str:
        return f"{self.site_id} {self.day}"

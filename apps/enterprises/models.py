"""Enterprises and their resumption (复工复产): registry, commitments, status history, reasons, service plans,
visits, policies and their delivery, electricity readings, and the enterprise service hotline (企业服务热线)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from apps.accounts.choices import Perm
from apps.accounts.models import User
from apps.accounts.scoping import area_q
from apps.common.apitypes import LONG_TEXT
from apps.enterprises.choices import (
    EscalationLevel,
    IndustrySection,
    InspectionKind,
    InspectionResult,
    PolicyCategory,
    PowerPeriod,
    Reason,
    SizeClass,
    Status,
    StatusSource,
    TicketEventKind,
    TicketStatus,
    Uptake,
)

USER = settings.AUTH_USER_MODEL


def own_enterprise_ids(user: User) -> list[int]:
    """The enterprise an enterprise user acts for (a list of at most one), cached on the user for the request.

    A plain list keeps the scoping condition an index-friendly `IN (…)`, or nothing at all for officers."""
    cache: dict[str, list[int]] = user.__dict__.setdefault("_scope_cache", {})
    if "enterprise_member" not in cache:
        cache["enterprise_member"] = list(
            EnterpriseMember.objects.filter(user_id=user.pk).values_list("enterprise_id", flat=True)
        )
    return cache["enterprise_member"]


def headed_department_ids(user: User) -> list[int]:
    cache: dict[str, list[int]] = user.__dict__.setdefault("_scope_cache", {})
    if "headed_departments" not in cache:
        cache["headed_departments"] = list(
            Department.objects.filter(head_id=user.pk).values_list("pk", flat=True)
        )
    return cache["headed_departments"]


class EnterpriseQuerySet(models.QuerySet["Enterprise"]):
    def visible_to(self, user: User, perm: str = Perm.ENTERPRISE_VIEW) -> EnterpriseQuerySet:
        """Enterprises in the user's jurisdiction for `perm`; an enterprise user sees and files for its own only."""
        if perm == Perm.ENTERPRISE_FILE:
            # Filing is never by area: an enterprise user's grant names a district, not a licence to act for
            # every enterprise in it.
            return self.filter(pk__in=own_enterprise_ids(user)) if user.is_authenticated else self.none()
        q = area_q(user, perm)
        if user.is_authenticated and perm == Perm.ENTERPRISE_VIEW and own_enterprise_ids(user):
            q |= Q(pk__in=own_enterprise_ids(user))
        return self.filter(q)


class Enterprise(models.Model):
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=200)
    industry_section = models.CharField(_("industry"), max_length=1, choices=IndustrySection.choices)
    area = models.ForeignKey("geo.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    # The district code (6 digits) of `area`, kept beside it because every rate is grouped by district.
    district = models.CharField(_("district"), max_length=6, db_index=True)
    size_class = models.CharField(_("size"), max_length=8, choices=SizeClass.choices)
    above_designated = models.BooleanField(_("above designated size (四上)"), default=False)
    employees = models.PositiveIntegerField(_("employees"), default=0)
    annual_revenue = models.DecimalField(
        _("annual revenue (10k yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    contact_name_enc = models.BinaryField(null=True)
    contact_name_masked = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_phone_enc = models.BinaryField(null=True)
    contact_phone_masked = models.CharField(_("contact phone"), max_length=20, blank=True)
    contact_phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    # Keyed hash of "name|phone": lets a re-import see that the contact is unchanged without decrypting.
    contact_hash = models.CharField(max_length=64, blank=True)
    # The latest status, kept here for lists and rates; its history is in StatusChange.
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.NOT_RESUMED)
    staff_share_back = models.FloatField(_("share of staff back"), default=0.0)
    capacity_used = models.FloatField(_("capacity used"), default=0.0)
    status_at = models.DateTimeField(_("status reported at"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    liaison = models.ForeignKey(
        USER,
        verbose_name=_("responsible official (包联)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        indexes = [models.Index(fields=["area", "id"]), models.Index(fields=["status", "district"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(staff_share_back__gte=0, staff_share_back__lte=1), name="ent_share_0_1"
            ),
            models.CheckConstraint(
                condition=Q(capacity_used__gte=0, capacity_used__lte=1), name="ent_capacity_0_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.credit_code})"


class EnterpriseMember(models.Model):
    """Links an enterprise user's account to the one enterprise it acts for."""

    user = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="enterprise_membership")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="members")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user_id} → {self.enterprise_id}"


class StatusChange(models.Model):
    """One reported change of status. `delta_*` make rates over time a single GROUP BY day with a running sum."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="status_changes")
    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("day"))  # local calendar day of the report
    at = models.DateTimeField(_("reported at"), default=timezone.now)
    previous_status = models.CharField(max_length=8, choices=Status.choices)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices)
    staff_share_back = models.FloatField(_("share of staff back"), default=0.0)
    capacity_used = models.FloatField(_("capacity used"), default=0.0)
    delta_resumed = models.SmallIntegerField(default=0)  # -1, 0, +1 on the partly-or-fully count
    delta_fully = models.SmallIntegerField(default=0)
    above_designated = models.BooleanField(default=False)
    source = models.CharField(_("source"), max_length=12, choices=StatusSource.choices)
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["area", "day"]), models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.previous_status}→{self.status} {self.day}"


class GuidelineMeasure(models.Model):
    """One measure of the resumption guideline (企业复工导则, seed 001: 严格执行企业复工导则，规范落实各项疫情防控措施).

    Data, not code: the headquarters edits the list (admin). A commitment must tick every active mandatory
    measure; optional ones may be ticked as well."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    text_zh = models.CharField(_("measure (Chinese)"), max_length=200)
    text_en = models.CharField(_("measure (English)"), max_length=200, blank=True)
    mandatory = models.BooleanField(_("mandatory"), default=True)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("guideline measure")
        verbose_name_plural = _("guideline measures")

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return self.text_en if translation.get_language() == "en" and self.text_en else self.text_zh


class Commitment(models.Model):
    """A resumption commitment (变审批为承诺): accepted when filed; inspection and guidance come afterwards.

    The firm counts as resumed from its planned date, not from its filing: a commitment for a later day waits
    (`opened_at` empty, shown as filed but not yet open) until `commitments_open_due` applies it."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="commitments")
    filed_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now)
    planned_date = models.DateField(_("planned resumption date"))
    declared_status = models.CharField(_("declared status"), max_length=8, choices=Status.choices)
    employees_returning = models.PositiveIntegerField(_("employees returning"))
    employees_from_outside = models.PositiveIntegerField(_("of whom from outside the city"), default=0)
    measures = models.JSONField(_("protective measures"), default=list)
    text = models.CharField(_("commitment"), max_length=LONG_TEXT)
    # The filer's own idempotency key (a phone retrying); the digest tells a retry from a reused key (409).
    client_id = models.CharField(max_length=64, null=True, blank=True)
    payload_digest = models.CharField(max_length=64, blank=True, default="")
    # When the commitment's status took effect: at filing when the planned date has come, else at the start of
    # the planned date. Empty while it waits.
    opened_at = models.DateTimeField(_("in effect from"), null=True, blank=True)

    class Meta:
        ordering = ["-filed_at", "-id"]
        indexes = [
            models.Index(fields=["filed_at"]),
            models.Index(
                fields=["planned_date"], condition=Q(opened_at__isnull=True), name="commitment_waiting"
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["filed_by", "client_id"], name="unique_commitment_per_filer")
        ]

    def __str__(self) -> str:
        return f"commitment #{self.pk} of {self.enterprise_id}"


class Inspection(models.Model):
    """Inspection or guidance after a commitment (事后指导), with findings and the follow-up they need."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="inspections")
    commitment = models.ForeignKey(
        Commitment, null=True, blank=True, on_delete=models.SET_NULL, related_name="inspections"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=InspectionKind.choices)
    inspector = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)
    result = models.CharField(_("result"), max_length=8, choices=InspectionResult.choices)
    findings = models.CharField(_("findings"), max_length=LONG_TEXT, blank=True)
    follow_up = models.CharField(_("follow-up"), max_length=LONG_TEXT, blank=True)
    follow_up_due = models.DateField(_("follow-up due"), null=True, blank=True)
    follow_up_done_at = models.DateTimeField(_("follow-up done"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} of {self.enterprise_id}"


class EnterpriseReason(models.Model):
    """Why an enterprise has not fully resumed (逐户弄清原因)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="reasons")
    reason = models.CharField(_("reason"), max_length=24, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "reason"], name="unique_enterprise_reason")
        ]
        indexes = [models.Index(fields=["reason"])]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.reason}"


class ServicePlan(models.Model):
    """一企一策: one service plan per enterprise."""

    enterprise = models.OneToOneField(Enterprise, on_delete=models.CASCADE, related_name="service_plan")
    text = models.CharField(_("plan"), max_length=LONG_TEXT)
    updated_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"plan of {self.enterprise_id}"


class Visit(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="visits")
    official = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    visited_on = models.DateField(_("visited on"))
    notes = models.CharField(_("notes"), max_length=LONG_TEXT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"visit {self.visited_on} to {self.enterprise_id}"


class Policy(models.Model):
    """A support policy (支持中小企业24条, 财税金融政策) with an eligibility rule in core.policies' language."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=PolicyCategory.choices)
    issuer = models.CharField(_("issuer"), max_length=100, blank=True)
    summary = models.CharField(_("summary"), max_length=LONG_TEXT, blank=True)
    rule = models.JSONField(_("eligibility rule"), default=dict)
    active = models.BooleanField(_("active"), default=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = _("policies")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class PolicyDelivery(models.Model):
    """送政策上门: a policy brought to an enterprise, and what came of it."""

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="deliveries")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="policy_deliveries")
    delivered_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    delivered_at = models.DateTimeField(_("delivered at"), default=timezone.now)
    channel = models.CharField(_("channel"), max_length=40, blank=True)
    uptake = models.CharField(_("uptake"), max_length=12, choices=Uptake.choices, default=Uptake.DELIVERED)
    amount = models.DecimalField(
        _("amount (10k yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-delivered_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "enterprise"], name="unique_policy_delivery")
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} → {self.enterprise_id} ({self.uptake})"


class PowerReading(models.Model):
    """Electricity use of an enterprise in a day or dekad, with the same period last year and the cross-check."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="power_readings")
    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")
    period = models.CharField(_("period"), max_length=6, choices=PowerPeriod.choices)
    period_start = models.DateField(_("period start"))
    kwh = models.FloatField(_("kWh"))
    kwh_last_year = models.FloatField(_("kWh same period last year"), null=True, blank=True)
    checked_status = models.CharField(max_length=8, choices=Status.choices, blank=True)
    outcome = models.CharField(_("cross-check"), max_length=24, blank=True, db_index=True)
    ratio = models.FloatField(null=True, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-period_start", "enterprise_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "period", "period_start"], name="unique_power_reading"
            )
        ]
        indexes = [models.Index(fields=["area", "period_start"])]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.period} {self.period_start}: {self.kwh} kWh"


# --- enterprise service hotline (企业服务热线) ---


class Department(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    head = models.ForeignKey(
        USER,
        verbose_name=_("department head"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_departments",
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class TicketCategory(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="categories")
    sla_hours = models.PositiveIntegerField(_("SLA (hours)"))
    working_time = models.BooleanField(_("count office hours only"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = _("ticket categories")

    def __str__(self) -> str:
        return self.name


class TicketQuerySet(models.QuerySet["Ticket"]):
    def visible_to(self, user: User) -> TicketQuerySet:
        """Handlers and viewers of the ticket's area, the owner department's head, and the enterprise itself."""
        if not user.is_authenticated:
            return self.none()
        q = area_q(user, Perm.HOTLINE_HANDLE) | area_q(user, Perm.ENTERPRISE_VIEW)
        if headed_department_ids(user):
            q |= Q(department_id__in=headed_department_ids(user))
        if own_enterprise_ids(user):
            q |= Q(enterprise_id__in=own_enterprise_ids(user))
        return self.filter(q)


class Ticket(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="tickets")
    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(
        TicketCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("owner department"), on_delete=models.PROTECT, related_name="tickets"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.CharField(_("description"), max_length=LONG_TEXT)
    opened_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(
        _("status"), max_length=8, choices=TicketStatus.choices, default=TicketStatus.OPEN
    )
    level = models.PositiveSmallIntegerField(
        _("escalation"), choices=EscalationLevel.choices, default=EscalationLevel.OWNER
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    reply = models.CharField(_("reply"), max_length=LONG_TEXT, blank=True)
    replied_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction"), null=True, blank=True)
    rating_comment = models.CharField(_("comment"), max_length=300, blank=True)
    # The submitter's own idempotency key (a phone retrying); the digest tells a retry from a reused key (409).
    client_id = models.CharField(max_length=64, null=True, blank=True)
    payload_digest = models.CharField(max_length=64, blank=True, default="")

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["department", "opened_at"]),
            models.Index(fields=["area", "opened_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True) | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="ticket_satisfaction_1_5",
            ),
            models.UniqueConstraint(fields=["opened_by", "client_id"], name="unique_ticket_per_submitter"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def overdue(self) -> bool:
        return self.status == TicketStatus.OPEN and timezone.now() > self.due_at


class TicketEvent(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=12, choices=TicketEventKind.choices)
    level = models.PositiveSmallIntegerField(choices=EscalationLevel.choices, default=EscalationLevel.OWNER)
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=LONG_TEXT, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


# --- write-time aggregates for the dashboard (kept by apps.enterprises.aggregates) ---


class ResumptionCell(models.Model):
    """Counters of active enterprises per (district, industry, size, 四上): what every rate is summed from, so
    the dashboard reads at most districts × 20 × 4 × 2 rows whatever the number of enterprises."""

    district = models.CharField(max_length=6)
    industry_section = models.CharField(max_length=1)
    size_class = models.CharField(max_length=8)
    above_designated = models.BooleanField()
    active = models.IntegerField(default=0)
    fully = models.IntegerField(default=0)
    partly = models.IntegerField(default=0)
    employees = models.BigIntegerField(default=0)
    employees_back = models.FloatField(default=0.0)
    capacity_resumed = models.FloatField(default=0.0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["district", "industry_section", "size_class", "above_designated"],
                name="unique_resumption_cell",
            )
        ]

    def __str__(self) -> str:
        return f"{self.district}/{self.industry_section}/{self.size_class}/{self.above_designated}: {self.active}"


class CurveDay(models.Model):
    """The day's net change of resumed and fully resumed enterprises per district and 四上 flag."""

    day = models.DateField()
    district = models.CharField(max_length=6)
    above_designated = models.BooleanField()
    resumed = models.IntegerField(default=0)
    fully = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "district", "above_designated"], name="unique_curve_day")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.district} {self.above_designated}: {self.resumed:+d}/{self.fully:+d}"


class ReasonCell(models.Model):
    """How many active, not fully resumed enterprises of a district give a reason (the non-resumed list by
    reason on the dashboard), kept with the cells above."""

    district = models.CharField(max_length=6)
    reason = models.CharField(max_length=24)
    open_count = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["district", "reason"], name="unique_reason_cell")]

    def __str__(self) -> str:
        return f"{self.district} {self.reason}: {self.open_count}"

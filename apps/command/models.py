"""The notification centre, supervised tasks (督办), accountability (问责) and the leaders' duty roster (日带班)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.command.choices import (
    AccountabilityDecision,
    BriefingStatus,
    Channel,
    MovementKind,
    Priority,
    Severity,
    SupplyCategory,
    TaskLevel,
    TaskStatus,
)
from apps.common.apitypes import LONG_TEXT, NOTE_TEXT, SHORT_TEXT

USER = settings.AUTH_USER_MODEL


class Notification(models.Model):
    """One alert of any module. Its addressees: holders of `perm` at or above `area` or `also_area`, and `recipient`.

    Stored once, not once per user: read state lives in NotificationRead, so a city-wide alert costs one row.
    """

    kind = models.CharField(max_length=64)  # "<app label>.<what>"
    module = models.CharField(max_length=32, db_index=True)  # the app label, for the inbox filter
    severity = models.CharField(max_length=8, choices=Severity.choices, default=Severity.INFO)
    title = models.CharField(max_length=SHORT_TEXT)
    body = models.CharField(max_length=NOTE_TEXT, blank=True)
    link = models.CharField(max_length=300, blank=True)
    area = models.ForeignKey("geo.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    also_area = models.ForeignKey(
        "geo.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    perm = models.CharField(max_length=40, blank=True)
    recipient = models.ForeignKey(USER, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    source_ref = models.CharField(max_length=100, blank=True, db_index=True)
    # title and body are English msgids formatted with params, so each reader sees their own language.
    params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["perm", "area"], name="notif_perm_area"),
            models.Index(fields=["perm", "also_area"], name="notif_perm_also"),
            models.Index(fields=["recipient", "created_at"], name="notif_recipient"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.title}"

    def shown_title(self) -> str:
        return _formatted(self.title, self.params)

    def shown_body(self) -> str:
        return _formatted(self.body, self.params) if self.body else ""


def _formatted(msgid: str, params: dict[str, object]) -> str:
    text = gettext(msgid)
    try:
        return text % params if params else text
    except (KeyError, TypeError, ValueError):  # a translation that lost a placeholder: show the original
        return msgid % params if params else msgid


class NotificationRead(models.Model):
    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notification", "user"], name="unique_notification_read")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.notification_id}"


class NotificationPreference(models.Model):
    user = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.NONE)
    address = models.CharField(_("e-mail or phone"), max_length=200, blank=True)
    digest = models.BooleanField(_("daily digest"), default=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.channel}"


class OutboundMessage(models.Model):
    """What went out through a channel; `key` makes a digest or an urgent message go out once per user."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    key = models.CharField(max_length=100)
    subject = models.CharField(max_length=SHORT_TEXT)
    body = models.CharField(max_length=LONG_TEXT)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="unique_outbound_key")]

    def __str__(self) -> str:
        return f"{self.channel} to {self.user_id}: {self.subject}"


class TaskQuerySet(models.QuerySet["Task"]):
    def visible_to(self, user: object) -> TaskQuerySet:
        """Tasks in the user's task jurisdiction, and tasks they assigned, hold, or head the unit of."""
        from apps.accounts.scoping import area_q

        if not getattr(user, "is_authenticated", False):
            return self.none()
        pk = user.pk  # type: ignore[attr-defined]
        q = area_q(user, "task.view") | Q(assignee_id=pk) | Q(unit_head_id=pk) | Q(assigned_by_id=pk)  # type: ignore[arg-type]
        return self.filter(q)


class Task(models.Model):
    """督办: a supervised task with a deadline, a priority and the evidence required to close it."""

    title = models.CharField(_("title"), max_length=SHORT_TEXT)
    description = models.CharField(_("description"), max_length=LONG_TEXT, blank=True)
    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")
    unit = models.CharField(_("responsible unit"), max_length=SHORT_TEXT, blank=True)
    assignee = models.ForeignKey(
        USER, verbose_name=_("official"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unit_head = models.ForeignKey(
        USER, verbose_name=_("unit head"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # None for a task raised automatically by a module (its source).
    assigned_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    task_force = models.CharField(_("task force (工作专班)"), max_length=SHORT_TEXT, blank=True)
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    due_at = models.DateTimeField(_("deadline"))
    evidence_required = models.CharField(_("evidence required"), max_length=NOTE_TEXT, blank=True)
    evidence = models.CharField(_("evidence"), max_length=NOTE_TEXT, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    level = models.PositiveSmallIntegerField(
        _("escalation"), choices=TaskLevel.choices, default=TaskLevel.ON_TIME
    )
    source_ref = models.CharField(max_length=100, blank=True)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    reopened = models.PositiveSmallIntegerField(default=0)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["area", "status", "due_at"], name="task_area_status")]
        constraints = [
            # One open task per source: a module raising the same source again finds the open task.
            models.UniqueConstraint(
                fields=["source_ref"],
                condition=~Q(source_ref="") & ~Q(status="closed"),
                name="unique_open_task_per_source",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.status != TaskStatus.CLOSED and self.due_at < timezone.now()


class TaskEvent(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=16)
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=NOTE_TEXT, blank=True)
    level = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.task_id} {self.kind}"

    def kind_label(self) -> str:
        from apps.command.choices import TaskEventKind

        return str(TaskEventKind(self.kind).label) if self.kind in TaskEventKind.values else self.kind


class AccountabilityRecord(models.Model):
    """问责: a failure, who was responsible, and the decision; seen only by the roles that decide on it."""

    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    what_happened = models.CharField(_("what happened"), max_length=LONG_TEXT)
    responsible = models.CharField(_("who was responsible"), max_length=SHORT_TEXT)
    decision = models.CharField(
        _("decision"),
        max_length=10,
        choices=AccountabilityDecision.choices,
        default=AccountabilityDecision.PENDING,
    )
    decision_note = models.CharField(_("decision note"), max_length=NOTE_TEXT, blank=True)
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.responsible}: {self.get_decision_display()}"


class DutyShift(models.Model):
    """市级领导日带班: the leader who heads the headquarters on one local day (for an area, usually the city)."""

    day = models.DateField(_("day"))
    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")
    leader = models.CharField(_("leading official"), max_length=SHORT_TEXT)
    deputy = models.CharField(_("deputy"), max_length=SHORT_TEXT, blank=True)
    phone = models.CharField(_("duty phone"), max_length=40, blank=True)

    class Meta:
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["day", "area"], name="unique_duty_shift")]

    def __str__(self) -> str:
        return f"{self.day} {self.leader}"


class Briefing(models.Model):
    """疫情通报: the figures at 24:00 of `day` (Shanghai), in Chinese and English; frozen once approved."""

    day = models.DateField(_("figures as of 24:00 on"), unique=True)
    status = models.CharField(max_length=10, choices=BriefingStatus.choices, default=BriefingStatus.DRAFT)
    figures = models.JSONField(default=dict)
    text_zh = models.TextField(_("text (Chinese)"), max_length=LONG_TEXT)
    text_en = models.TextField(_("text (English)"), max_length=LONG_TEXT)
    corrections = models.JSONField(default=list, blank=True)  # earlier briefings' figures that changed since
    drafted_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    approved_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # A published briefing never changes, so its PDF is printed once and kept.
    pdf = models.BinaryField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"briefing {self.day}"


class SupplyItem(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=SHORT_TEXT)
    category = models.CharField(_("category"), max_length=16, choices=SupplyCategory.choices)
    unit = models.CharField(_("unit"), max_length=16)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Warehouse(models.Model):
    name = models.CharField(_("name"), max_length=SHORT_TEXT)
    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["area_id", "name"]

    def __str__(self) -> str:
        return self.name


class StockLevel(models.Model):
    """The stock of an item in a warehouse, kept on every movement (a counter checked against a recount by a
    test), with the threshold under which it raises a low-stock alert."""

    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="levels")
    item = models.ForeignKey(SupplyItem, on_delete=models.PROTECT, related_name="levels")
    quantity = models.BigIntegerField(default=0)
    threshold = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["warehouse", "item"], name="unique_stock_level")]

    def __str__(self) -> str:
        return f"{self.item_id}@{self.warehouse_id}: {self.quantity}"


class StockMovement(models.Model):
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="movements")
    item = models.ForeignKey(SupplyItem, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=12, choices=MovementKind.choices)
    quantity = models.PositiveBigIntegerField()
    at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=NOTE_TEXT, blank=True)
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    # A retried upload carries the same client id: stored once (idempotent), a different payload is a conflict.
    client_id = models.CharField(max_length=64, unique=True)
    digest = models.CharField(max_length=64)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["warehouse", "item", "kind", "at"], name="movement_burn")]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity} {self.item_id}"

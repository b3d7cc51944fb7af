"""Screening lists (排查名单), their rows, record-linkage candidates, community work items and visits.

Every row is in exactly one reconciliation bucket (RowState); `ListTally` keeps the per list and area counts that
the headquarters page reads, and `reconciliation_check` recomputes them from the rows every night.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.accounts.scoping import area_q
from apps.screening.choices import (
    CandidateStatus,
    HealthStatus,
    ImportState,
    ListPurpose,
    MatchMethod,
    ResolvedBy,
    RowState,
    SourceKind,
    VisitAction,
    VisitOutcome,
    VisitRule,
    WorkLevel,
    WorkReason,
    WorkStatus,
)


def _no_errors() -> list[dict[str, object]]:
    return []


class AreaScoped(models.QuerySet):  # type: ignore[type-arg]
    def visible_to(self, user: User, perm: str, field: str = "area") -> AreaScoped:
        return self.filter(area_q(user, perm, field))


class ScreeningSource(models.Model):
    """Who sends lists (a rail operator, an employer, public security) and how their columns map to ours."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=SourceKind.choices)
    area = models.ForeignKey("geo.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    mapping = models.JSONField(
        _("column mapping"), default=dict, blank=True
    )  # our field -> the file's column
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AreaScoped.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["area", "name"], name="screening_source_unique_name")]

    def __str__(self) -> str:
        return self.name


class KeyPersonCategory(models.Model):
    """A category of key persons (重点人员) and its follow-up rule: visit within so many hours."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    visit_within_hours = models.PositiveIntegerField(_("visit within (hours)"), default=24)
    urgency = models.PositiveSmallIntegerField(_("urgency"), default=2)  # 1 most urgent
    follow_up_days = models.PositiveIntegerField(_("follow-up (days)"), default=14)

    class Meta:
        ordering = ["urgency", "code"]

    def __str__(self) -> str:
        return self.name_zh


class ScreeningList(models.Model):
    source = models.ForeignKey(ScreeningSource, on_delete=models.PROTECT, related_name="lists")
    name = models.CharField(_("name"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=20, choices=ListPurpose.choices)
    area = models.ForeignKey("geo.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    risk_area = models.CharField(_("risk area (arrivals from)"), max_length=12, blank=True)
    since = models.DateField(_("since"), null=True, blank=True)
    enterprise_ref = models.CharField(_("enterprise credit code"), max_length=18, blank=True)
    category = models.ForeignKey(
        KeyPersonCategory,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("key-person category"),
    )
    visit_rule = models.CharField(
        _("who must be visited"), max_length=10, choices=VisitRule.choices, default=VisitRule.EVERYONE
    )
    visit_within_hours = models.PositiveIntegerField(_("visit within (hours)"), default=48)
    urgency = models.PositiveSmallIntegerField(_("urgency"), default=3)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AreaScoped.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class ListImport(models.Model):
    """One uploaded file of a list: its report, and for a big file the background job's progress."""

    list = models.ForeignKey(ScreeningList, on_delete=models.CASCADE, related_name="imports")
    filename = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=8, choices=ImportState.choices, default=ImportState.DONE)
    mapping = models.JSONField(default=dict, blank=True)
    expected_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    total_rows = models.PositiveIntegerField(default=0)
    new_rows = models.PositiveIntegerField(default=0)
    existing_rows = models.PositiveIntegerField(default=0)  # already on the list (same file again, overlap)
    matched_rows = models.PositiveIntegerField(default=0)
    error_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(
        default=_no_errors
    )  # [{line, field, code, message}] (`list` is the field above)
    upload_enc = models.BinaryField(null=True, blank=True)  # a queued upload, encrypted, dropped when done
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.filename


class ListRow(models.Model):
    """One line of a list, personal fields encrypted. `row_key` (keyed hash of its identity) makes re-imports
    idempotent; `state` is its reconciliation bucket."""

    list = models.ForeignKey(ScreeningList, on_delete=models.CASCADE, related_name="rows")
    first_import = models.ForeignKey(ListImport, null=True, on_delete=models.SET_NULL, related_name="+")
    line = models.PositiveIntegerField(_("line"))
    row_key = models.CharField(max_length=64)
    record_key = models.CharField(max_length=64)  # name|birth|phone|doc hash: remembers link decisions
    doc_hash = models.CharField(max_length=64, blank=True)  # = people.Person.dedup_key of a document
    doc_masked = models.CharField(_("document number"), max_length=32, blank=True)
    name_enc = models.BinaryField(null=True)
    name_masked = models.CharField(_("name"), max_length=100, blank=True)
    phone_enc = models.BinaryField(null=True)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True)
    address_enc = models.BinaryField(null=True)
    sex = models.CharField(_("sex"), max_length=1, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    area = models.ForeignKey("geo.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=8, choices=RowState.choices)
    reject_reason = models.CharField(max_length=200, blank=True)
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    match_method = models.CharField(max_length=8, choices=MatchMethod.choices, blank=True, default="")
    match_probability = models.FloatField(null=True, blank=True)
    linkage_done = models.BooleanField(default=False)  # probabilistic linkage has looked at it
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AreaScoped.as_manager()

    class Meta:
        ordering = ["list", "line", "id"]
        constraints = [models.UniqueConstraint(fields=["list", "row_key"], name="screening_row_unique_key")]
        indexes = [
            models.Index(fields=["list", "state"], name="screening_row_list_state"),
            models.Index(fields=["linkage_done", "list"], name="screening_row_linkage"),
        ]

    def __str__(self) -> str:
        return f"{self.list_id}:{self.line} {self.name_masked}"


class ListTally(models.Model):
    """Per list and area: the reconciliation counts, kept by the services in the same transaction as the rows."""

    list = models.ForeignKey(ScreeningList, on_delete=models.CASCADE, related_name="tallies")
    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")
    rows = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    open = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)

    objects = AreaScoped.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["list", "area"], name="screening_tally_unique"),
            # The invariant itself, enforced by the database on every write (底数清).
            models.CheckConstraint(
                condition=models.Q(
                    rows=models.F("matched") + models.F("open") + models.F("resolved") + models.F("rejected")
                ),
                name="screening_tally_balances",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.list_id}/{self.area_id}"


class LinkCandidate(models.Model):
    """A registered person who may be the row's person, with the model's probability and per-field evidence."""

    row = models.ForeignKey(ListRow, on_delete=models.CASCADE, related_name="candidates")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    probability = models.FloatField(_("match probability"))
    evidence = models.JSONField(_("per-field evidence"), default=dict)  # field -> {level, label, weight}
    status = models.CharField(max_length=10, choices=CandidateStatus.choices, default=CandidateStatus.OPEN)
    area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="+"
    )  # the list's: its owner reviews
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AreaScoped.as_manager()

    class Meta:
        ordering = ["-probability", "id"]
        constraints = [models.UniqueConstraint(fields=["row", "person"], name="screening_candidate_unique")]

    def __str__(self) -> str:
        return f"{self.row_id}~{self.person_id} {self.probability:.3f}"


class LinkDecision(models.Model):
    """A reviewer's answer for a record and a person, remembered: the same pair is never asked again."""

    record_key = models.CharField(max_length=64)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    same = models.BooleanField()
    decided_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["record_key", "person"], name="screening_decision_unique")
        ]

    def __str__(self) -> str:
        return f"{self.record_key[:8]}~{self.person_id}: {self.same}"


class WorkItem(models.Model):
    """A visit a community owes for one row; escalates community → street → district when overdue."""

    row = models.OneToOneField(ListRow, on_delete=models.CASCADE, related_name="work_item")
    list = models.ForeignKey(ScreeningList, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    area = models.ForeignKey(
        "geo.Area", verbose_name=_("owning area"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=10, choices=WorkReason.choices)
    urgency = models.PositiveSmallIntegerField(_("urgency"), default=3)
    due_at = models.DateTimeField(_("due"))
    level = models.PositiveSmallIntegerField(
        _("level"), choices=WorkLevel.choices, default=WorkLevel.COMMUNITY
    )
    status = models.CharField(_("status"), max_length=8, choices=WorkStatus.choices, default=WorkStatus.OPEN)
    resolved_by = models.CharField(max_length=8, choices=ResolvedBy.choices, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    pending_action = models.CharField(_("pending action"), max_length=16, blank=True)
    action_ref = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()

    objects = AreaScoped.as_manager()

    class Meta:
        ordering = ["urgency", "due_at", "id"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="screening_work_due"),
            models.Index(fields=["area", "status", "urgency", "due_at"], name="screening_work_todo"),
        ]

    def __str__(self) -> str:
        return f"work item {self.pk}"


class WorkItemEvent(models.Model):
    """Escalations and reassignments of a work item, in order."""

    item = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12)  # escalate | reassign
    from_area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")
    to_area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.from_area_id}->{self.to_area_id}"


class Visit(models.Model):
    item = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="visits")
    outcome = models.CharField(_("outcome"), max_length=10, choices=VisitOutcome.choices)
    moved_to = models.CharField(_("moved to"), max_length=200, blank=True)
    health = models.CharField(
        _("health status"), max_length=10, choices=HealthStatus.choices, default=HealthStatus.UNKNOWN
    )
    temperature = models.DecimalField(_("temperature"), max_digits=3, decimal_places=1, null=True, blank=True)
    action = models.CharField(
        _("action"), max_length=16, choices=VisitAction.choices, default=VisitAction.NONE
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    visited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    visited_at = models.DateTimeField()

    class Meta:
        ordering = ["-visited_at", "-id"]

    def __str__(self) -> str:
        return f"visit {self.pk}"


class LinkModel(models.Model):
    """A trained Fellegi–Sunter model (Splink's parameters: m and u per comparison level; no personal data)."""

    trained_at = models.DateTimeField()
    trained_rows = models.PositiveIntegerField()
    registry_rows = models.PositiveIntegerField()
    synthetic = models.BooleanField(
        default=False
    )  # trained on a generated city before any real list was big enough
    parameters = models.JSONField()

    class Meta:
        ordering = ["-trained_at", "-id"]

    def __str__(self) -> str:
        return f"link model {self.trained_at:%Y-%m-%d %H:%M}"

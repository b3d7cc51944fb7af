"""Cases, their life-cycle events, lab results, contacts with evidence, follow-ups, transmission links,
clusters and a minimal transport manifest (flights with seats, trains with carriages)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.accounts.scoping import area_q
from apps.cases.choices import (
    CLOSED_STATUSES,
    CaseStatus,
    ContactDegree,
    ContactStatus,
    FollowUpStatus,
    LabResultValue,
    LinkSource,
    Origin,
    TransportMode,
)
from apps.common.apitypes import LONG_TEXT


class Cluster(models.Model):
    """A cluster (聚集性疫情): a connected component of linked cases, recomputed from the links."""

    ref = models.CharField(_("cluster"), max_length=32, unique=True)
    area = models.ForeignKey(
        "geo.Area", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+"
    )
    size = models.PositiveIntegerField(_("cases"))
    first_day = models.DateField(_("first case"))
    last_day = models.DateField(_("last case"))
    venue_ids = models.JSONField(default=list)
    districts = models.JSONField(default=list)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-last_day", "-size"]
        verbose_name = _("cluster")

    def __str__(self) -> str:
        return self.ref


class CaseQuerySet(models.QuerySet["Case"]):
    def visible_to(self, user: User, perm: str = "case.view") -> CaseQuerySet:
        return self.filter(area_q(user, perm))


class Case(models.Model):
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="cases")
    # The residence at report time: jurisdiction, the curve per area and the risk level use it.
    area = models.ForeignKey("geo.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=CaseStatus.choices)
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices, default=Origin.LOCAL)
    hospital = models.CharField(_("designated hospital"), max_length=120, blank=True)
    note = models.CharField(_("note"), max_length=LONG_TEXT, blank=True)
    # 早发现、早报告、早隔离、早治疗: the dates the four "earlies" are measured between.
    onset_date = models.DateField(_("symptom onset"), null=True, blank=True)  # a local calendar day
    first_visit_at = models.DateTimeField(_("first medical visit"), null=True, blank=True)
    reported_at = models.DateTimeField(_("report"), null=True, blank=True)
    # 早隔离: isolation starts with quarantine or hospital admission, whichever came first (core.epi.isolation_start);
    # `isolated_at` is kept as that earliest start by the services, never set on its own.
    quarantined_at = models.DateTimeField(_("quarantine"), null=True, blank=True)
    isolated_at = models.DateTimeField(_("isolation"), null=True, blank=True)
    sampled_at = models.DateTimeField(_("sampling"), null=True, blank=True)
    lab_confirmed_at = models.DateTimeField(_("lab confirmation"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed as a case"), null=True, blank=True)
    admitted_at = models.DateTimeField(_("admission"), null=True, blank=True)
    discharged_at = models.DateTimeField(_("discharge"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    cluster = models.ForeignKey(
        Cluster, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    traced_at = models.DateTimeField(_("last traced"), null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["area", "id"], name="case_area_id"),
            models.Index(fields=["status", "id"], name="case_status_id"),
            models.Index(fields=["reported_at"], name="case_reported"),
            models.Index(fields=["onset_date"], name="case_onset"),
            models.Index(fields=["confirmed_at"], name="case_confirmed"),
        ]
        constraints = [
            # One open case per person: a second positive updates it instead of opening another.
            models.UniqueConstraint(
                fields=["person"], condition=~Q(status__in=CLOSED_STATUSES), name="case_one_open_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_status_display()}"


class CaseEvent(models.Model):
    """One step of a case's life cycle (or its opening), with who did it and when."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=16, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=CaseStatus.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="caseevent_case_at")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_status} → {self.to_status}"


class LabBatch(models.Model):
    """One upload of lab results (CSV or API). `client_batch_id` makes a retried upload a no-op.

    The key is the uploader's own (another user's same key is another batch); `payload_digest` tells a retry
    from a key reused with other results (409).
    """

    lab = models.CharField(_("lab"), max_length=120)
    client_batch_id = models.CharField(max_length=64)
    payload_digest = models.CharField(max_length=64, blank=True, default="")
    filename = models.CharField(max_length=255, blank=True)
    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    total_rows = models.PositiveIntegerField(default=0)
    created_rows = models.PositiveIntegerField(default=0)
    existing_rows = models.PositiveIntegerField(default=0)
    error_rows = models.PositiveIntegerField(default=0)
    positives = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["uploaded_by", "client_batch_id"], name="unique_lab_batch_per_uploader")
        ]

    def __str__(self) -> str:
        return f"{self.lab} {self.client_batch_id}"


class LabResult(models.Model):
    """A nucleic-acid test (核酸检测). `key` = lab + sample id: the same sample is stored once."""

    key = models.CharField(max_length=200, unique=True)
    lab = models.CharField(_("lab"), max_length=120)
    sample_id = models.CharField(_("sample id"), max_length=64)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="lab_results")
    sampled_at = models.DateTimeField(_("sampled"))
    result = models.CharField(_("result"), max_length=12, choices=LabResultValue.choices)
    ct_value = models.FloatField(_("Ct value"), null=True, blank=True)
    reported_at = models.DateTimeField(_("reported"), null=True, blank=True)
    batch = models.ForeignKey(
        LabBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="results"
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="lab_results"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-sampled_at"]
        indexes = [models.Index(fields=["person", "sampled_at"], name="lab_person_sampled")]

    def __str__(self) -> str:
        return f"{self.lab} {self.sample_id} {self.result}"


class Trip(models.Model):
    """A flight or train departure from an imported manifest (minimal: enough for seat/carriage contacts)."""

    mode = models.CharField(_("mode"), max_length=8, choices=TransportMode.choices)
    number = models.CharField(_("flight or train number"), max_length=16)
    departs_at = models.DateTimeField(_("departure"))
    origin = models.CharField(_("departs from"), max_length=64, blank=True)
    destination = models.CharField(_("arrives at"), max_length=64, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["mode", "number", "departs_at"], name="trip_unique")]
        indexes = [models.Index(fields=["departs_at"], name="trip_departs")]

    def __str__(self) -> str:
        return f"{self.number} {self.departs_at:%Y-%m-%d}"


class TripPassenger(models.Model):
    """A passenger on a trip: `seat` such as 12C on a flight, `carriage` such as 05 on a train."""

    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="passengers")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    seat = models.CharField(_("seat"), max_length=8, blank=True)
    carriage = models.CharField(_("carriage"), max_length=8, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["trip", "person"], name="trip_passenger_unique")]
        indexes = [models.Index(fields=["person"], name="trip_passenger_person")]

    def __str__(self) -> str:
        return f"{self.trip_id} {self.seat or self.carriage}"


class Contact(models.Model):
    """A person found by tracing (or added by hand) as a contact of a case, with the evidence why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="contact_of")
    degree = models.PositiveSmallIntegerField(_("degree"), choices=ContactDegree.choices)
    via = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )  # the close contact a secondary contact met
    kinds = models.JSONField(_("how"), default=list)  # ContactKind values present in the evidence
    first_exposed_at = models.DateTimeField(_("first exposure"))
    last_exposed_at = models.DateTimeField(_("last exposure"))
    evidence = models.JSONField(default=list)
    evidence_count = models.PositiveIntegerField(default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=ContactStatus.choices, default=ContactStatus.SUGGESTED
    )
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["degree", "first_exposed_at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "person"], name="contact_case_person")]
        indexes = [
            models.Index(fields=["status", "case"], name="contact_status_case"),
            models.Index(fields=["person", "status"], name="contact_person_status"),
        ]

    def __str__(self) -> str:
        return f"contact {self.person_id} of case {self.case_id}"


class FollowUp(models.Model):
    """Medical observation of a confirmed close contact (医学观察): a quarantine candidate until `until`."""

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="follow_up")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="follow_ups")
    status = models.CharField(max_length=8, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN)
    started_at = models.DateTimeField()
    until = models.DateField(_("observe until"))  # 14 days after the last exposure, local day
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Closing before `until` (解除医学观察 ahead of time) needs a reason; it is shown as early.
    close_reason = models.CharField(_("reason for closing early"), max_length=255, blank=True)

    class Meta:
        indexes = [models.Index(fields=["person", "status"], name="followup_person_status")]

    def __str__(self) -> str:
        return f"follow-up of {self.person_id} until {self.until}"

    @property
    def closed_early(self) -> bool:
        return self.closed_at is not None and timezone.localdate(self.closed_at) < self.until


class FollowUpEntry(models.Model):
    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="entries")
    at = models.DateTimeField()
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    temperature = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    symptoms = models.BooleanField(default=False)
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.follow_up_id} {self.at:%Y-%m-%d %H:%M}"


class TransmissionLink(models.Model):
    """Infector → infectee (传播链), from a confirmed contact or set by hand, with the evidence."""

    infector = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="infected")
    infectee = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="infected_by")
    source = models.CharField(max_length=8, choices=LinkSource.choices)
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    venue_id = models.BigIntegerField(null=True, blank=True)
    evidence = models.JSONField(default=list)
    note = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["infector", "infectee"], name="link_unique"),
            models.CheckConstraint(condition=~Q(infector=models.F("infectee")), name="link_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.infector_id} → {self.infectee_id}"

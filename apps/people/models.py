"""Persons and households. Name, document number, phone and address are stored only encrypted."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.accounts.scoping import area_q
from apps.people.choices import (
    DocType,
    ImportStatus,
    MergeReason,
    MergeStatus,
    ReferralDecision,
    ReferralSource,
    Relation,
    Sex,
)


class Household(models.Model):
    ref = models.CharField(_("household number"), max_length=64, unique=True)
    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.ref


class PersonQuerySet(models.QuerySet["Person"]):
    def visible_to(self, user: User, perm: str = "person.view") -> PersonQuerySet:
        """Persons whose residence lies in the user's jurisdiction for `perm`; a citizen sees themself."""
        q = area_q(user, perm)
        if user.is_authenticated and user.person_id and perm == "person.view":
            q |= models.Q(pk=user.person_id)
        return self.filter(q)

    def active(self) -> PersonQuerySet:
        return self.filter(merged_into__isnull=True)


class Person(models.Model):
    # One document is one person: dedup_key is the keyed hash of "doc_type:number", or for a person
    # without a document, of name|birth date|phone, so re-importing the same list creates nobody twice.
    dedup_key = models.CharField(max_length=64)  # unique: see Meta.constraints
    doc_type = models.CharField(_("document type"), max_length=24, choices=DocType.choices, blank=True)
    doc_number_enc = models.BinaryField(null=True)
    doc_masked = models.CharField(_("document number"), max_length=32, blank=True)
    name_enc = models.BinaryField()
    name_masked = models.CharField(_("name"), max_length=100)
    name_hash = models.CharField(max_length=64)  # indexed with birth_date: see Meta.indexes
    phone_enc = models.BinaryField(null=True)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True)
    phone_hash = models.CharField(max_length=64, blank=True)
    address_enc = models.BinaryField(null=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    nationality = models.CharField(_("nationality"), max_length=3, default="CHN")
    area = models.ForeignKey("geo.Area", verbose_name=_("residence"), on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    relation = models.CharField(_("relation to head"), max_length=16, choices=Relation.choices, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        # Declared here rather than with unique=/db_index= on the fields: on PostgreSQL a field index on a
        # CharField gets a second "_like" index for LIKE queries, which hashes never need (one index less per
        # insert on the hot import path). A name search uses the (name_hash, birth_date) index's prefix.
        constraints = [models.UniqueConstraint(fields=["dedup_key"], name="person_dedup_key_unique")]
        indexes = [
            models.Index(fields=["name_hash", "birth_date"]),
            models.Index(fields=["phone_hash"], name="person_phone_hash"),
            models.Index(fields=["area", "id"]),
        ]

    def __str__(self) -> str:
        return f"{self.name_masked} {self.doc_masked}".strip()


class MergeCandidate(models.Model):
    """Two records that may be one person, for an officer to merge or dismiss."""

    person_a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=16, choices=MergeReason.choices)
    status = models.CharField(max_length=12, choices=MergeStatus.choices, default=MergeStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person_a", "person_b"], name="unique_merge_pair")]
        # The duplicates page walks the open candidates newest first and stops at a page (selectors).
        indexes = [models.Index(fields=["status", "-created_at"], name="people_merge_open_recent")]

    def __str__(self) -> str:
        return f"{self.person_a_id} ~ {self.person_b_id} ({self.reason})"


class ImportBatch(models.Model):
    kind = models.CharField(max_length=32)
    filename = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    total_rows = models.PositiveIntegerField(default=0)
    created_rows = models.PositiveIntegerField(default=0)
    existing_rows = models.PositiveIntegerField(default=0)
    # Already registered in another jurisdiction: counted, never named; each is referred to its district.
    elsewhere_rows = models.PositiveIntegerField(default=0)
    error_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)
    # A big file is imported by a background job: its state, how far it got, and the upload it works from
    # (encrypted like every personal field, and dropped once the job ends).
    status = models.CharField(max_length=8, choices=ImportStatus.choices, default=ImportStatus.DONE)
    expected_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    mapping = models.JSONField(null=True, blank=True)
    upload_enc = models.BinaryField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.filename}"


class DuplicateReferral(models.Model):
    """Someone outside the person's jurisdiction tried to register an already registered person.

    The caller learns only that the person is registered elsewhere (no id, no district); the district that owns
    the person sees the referral and decides (a move of residence, a mistake, a fraud).
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="referrals")
    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")  # the owner's, when referred
    claimed_area = models.ForeignKey("geo.Area", null=True, on_delete=models.PROTECT, related_name="+")
    referred_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(max_length=8, choices=ReferralSource.choices)
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # The owning district's decision; open while `decided_at` is empty.
    decision = models.CharField(_("decision"), max_length=8, choices=ReferralDecision.choices, blank=True)
    decision_note = models.CharField(_("note"), max_length=500, blank=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["area", "created_at"], name="referral_area_time")]

    def __str__(self) -> str:
        return f"referral of {self.person_id} by {self.referred_by_id}"

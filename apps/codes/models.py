"""Rule sets as versioned data, each person's current code, signing keys, overrides, declarations, check-ins."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.codes.choices import Colour, OverrideStatus, RiskLevel
from apps.common.apitypes import LONG_TEXT


class RuleSetVersion(models.Model):
    """One version of the rule parameters (core.coderules.RuleSet.to_dict()); the latest effective one applies."""

    version = models.CharField(_("version"), max_length=64, unique=True)
    effective_from = models.DateField(_("effective from"), unique=True)
    params = models.JSONField(_("parameters"))
    note = models.CharField(_("note"), max_length=LONG_TEXT, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"{self.version} ({self.effective_from})"


class HealthCode(models.Model):
    """The current code of one person: the computed colour, any override on top, and why."""

    person = models.OneToOneField(
        "people.Person", primary_key=True, on_delete=models.CASCADE, related_name="code"
    )
    # Denormalised from the person so colour counts by area need no join.
    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+", db_constraint=False)
    colour = models.CharField(_("colour"), max_length=6, choices=Colour.choices)
    computed_colour = models.CharField(_("computed colour"), max_length=6, choices=Colour.choices)
    reasons = models.JSONField(default=list)  # [{code, colour, zh, en, until}]
    changes_on = models.DateField(_("changes on"), null=True, blank=True)
    ruleset_version = models.CharField(max_length=64)
    override = models.ForeignKey(
        "Override", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    computed_at = models.DateTimeField()
    digest = models.CharField(max_length=24, default="")  # of the row's content, to skip unchanged rows

    class Meta:
        indexes = [models.Index(fields=["area", "colour"], name="code_area_colour")]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.colour}"


class SigningKey(models.Model):
    """An Ed25519 key; the private half is encrypted at rest. Retired keys keep verifying what they signed."""

    kid = models.CharField(max_length=64, primary_key=True)
    public_raw = models.BinaryField()
    private_enc = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.kid


class Override(models.Model):
    """A manual colour (e.g. for a wrongly red code): requested by one person, approved by another, time-limited."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="code_overrides")
    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")
    colour = models.CharField(_("colour"), max_length=6, choices=Colour.choices)
    reason = models.CharField(_("reason"), max_length=LONG_TEXT)
    valid_until = models.DateTimeField(_("valid until"))
    status = models.CharField(max_length=10, choices=OverrideStatus.choices, default=OverrideStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=LONG_TEXT, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["person", "status"], name="override_person_status")]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.colour} ({self.status})"


class Declaration(models.Model):
    """A citizen's health and travel declaration (健康申报)."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="declarations")
    declared_on = models.DateField(_("declared on"))
    symptoms = models.BooleanField(_("fever, cough or other symptoms"), default=False)
    arrived_on = models.DateField(_("arrived on"), null=True, blank=True)
    arrived_from = models.CharField(_("arrived from"), max_length=100, blank=True)
    arrived_from_risk = models.CharField(
        _("risk level of origin"), max_length=6, choices=RiskLevel.choices, default=RiskLevel.LOW
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["person", "declared_on"], name="declaration_person_day")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.declared_on}"


class CheckIn(models.Model):
    """A daily health check-in (每日健康打卡); one per person and local day."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="checkins")
    day = models.DateField()
    temperature = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    symptoms = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "day"], name="unique_checkin_per_day")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.day}"


class CheckInObligation(models.Model):
    """Days on which a person must check in daily (after a declaration of symptoms or risky travel)."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    start = models.DateField()
    end = models.DateField()  # exclusive
    source = models.CharField(max_length=32, default="declaration")

    class Meta:
        indexes = [models.Index(fields=["person", "end"], name="obligation_person_end")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.start}–{self.end}"


class SignInCode(models.Model):
    """A one-time sign-in code sent by SMS; only its hash is stored."""

    phone_hash = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.phone_hash[:8]}…"

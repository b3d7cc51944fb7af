"""Inbound travellers, their steps through the closed loop, and overdue alerts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.arrivals.choices import AlertLevel, Handoff, OriginKind, OriginRisk, Stage, Transport


class TravellerQuerySet(models.QuerySet["Traveller"]):
    def visible_to(self, user: object, perm: str = "arrival.view") -> TravellerQuerySet:
        """Travellers bound for, or screened at a port in, the user's jurisdiction."""
        from apps.accounts.scoping import area_q

        return self.filter(area_q(user, perm, "destination_area") | area_q(user, perm, "port_area"))


class Traveller(models.Model):
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    # Idempotency of registration: e.g. "manifest:<trip>:<doc hash>" or "api:<client id>".
    source_ref = models.CharField(max_length=120, unique=True)
    origin_kind = models.CharField(_("origin"), max_length=10, choices=OriginKind.choices)
    origin_country = models.CharField(_("country of departure"), max_length=2, blank=True)
    origin_area = models.CharField(_("area of departure"), max_length=64, blank=True)
    origin_risk = models.CharField(
        _("risk level at departure"), max_length=8, choices=OriginRisk.choices, default=OriginRisk.LOW
    )
    transport = models.CharField(_("transport"), max_length=8, choices=Transport.choices)
    transport_no = models.CharField(_("flight or train number"), max_length=16, blank=True)
    trip = models.ForeignKey("cases.Trip", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    arrived_at = models.DateTimeField(_("arrival time"))
    arrival_day = models.DateField(
        _("day of arrival")
    )  # in Shanghai: the board groups by it without a time zone
    port_area = models.ForeignKey(
        "geo.Area", verbose_name=_("port"), on_delete=models.PROTECT, related_name="+"
    )
    destination_area = models.ForeignKey(
        "geo.Area", verbose_name=_("destination"), on_delete=models.PROTECT, related_name="+"
    )
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.TRANSPORT)
    stage_entered_at = models.DateTimeField()
    stage_due_at = models.DateTimeField(null=True, blank=True)
    owner_role = models.CharField(max_length=24, blank=True)
    owner_area = models.ForeignKey(
        "geo.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    overdue_level = models.PositiveSmallIntegerField(default=0)
    classification = models.JSONField(default=dict, blank=True)  # the deciding rule and its outcome
    handoff = models.CharField(max_length=8, choices=Handoff.choices, default=Handoff.NONE, blank=True)
    handoff_request = models.JSONField(default=dict, blank=True)  # replayed while pending
    quarantine_order_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TravellerQuerySet.as_manager()

    class Meta:
        ordering = ["-arrived_at", "id"]
        verbose_name = _("inbound traveller")
        verbose_name_plural = _("inbound travellers")
        indexes = [
            models.Index(fields=["stage", "stage_due_at"], name="arrival_stage_due"),
            models.Index(fields=["handoff"], name="arrival_handoff"),
            models.Index(fields=["arrival_day", "stage"], name="arrival_day_stage"),
        ]

    def __str__(self) -> str:
        return f"{self.get_origin_kind_display()} {self.transport_no} {self.arrived_at:%Y-%m-%d}"


class TravellerEvent(models.Model):
    """One step of the loop, with who made it and the evidence it carried."""

    traveller = models.ForeignKey(Traveller, on_delete=models.CASCADE, related_name="events")
    from_stage = models.CharField(max_length=12, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=12, choices=Stage.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    evidence = models.JSONField(default=dict, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_stage or '-'} → {self.to_stage}"


class StageAlert(models.Model):
    """An overdue stage: first to its owner, then to the district (once each per stage entry)."""

    traveller = models.ForeignKey(Traveller, on_delete=models.CASCADE, related_name="alerts")
    stage = models.CharField(max_length=12, choices=Stage.choices)
    stage_entered_at = models.DateTimeField()
    level = models.PositiveSmallIntegerField(choices=AlertLevel.choices)
    role = models.CharField(max_length=24)
    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField()

    class Meta:
        ordering = ["-raised_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["traveller", "stage", "stage_entered_at", "level"], name="arrival_alert_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.stage} L{self.level}"


class ManifestImport(models.Model):
    """One uploaded passenger manifest and its report (bad rows with line, field and reason)."""

    trip = models.ForeignKey("cases.Trip", on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    port_area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")
    total_rows = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)  # passengers found in the person registry
    persons_created = models.PositiveIntegerField(default=0)
    travellers_created = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.trip} {self.filename}"


class ArrivalRuleSet(models.Model):
    """A version of the classification rules (core.arrival_rules), in force from its day."""

    version = models.CharField(_("version"), max_length=40, unique=True)
    effective_from = models.DateField(_("effective from"))
    rules = models.JSONField(_("rules"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_from", "-version"]

    def __str__(self) -> str:
        return f"{self.version} ({self.effective_from})"


class InstanceRootKey(models.Model):
    """This instance's long-lived root key that signs its published trust list (private half encrypted)."""

    kid = models.CharField(max_length=64, primary_key=True)
    public_raw = models.BinaryField()
    private_enc = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.kid


class ForeignTrustList(models.Model):
    """Another city's trust list, imported by an operator; its root is pinned for later imports."""

    issuer_area = models.CharField(_("issuer area"), max_length=12)
    issuer_name = models.CharField(_("issuing city"), max_length=100)
    root_kid = models.CharField(_("root key"), max_length=64, unique=True)
    root_raw = models.BinaryField()
    issued_at = models.DateTimeField(_("issued"))
    valid_until = models.DateTimeField(_("valid until"))
    document = models.JSONField()
    imported_at = models.DateTimeField(_("imported"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        ordering = ["issuer_area", "root_kid"]

    def __str__(self) -> str:
        return f"{self.issuer_name} ({self.issuer_area})"


class ForeignCodeKey(models.Model):
    """A code-verification key of another city, from its trust list; a revoked key verifies nothing."""

    kid = models.CharField(max_length=64, unique=True)
    trust_list = models.ForeignKey(ForeignTrustList, on_delete=models.CASCADE, related_name="keys")
    public_raw = models.BinaryField()
    retired_at_epoch = models.BigIntegerField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.kid


class DccSigner(models.Model):
    """An EU DCC document signer from an imported trust list (the gateway's format)."""

    kid = models.CharField(max_length=16, unique=True)  # base64 of the 8-byte key id
    country = models.CharField(max_length=2)
    der = models.BinaryField()
    subject = models.CharField(max_length=200, blank=True)
    not_after = models.DateTimeField()
    imported_at = models.DateTimeField()
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["country", "kid"]

    def __str__(self) -> str:
        return f"{self.country} {self.kid}"


class Screening(models.Model):
    """Port screening of a traveller: temperature, symptoms, sampling, and the certificate's verdict."""

    traveller = models.ForeignKey(Traveller, on_delete=models.CASCADE, related_name="screenings")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    temperature = models.DecimalField(_("temperature"), max_digits=3, decimal_places=1, null=True, blank=True)
    symptoms = models.BooleanField(_("symptoms"), default=False)
    sampled = models.BooleanField(_("sample taken"), default=False)
    sample_id = models.CharField(_("sample id"), max_length=40, blank=True)
    certificate_verdict = models.CharField(max_length=16, blank=True)
    certificate_reason = models.CharField(max_length=24, blank=True)
    certificate_summary = models.JSONField(default=dict, blank=True)  # type, country, dates; never the name

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.traveller_id} {self.at:%Y-%m-%d %H:%M}"

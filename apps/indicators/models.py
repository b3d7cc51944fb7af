"""The indicator catalogue, yearly targets per district, and district reports per dekad (上/中/下旬)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from apps.indicators.choices import Frequency, Kind, ReportState


class Indicator(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    unit = models.CharField(_("unit"), max_length=20)
    frequency = models.CharField(
        _("frequency"), max_length=8, choices=Frequency.choices, default=Frequency.DEKAD
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.FLOW)
    grace_days = models.PositiveSmallIntegerField(_("days allowed after the period"), default=3)
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if translation.get_language() == "en" and self.name_en:
            return self.name_en
        return self.name_zh

    def expects(self, part: int) -> bool:
        return self.frequency == Frequency.DEKAD or part == 3


class Target(models.Model):
    """A district's target for a year: year-to-date sum for a flow, the level to reach for a level."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    area = models.ForeignKey(
        "geo.Area", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("target"), max_digits=16, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["indicator", "area", "year"], name="unique_indicator_target")
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.area_id} {self.year}"


class Report(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="reports")
    area = models.ForeignKey(
        "geo.Area", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+"
    )
    dekad = models.CharField(_("dekad"), max_length=10)  # core.dekad key "YYYY-MM-P": sorts as text
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=2)
    # Lateness is judged on the local calendar day of the first submission; corrections keep it.
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_on = models.DateField(_("submitted on (local day)"))
    state = models.CharField(_("state"), max_length=8, choices=ReportState.choices)
    days_late = models.PositiveSmallIntegerField(default=0)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-dekad", "indicator__order", "area"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "area", "dekad"], name="unique_indicator_report")
        ]
        indexes = [models.Index(fields=["area", "dekad"])]
        verbose_name = _("indicator report")
        verbose_name_plural = _("indicator reports")

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.area_id} {self.dekad}"

"""District risk levels (低/中/高风险地区) as computed for a day, with the reason shown to everyone."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low risk")
    MEDIUM = "medium", _("Medium risk")
    HIGH = "high", _("High risk")


class DistrictRisk(models.Model):
    area = models.ForeignKey(
        "geo.Area", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField(_("day"))
    level = models.CharField(_("level"), max_length=8, choices=RiskLevel.choices)
    reason_code = models.CharField(max_length=48)
    reason_zh = models.CharField(max_length=255)
    reason_en = models.CharField(max_length=255)
    cumulative_cases = models.PositiveIntegerField()
    new_cases = models.PositiveIntegerField()
    clusters = models.PositiveIntegerField()
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-day", "area"]
        constraints = [models.UniqueConstraint(fields=["area", "day"], name="district_risk_area_day")]

    def __str__(self) -> str:
        return f"{self.area_id} {self.day} {self.level}"

    @property
    def reason(self) -> str:
        from django.utils import translation

        return self.reason_en if translation.get_language() == "en" else self.reason_zh

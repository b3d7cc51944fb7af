"""Administrative areas: province > city > district > street > community, keyed by GB/T 2260-style code."""

from __future__ import annotations

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from apps.geo.choices import AreaLevel
from core import geocodes


class Area(models.Model):
    # The code is the key: every row that belongs to an area stores the code itself, so "in or under an
    # area" is a prefix match on an indexed column (see core.geocodes.scope_prefix).
    code = models.CharField(_("code"), max_length=12, primary_key=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=AreaLevel.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    boundary = models.JSONField(_("boundary (GeoJSON geometry)"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        if translation.get_language() == "en" and self.name_en:
            return self.name_en
        return self.name_zh

    @property
    def scope_prefix(self) -> str:
        return geocodes.scope_prefix(self.code)

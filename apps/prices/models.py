"""Staple items, markets and daily prices; alerts are computed from the prices (core.prices), never stored."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from apps.prices.choices import MarketKind


class PriceItem(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=60, blank=True)
    unit = models.CharField(_("unit"), max_length=20, default="元/斤")
    # Alert when a price rises more than this share over its 7-day baseline (0.20 = 20%).
    alert_share = models.DecimalField(
        _("alert above baseline by"), max_digits=5, decimal_places=3, default=Decimal("0.200")
    )
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("staple item")
        verbose_name_plural = _("staple items")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if translation.get_language() == "en" and self.name_en else self.name_zh


class Market(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=MarketKind.choices, default=MarketKind.FARMERS)
    area = models.ForeignKey("geo.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["code"]
        verbose_name = _("market")
        verbose_name_plural = _("markets")

    def __str__(self) -> str:
        return self.name


class PriceRecord(models.Model):
    item = models.ForeignKey(PriceItem, on_delete=models.PROTECT, related_name="records")
    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="records")
    day = models.DateField(_("day"))
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-day", "item", "market"]
        constraints = [models.UniqueConstraint(fields=["item", "market", "day"], name="unique_price_per_day")]
        indexes = [models.Index(fields=["day", "item"])]
        verbose_name = _("price")
        verbose_name_plural = _("prices")

    def __str__(self) -> str:
        return f"{self.item_id}@{self.market_id} {self.day}: {self.price}"

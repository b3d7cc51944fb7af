"""Kinds of markets where staple prices are monitored (保民生 市场监测)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MarketKind(models.TextChoices):
    WHOLESALE = "wholesale", _("Wholesale market")
    FARMERS = "farmers", _("Farmers' market")
    SUPERMARKET = "supermarket", _("Supermarket")


# The baseline is the mean of the observed days among the 7 days before; fewer than 3 observations judge nothing.
WINDOW_DAYS = 7
MIN_DAYS = 3

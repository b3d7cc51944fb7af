"""Enumerations of the geo app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaLevel(models.IntegerChoices):
    PROVINCE = 1, _("Province")
    CITY = 2, _("City")
    DISTRICT = 3, _("District")
    STREET = 4, _("Street")
    COMMUNITY = 5, _("Community")

"""Enumerations of the venues app."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class VenueCategory(models.TextChoices):
    # 测温、扫码 at 商超、餐饮、公交、学校、小区卡口; 交通卡口、铁路出口 (seeds 000, 002, 003)
    SUPERMARKET = "supermarket", _("Supermarket")
    RESTAURANT = "restaurant", _("Restaurant")
    BUS = "bus", _("Bus")
    SCHOOL = "school", _("School")
    COMMUNITY_GATE = "community_gate", _("Community gate")
    WORKPLACE = "workplace", _("Workplace")
    ROAD_CHECKPOINT = "road_checkpoint", _("Road checkpoint")
    RAIL_CHECKPOINT = "rail_checkpoint", _("Rail checkpoint")


class VenueStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("venue status", "Open")
    LIMITED = "limited", _("Limited")
    CLOSED = "closed", pgettext_lazy("venue status", "Closed")


class Colour(models.TextChoices):
    """Code colour as seen at a scan (mirrors core.coderules.Colour values)."""

    GREEN = "green", _("Green")
    YELLOW = "yellow", _("Yellow")
    RED = "red", _("Red")
    UNKNOWN = "", _("Not shown")


class ScanRejection(models.TextChoices):
    TEMPERATURE_IMPLAUSIBLE = "temperature_implausible", _("Temperature outside 34–43 °C")
    TIME_IN_FUTURE = "time_in_future", _("Scan time is in the future")
    UNKNOWN_VENUE = "unknown_venue", _("Unknown venue")
    UNKNOWN_PERSON = "unknown_person", _("Unknown person")
    MALFORMED = "malformed", _("Malformed scan")
    DUPLICATE = "duplicate", _("Already uploaded")
    FORBIDDEN_VENUE = "forbidden_venue", _("Venue outside your jurisdiction")


class AlertKind(models.TextChoices):
    RED_CODE = "red_code", _("Red code")
    YELLOW_CODE = "yellow_code", _("Yellow code")
    FEVER = "fever", _("Fever (at or above the code rules' threshold)")


class AlertStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("alert status", "Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CLOSED = "closed", pgettext_lazy("alert status", "Closed")

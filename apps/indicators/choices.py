"""Indicator frequencies and kinds (十天一调度), and the states of a district's report."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Frequency(models.TextChoices):
    DEKAD = "dekad", _("Every dekad")
    MONTH = "month", _("Monthly (in the last dekad)")


class Kind(models.TextChoices):
    # A flow adds up over the year (retail sales); a level is read as it stands (enterprises resumed).
    FLOW = "flow", _("Flow (year-to-date sum)")
    LEVEL = "level", _("Level (latest value)")


class ReportState(models.TextChoices):
    NOT_DUE = "not_due", pgettext_lazy("report state", "Not due yet")
    ON_TIME = "on_time", pgettext_lazy("report state", "On time")
    LATE = "late", pgettext_lazy("report state", "Late")
    MISSING = "missing", pgettext_lazy("report state", "Missing")

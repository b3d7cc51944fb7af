"""Project stages (signed → started → in progress → completed) and the three colours (三色管理)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    SIGNED = "signed", _("Signed")
    STARTED = "started", _("Started")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")


# Stages only move forward; a completed project stays completed.
STAGE_ORDER = [Stage.SIGNED, Stage.STARTED, Stage.IN_PROGRESS, Stage.COMPLETED]


class Colour(models.TextChoices):
    BLUE = "blue", _("Blue: on schedule")
    YELLOW = "yellow", _("Yellow: lagging")
    RED = "red", _("Red: seriously lagging")


COLOUR_HEX = {Colour.BLUE: "#1f5fa8", Colour.YELLOW: "#f2b600", Colour.RED: "#c5221f"}

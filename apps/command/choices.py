"""Enumerations of the command app: notification severity and channels, supervised tasks, accountability."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Severity(models.TextChoices):
    INFO = "info", _("Information")
    WARNING = "warning", _("Warning")
    URGENT = "urgent", _("Urgent")


class Channel(models.TextChoices):
    """Where a user's urgent notifications and daily digest go besides the in-app inbox."""

    NONE = "none", _("In-app inbox only")
    CONSOLE = "console", _("Console (development)")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class Priority(models.TextChoices):
    LOW = "low", pgettext_lazy("priority", "Low")
    NORMAL = "normal", pgettext_lazy("priority", "Normal")
    HIGH = "high", pgettext_lazy("priority", "High")
    URGENT = "urgent", pgettext_lazy("priority", "Urgent")


class TaskStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("task status", "Open")
    SUBMITTED = "submitted", _("Submitted for acceptance")
    CLOSED = "closed", pgettext_lazy("task status", "Closed")


class TaskLevel(models.IntegerChoices):
    """The escalation ladder of an overdue task: reminder, then the unit head, then the headquarters."""

    ON_TIME = 0, _("Not overdue")
    REMINDED = 1, _("Reminder sent")
    UNIT_HEAD = 2, _("Escalated to the unit head")
    HEADQUARTERS = 3, _("Escalated to the headquarters")


class TaskEventKind(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    PROGRESS = "progress", _("Progress reported")
    ESCALATED = "escalated", _("Escalated")
    SUBMITTED = "submitted", _("Submitted with evidence")
    ACCEPTED = "accepted", _("Accepted and closed")
    RETURNED = "returned", _("Returned: not accepted")
    REOPENED = "reopened", _("Reopened")
    SOURCE_RESOLVED = "source_resolved", _("Closed: its source was resolved")


# One table of allowed steps (as apps/cases/lifecycle.py): from status -> {event: to status}.
TASK_TRANSITIONS: dict[str, dict[str, str]] = {
    TaskStatus.OPEN: {
        TaskEventKind.PROGRESS: TaskStatus.OPEN,
        TaskEventKind.SUBMITTED: TaskStatus.SUBMITTED,
        TaskEventKind.SOURCE_RESOLVED: TaskStatus.CLOSED,
    },
    TaskStatus.SUBMITTED: {
        TaskEventKind.PROGRESS: TaskStatus.SUBMITTED,
        TaskEventKind.ACCEPTED: TaskStatus.CLOSED,
        TaskEventKind.RETURNED: TaskStatus.OPEN,
        TaskEventKind.SOURCE_RESOLVED: TaskStatus.CLOSED,
    },
    TaskStatus.CLOSED: {TaskEventKind.REOPENED: TaskStatus.OPEN},
}


class BriefingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    EDITED = "edited", _("Edited")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")


# draft → edited → approved (figures frozen) → published; an approved briefing is never rewritten.
BRIEFING_TRANSITIONS: dict[str, set[str]] = {
    BriefingStatus.DRAFT: {BriefingStatus.EDITED, BriefingStatus.APPROVED},
    BriefingStatus.EDITED: {BriefingStatus.EDITED, BriefingStatus.APPROVED},
    BriefingStatus.APPROVED: {BriefingStatus.PUBLISHED},
    BriefingStatus.PUBLISHED: set(),
}


class SupplyCategory(models.TextChoices):
    """物资 (seed 001): instruments, test kits, protective equipment, disinfectants, antiviral drugs."""

    TEST_KIT = "test_kit", _("Test kits")
    REAGENT = "reagent", _("Reagents")
    INSTRUMENT = "instrument", _("Instruments")
    MASK = "mask", _("Masks")
    SUIT = "suit", _("Protective suits")
    DISINFECTANT = "disinfectant", _("Disinfectant")
    ANTIVIRAL = "antiviral", _("Antiviral drugs")


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    ISSUE = "issue", _("Issue")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    DONATION = "donation", _("Donation")


# The sign of each movement on the stock: receipts and donations add, issues and transfers out take away.
MOVEMENT_SIGN = {
    MovementKind.RECEIPT: 1,
    MovementKind.DONATION: 1,
    MovementKind.TRANSFER_IN: 1,
    MovementKind.ISSUE: -1,
    MovementKind.TRANSFER_OUT: -1,
}


class AccountabilityDecision(models.TextChoices):
    """问责: what the headquarters decided about a failure."""

    NONE = "none", _("No action")
    TALK = "talk", _("Admonishing talk (约谈)")
    CRITICISM = "criticism", _("Circulated criticism (通报批评)")
    WARNING = "warning", _("Disciplinary warning")
    REMOVAL = "removal", _("Removed from post")
    PENDING = "pending", _("Under investigation")

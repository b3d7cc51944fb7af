"""Enumerations of the screening app (不漏一人: lists, linkage, work items, visits, gates)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SourceKind(models.TextChoices):
    TRANSPORT = "transport", _("Transport operator")
    EMPLOYER = "employer", _("Employer")
    DEPARTMENT = "department", _("Other department")
    COMMUNITY = "community", _("Community door-to-door round")


class ListPurpose(models.TextChoices):
    ARRIVALS = "arrivals", _("Arrivals from an area since a date")
    RETURNING_WORKERS = "returning_workers", _("Returning workers of an enterprise")
    KEY_PERSONS = "key_persons", _("Key persons of a category")
    DOOR_TO_DOOR = "door_to_door", _("Door-to-door round")


class VisitRule(models.TextChoices):
    """Who on a list must be visited by their community."""

    EVERYONE = "everyone", _("Everyone on the list")
    UNMATCHED = "unmatched", _("Only rows not linked to a registered person")
    NOBODY = "nobody", _("Nobody (matching only)")


class ImportState(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("import job", "Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class RowState(models.TextChoices):
    """The one bucket of the reconciliation (底数清) a row is in: rows = matched + resolved + open + rejected."""

    MATCHED = "matched", pgettext_lazy("screening row", "Matched")
    OPEN = "open", pgettext_lazy("screening row", "Open work item")
    RESOLVED = "resolved", pgettext_lazy("screening row", "Resolved work item")
    REJECTED = "rejected", pgettext_lazy("screening row", "Rejected")


class MatchMethod(models.TextChoices):
    NONE = "", _("Not linked")
    EXACT = "exact", _("Same document number")
    AUTO = "auto", _("Linked automatically (probabilistic)")
    REVIEWED = "reviewed", _("Confirmed by a reviewer")


class CandidateStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("link candidate", "Waiting for review")
    CONFIRMED = "confirmed", pgettext_lazy("link candidate", "Confirmed")
    REJECTED = "rejected", pgettext_lazy("link candidate", "Rejected")


class WorkReason(models.TextChoices):
    UNMATCHED = "unmatched", _("Not in the person registry")
    AMBIGUOUS = "ambiguous", _("Possible match waiting for review")
    LIST_RULE = "list_rule", _("The list requires a visit")


class WorkLevel(models.IntegerChoices):
    COMMUNITY = 0, _("Community")
    STREET = 1, _("Street")
    DISTRICT = 2, _("District")


class WorkStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("work item", "Open")
    RESOLVED = "resolved", pgettext_lazy("work item", "Resolved")


class VisitOutcome(models.TextChoices):
    FOUND = "found", _("Found at home")
    MOVED_AWAY = "moved_away", _("Moved away")
    NOT_FOUND = "not_found", _("Not found")
    REFUSED = "refused", _("Refused")


class HealthStatus(models.TextChoices):
    NORMAL = "normal", _("No symptoms")
    FEVER = "fever", _("Fever")
    SYMPTOMS = "symptoms", _("Other symptoms")
    UNKNOWN = "unknown", _("Unknown")


class VisitAction(models.TextChoices):
    NONE = "none", _("No further action")
    HOME_MONITORING = "home_monitoring", _("Home health monitoring")
    QUARANTINE = "quarantine", _("Quarantine order")
    TEST = "test", _("Nucleic acid test")


class ResolvedBy(models.TextChoices):
    VISIT = "visit", _("Visited")
    LINKED = "linked", _("Linked by a reviewer, no visit needed")

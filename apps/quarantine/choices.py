"""Enumerations of the quarantine app: order sources and kinds, order, stay and room statuses, alerts, requests."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OrderSource(models.TextChoices):
    CONTACT = "contact", _("Close contact (tracing)")
    ARRIVAL = "arrival", _("Arrival (inbound loop)")
    SECONDARY = "secondary", _("Secondary contact")
    MANUAL = "manual", _("Manual decision")
    SCREENING = "screening", _("Screening")


class StayKind(models.TextChoices):
    CENTRALISED = "centralised", _("Centralised quarantine")  # 集中隔离
    HOME = "home", _("Home quarantine")  # 居家隔离
    HOME_MONITORING = "home_monitoring", _("Home health monitoring")  # 居家健康监测


class OrderStatus(models.TextChoices):
    PROPOSED = "proposed", pgettext_lazy("quarantine order", "Proposed")
    ACCEPTED = "accepted", pgettext_lazy("quarantine order", "Accepted")
    REJECTED = "rejected", pgettext_lazy("quarantine order", "Rejected")


class StayStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for a room")
    ACTIVE = "active", pgettext_lazy("quarantine stay", "In quarantine")
    MONITORING = "monitoring", _("Health monitoring")
    RELEASED = "released", pgettext_lazy("quarantine stay", "Released")
    RELEASED_EARLY = "released_early", _("Released early")
    HOSPITAL = "hospital", _("Sent to hospital")
    CANCELLED = "cancelled", pgettext_lazy("quarantine stay", "Cancelled")


OPEN_STAY_STATUSES = (StayStatus.WAITING, StayStatus.ACTIVE, StayStatus.MONITORING)
ENDED_STAY_STATUSES = (
    StayStatus.RELEASED,
    StayStatus.RELEASED_EARLY,
    StayStatus.HOSPITAL,
    StayStatus.CANCELLED,
)


class SiteKind(models.TextChoices):
    HOTEL = "hotel", _("Requisitioned hotel")  # 征用酒店
    DORMITORY = "dormitory", _("Dormitory")
    OTHER = "other", pgettext_lazy("quarantine site", "Other")


class RoomType(models.TextChoices):
    SINGLE = "single", pgettext_lazy("room", "Single")
    DOUBLE = "double", pgettext_lazy("room", "Double")
    FAMILY = "family", pgettext_lazy("room", "Family")
    ACCESSIBLE = "accessible", pgettext_lazy("room", "Accessible")


class RoomStatus(models.TextChoices):
    FREE = "free", pgettext_lazy("room", "Free")
    OCCUPIED = "occupied", pgettext_lazy("room", "Occupied")
    CLEANING = "cleaning", pgettext_lazy("room", "Cleaning")
    OUT_OF_ORDER = "out_of_order", pgettext_lazy("room", "Out of order")


class AlertKind(models.TextChoices):
    MISSED_CHECKIN = "missed_checkin", _("Missed check-in")
    FEVER = "fever", pgettext_lazy("quarantine alert", "Fever")
    SYMPTOMS = "symptoms", pgettext_lazy("quarantine alert", "Symptoms")
    BREACH = "breach", _("Left quarantine (scanned outside)")
    POSITIVE = "positive", _("Positive test")


class AlertStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("alert", "Open")
    CLOSED = "closed", pgettext_lazy("alert", "Closed")


class RequestKind(models.TextChoices):
    MEALS = "meals", _("Meals")
    MEDICINE = "medicine", _("Medicine")
    PSYCHOLOGICAL = "psychological", _("Psychological support")
    OTHER = "other", pgettext_lazy("request kind", "Other")


class RequestStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("request", "Open")
    DONE = "done", pgettext_lazy("request", "Done")


class EarlyReleaseStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("approval", "Pending")
    APPROVED = "approved", pgettext_lazy("approval", "Approved")
    REJECTED = "rejected", pgettext_lazy("approval", "Rejected")


class EventKind(models.TextChoices):
    STATUS = "status", pgettext_lazy("event", "Status change")
    ALLOCATE = "allocate", _("Room allocated")
    TRANSFER = "transfer", _("Transfer")
    EXTEND = "extend", _("Planned end extended")
    LINK = "link", _("Follow-up linked")

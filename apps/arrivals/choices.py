"""Enumerations of inbound travellers; the loop's stages come from core.arrivals_loop."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.arrivals_loop import Stage as CoreStage


class Stage(models.TextChoices):
    TRANSPORT = CoreStage.TRANSPORT.value, _("Transport intervention")  # 运输介入
    PORT = CoreStage.PORT.value, _("Port quarantine")  # 口岸检疫
    TRANSFER = CoreStage.TRANSFER.value, _("Classified transfer")  # 分类转运
    CENTRALISED = CoreStage.CENTRALISED.value, _("Centralised quarantine")  # 集中隔离
    HOSPITAL = CoreStage.HOSPITAL.value, _("Designated hospital")  # 定点救治
    COMMUNITY = CoreStage.COMMUNITY.value, _("Community follow-up")  # 社区防控
    CLOSED = CoreStage.CLOSED.value, pgettext_lazy("loop stage", "Closed")


class OriginKind(models.TextChoices):
    ABROAD = "abroad", _("Abroad")  # 境外
    DOMESTIC = "domestic", _("Another domestic area")  # 外地
    PROVINCE = "province", _("Same province")  # 省内


class OriginRisk(models.TextChoices):
    LOW = "low", pgettext_lazy("risk level", "Low")
    MEDIUM = "medium", pgettext_lazy("risk level", "Medium")
    HIGH = "high", pgettext_lazy("risk level", "High")


class Transport(models.TextChoices):
    FLIGHT = "flight", _("Flight")
    TRAIN = "train", _("Train")
    ROAD = "road", _("Road")
    PORT = "port", pgettext_lazy("transport", "Ship")


class Handoff(models.TextChoices):
    NONE = "", _("None")
    PENDING = "pending", _("Pending (quarantine not available)")
    SENT = "sent", _("Handed to quarantine")


class AlertLevel(models.IntegerChoices):
    OWNER = 1, _("Overdue: stage owner alerted")
    DISTRICT = 2, _("Overdue: escalated to the district")

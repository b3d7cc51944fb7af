"""Enumerations of the cases app: case status (the life cycle), origin, lab results, contacts."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CaseStatus(models.TextChoices):
    # 发热门诊 → 疑似 → 确诊 / 无症状感染者 / 排除; 确诊 → 定点医院 → 治愈 / 死亡
    FEVER = "fever", _("Fever-clinic report")
    SUSPECTED = "suspected", _("Suspected")
    CONFIRMED = "confirmed", _("Confirmed")
    ASYMPTOMATIC = "asymptomatic", _("Asymptomatic infection")
    EXCLUDED = "excluded", _("Excluded")
    HOSPITALISED = "hospitalised", _("In designated hospital")
    RECOVERED = "recovered", _("Recovered")
    DIED = "died", _("Died")


CLOSED_STATUSES = (CaseStatus.EXCLUDED, CaseStatus.RECOVERED, CaseStatus.DIED)
# Statuses that count as a confirmed case for the curve, Rt and the risk rule.
CONFIRMED_STATUSES = (CaseStatus.CONFIRMED, CaseStatus.HOSPITALISED, CaseStatus.RECOVERED, CaseStatus.DIED)


class CaseClass(models.TextChoices):
    """What a case list filters by: the clinical class a status belongs to."""

    FEVER = "fever", _("Fever patient")
    SUSPECTED = "suspected", _("Suspected")
    CONFIRMED = "confirmed", _("Confirmed")
    ASYMPTOMATIC = "asymptomatic", _("Asymptomatic")
    EXCLUDED = "excluded", _("Excluded")


CLASS_STATUSES: dict[str, tuple[str, ...]] = {
    CaseClass.FEVER: (CaseStatus.FEVER,),
    CaseClass.SUSPECTED: (CaseStatus.SUSPECTED,),
    CaseClass.CONFIRMED: tuple(CONFIRMED_STATUSES),
    CaseClass.ASYMPTOMATIC: (CaseStatus.ASYMPTOMATIC,),
    CaseClass.EXCLUDED: (CaseStatus.EXCLUDED,),
}


class Origin(models.TextChoices):
    LOCAL = "local", _("Local")
    ABROAD = "abroad", pgettext_lazy("case origin", "Imported from abroad")  # 境外输入
    DOMESTIC = "domestic", pgettext_lazy("case origin", "From another domestic area")  # 外地输入


# Not local transmission: both kinds of imported case (the reproduction number counts them apart from local).
IMPORTED_ORIGINS = (Origin.ABROAD, Origin.DOMESTIC)


class LabResultValue(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    NEGATIVE = "negative", _("Negative")
    INCONCLUSIVE = "inconclusive", _("Inconclusive")


class ContactDegree(models.IntegerChoices):
    CLOSE = 1, _("Close contact")  # 密切接触者
    SECONDARY = 2, _("Secondary contact")  # 次密接


class ContactStatus(models.TextChoices):
    SUGGESTED = "suggested", _("Suggested")
    CONFIRMED = "confirmed", _("Confirmed contact")
    DISMISSED = "dismissed", _("Dismissed")


class ContactKind(models.TextChoices):
    VENUE = "venue", _("Same venue")
    HOUSEHOLD = "household", _("Same household")
    FLIGHT = "flight", _("Same flight")
    TRAIN = "train", _("Same train carriage")
    MANUAL = "manual", _("Reported by hand")


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("Under follow-up")
    CLOSED = "closed", _("Closed")


class LinkSource(models.TextChoices):
    CONTACT = "contact", _("From a confirmed contact")
    MANUAL = "manual", _("Set by hand")


class TransportMode(models.TextChoices):
    FLIGHT = "flight", _("Flight")
    TRAIN = "train", _("Train")

"""Enumerations of the enterprises app: industries, sizes, resumption, reasons, policies, hotline."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class IndustrySection(models.TextChoices):
    """GB/T 4754-2017 门类 (sections)."""

    A = "A", _("Agriculture, forestry, animal husbandry and fishery")
    B = "B", _("Mining")
    C = "C", _("Manufacturing")
    D = "D", _("Electricity, heat, gas and water supply")
    E = "E", _("Construction")
    F = "F", _("Wholesale and retail trade")
    G = "G", _("Transport, storage and post")
    H = "H", _("Accommodation and catering")
    I = "I", _("Information transmission, software and IT services")  # noqa: E741 - the standard's letter
    J = "J", _("Finance")
    K = "K", _("Real estate")
    L = "L", _("Leasing and business services")
    M = "M", _("Scientific research and technical services")
    N = "N", _("Water conservancy, environment and public facilities")
    O = "O", _("Resident services, repair and other services")  # noqa: E741
    P = "P", _("Education")
    Q = "Q", _("Health and social work")
    R = "R", _("Culture, sports and entertainment")
    S = "S", _("Public administration, social security and social organisations")
    T = "T", _("International organisations")


class SizeClass(models.TextChoices):
    LARGE = "large", _("Large")
    MEDIUM = "medium", _("Medium")
    SMALL = "small", _("Small")
    MICRO = "micro", _("Micro")


class Status(models.TextChoices):
    """Same values as core.resumption.ResumptionStatus."""

    NOT_RESUMED = "not", _("Not resumed")
    PARTLY = "partly", _("Partly resumed")
    FULLY = "fully", _("Fully resumed")


class StatusSource(models.TextChoices):
    FILING = "filing", _("Commitment filing")
    OFFICER = "officer", _("Officer")
    IMPORT = "import", _("Import")
    ENTERPRISE = "enterprise", _("Enterprise report")


# The resumption guideline (企业复工导则) as first installed: (code, Chinese, English, mandatory). The list lives in
# GuidelineMeasure rows, created from this on first use; the headquarters edits them there.
DEFAULT_GUIDELINE: list[tuple[str, str, str, bool]] = [
    ("temperature", "进门测温，每日两次", "Temperature checks at entry, twice a day", True),
    ("masks", "每名员工配备口罩等防护用品", "Masks and protective supplies for every worker", True),
    ("disinfection", "工作场所每日消毒通风", "Daily disinfection and ventilation of workplaces", True),
    ("canteen", "错峰就餐，食堂不聚集", "Staggered meals, no gathering in the canteen", True),
    ("registry", "建立员工健康和行程台账", "A registry of every worker's health and travel", True),
    ("isolation_room", "设置临时隔离室", "A temporary isolation room", True),
    ("officer", "指定防疫专员", "A named epidemic-prevention officer", True),
    ("plan", "制定疑似病例应急预案", "An emergency plan for a suspected case", True),
]


class InspectionKind(models.TextChoices):
    INSPECTION = "inspection", _("Inspection")
    GUIDANCE = "guidance", _("Guidance")


class InspectionResult(models.TextChoices):
    OK = "ok", _("Compliant")
    ISSUES = "issues", _("Issues found")
    SERIOUS = "serious", _("Serious issues: suspend")


class Reason(models.TextChoices):
    """Why an enterprise has not fully resumed (same codes as core.policies' `reasons`)."""

    LABOUR = "labour", _("Labour shortage")
    LOGISTICS = "logistics", _("Logistics")
    RAW_MATERIALS = "raw_materials", _("Raw materials")
    CAPITAL = "capital", _("Capital")
    PROTECTIVE_SUPPLIES = "protective_supplies", _("Protective supplies")
    ORDERS = "orders", _("Orders")
    OTHER = "other", _("Other")


class PolicyCategory(models.TextChoices):
    TAX = "tax", _("Tax")
    FINANCE = "finance", _("Finance and credit")
    RENT = "rent", _("Rent")
    SOCIAL_INSURANCE = "social_insurance", _("Social insurance")
    EMPLOYMENT = "employment", _("Employment subsidies")
    OTHER = "other", _("Other")


class Uptake(models.TextChoices):
    DELIVERED = "delivered", _("Delivered")
    APPLIED = "applied", _("Applied")
    GRANTED = "granted", _("Granted")
    DECLINED = "declined", _("Declined")


class PowerPeriod(models.TextChoices):
    DAY = "day", _("Day")
    DEKAD = "dekad", _("Dekad (ten days)")


class TicketStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("ticket status", "Open")
    REPLIED = "replied", _("Replied")
    CLOSED = "closed", pgettext_lazy("ticket status", "Closed")


# 企业服务热线 ticket life: the only allowed moves (tested one by one).
TICKET_TRANSITIONS: dict[str, set[str]] = {
    TicketStatus.OPEN: {TicketStatus.REPLIED},
    TicketStatus.REPLIED: {TicketStatus.CLOSED, TicketStatus.OPEN},  # rated, or reopened as unresolved
    TicketStatus.CLOSED: set(),
}


class EscalationLevel(models.IntegerChoices):
    """Same values as core.sla.EscalationLevel."""

    OWNER = 0, _("Owner department")
    DEPARTMENT_HEAD = 1, _("Department head")
    HEADQUARTERS = 2, _("Headquarters")


class TicketEventKind(models.TextChoices):
    OPENED = "opened", _("Opened")
    ESCALATED = "escalated", _("Escalated")
    REPLIED = "replied", _("Replied")
    REOPENED = "reopened", _("Reopened")
    RATED = "rated", _("Rated")

"""School readiness checklists (开学复学) and the dispute life cycle (矛盾纠纷排查化解)."""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ChecklistGroup(models.TextChoices):
    ONE_PLAN = "one_plan", _("One plan per school")  # 一校一方案
    TWO_CONTINGENCIES = "two_contingencies", _("Two contingency plans per school")  # 一校两预案
    THREE_TEAMS = "three_teams", _("Three task teams per school")  # 一校三专班
    TEN_IN_PLACE = "ten_in_place", _("Ten measures in place")  # 十个到位


# The default checklist, created on first use; the headquarters edits items (admin) and may add its own.
DEFAULT_CHECKLIST: list[tuple[str, str, str, str]] = [
    (ChecklistGroup.ONE_PLAN, "plan", "开学复课工作方案已制定并报批", "Reopening plan drawn up and approved"),
    (ChecklistGroup.TWO_CONTINGENCIES, "contingency_epidemic", "疫情防控应急预案", "Epidemic emergency plan"),
    (
        ChecklistGroup.TWO_CONTINGENCIES,
        "contingency_incident",
        "突发情况处置预案",
        "Plan for sudden incidents",
    ),
    (ChecklistGroup.THREE_TEAMS, "team_prevention", "防控工作专班", "Prevention task team"),
    (ChecklistGroup.THREE_TEAMS, "team_teaching", "教育教学专班", "Teaching task team"),
    (ChecklistGroup.THREE_TEAMS, "team_logistics", "后勤保障专班", "Logistics task team"),
    (ChecklistGroup.TEN_IN_PLACE, "ten_mechanism", "防控机制到位", "Prevention mechanism in place"),
    (
        ChecklistGroup.TEN_IN_PLACE,
        "ten_screening",
        "师生健康排查到位",
        "Health screening of staff and pupils",
    ),
    (ChecklistGroup.TEN_IN_PLACE, "ten_supplies", "防疫物资储备到位", "Protective supplies stocked"),
    (ChecklistGroup.TEN_IN_PLACE, "ten_disinfection", "校园环境消杀到位", "Campus disinfected"),
    (ChecklistGroup.TEN_IN_PLACE, "ten_checks", "晨午检制度到位", "Morning and noon health checks"),
    (ChecklistGroup.TEN_IN_PLACE, "ten_isolation", "临时隔离场所到位", "Temporary isolation room"),
    (ChecklistGroup.TEN_IN_PLACE, "ten_drill", "应急演练到位", "Emergency drill held"),
    (ChecklistGroup.TEN_IN_PLACE, "ten_education", "健康教育到位", "Health education given"),
    (ChecklistGroup.TEN_IN_PLACE, "ten_medical", "医校协同到位", "School-clinic coordination"),
    (ChecklistGroup.TEN_IN_PLACE, "ten_family", "家校联动到位", "School-family coordination"),
]


class SchoolLevel(models.TextChoices):
    KINDERGARTEN = "kindergarten", _("Kindergarten")
    PRIMARY = "primary", _("Primary school")
    MIDDLE = "middle", _("Middle school")
    HIGH = "high", _("High school")
    VOCATIONAL = "vocational", _("Vocational school")


# The grades of each level, first year first; a school reopens grade by grade, the graduating year (the last)
# first: "在确保高三年级如期复学的同时，统筹做好其他年级复学准备" (seed 004).
LEVEL_GRADES: dict[str, tuple[Any, ...]] = {
    SchoolLevel.KINDERGARTEN: (_("Junior class"), _("Middle class"), _("Senior class")),
    SchoolLevel.PRIMARY: (_("Grade 1"), _("Grade 2"), _("Grade 3"), _("Grade 4"), _("Grade 5"), _("Grade 6")),
    SchoolLevel.MIDDLE: (_("Junior 1"), _("Junior 2"), _("Junior 3")),
    SchoolLevel.HIGH: (_("Senior 1"), _("Senior 2"), _("Senior 3")),
    SchoolLevel.VOCATIONAL: (_("Year 1"), _("Year 2"), _("Year 3")),
}


def grade_name(level: str, grade: int) -> str:
    names = LEVEL_GRADES.get(level, ())
    return str(names[grade - 1]) if 1 <= grade <= len(names) else str(grade)


class DisputeKind(models.TextChoices):
    CONTRACT = "contract", _("Contract performance")  # 合同履约
    DEBT = "enterprise_debt", _("Enterprise debt")  # 企业债务
    LABOUR = "labour", _("Labour relations")  # 劳资关系
    OTHER = "other", _("Other")


class DisputeStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("dispute", "Open")
    MEDIATING = "mediating", pgettext_lazy("dispute", "Being mediated")
    REFERRED = "referred", pgettext_lazy("dispute", "Referred to arbitration or court")
    RESOLVED = "resolved", pgettext_lazy("dispute", "Resolved")


# The dispute life cycle in one table: from each status, where it may go.
DISPUTE_TRANSITIONS: dict[str, set[str]] = {
    DisputeStatus.OPEN: {DisputeStatus.MEDIATING, DisputeStatus.REFERRED, DisputeStatus.RESOLVED},
    DisputeStatus.MEDIATING: {DisputeStatus.REFERRED, DisputeStatus.RESOLVED},
    DisputeStatus.REFERRED: {DisputeStatus.RESOLVED},
    DisputeStatus.RESOLVED: set(),
}
CLOSING = {DisputeStatus.RESOLVED, DisputeStatus.REFERRED}  # these need a written resolution

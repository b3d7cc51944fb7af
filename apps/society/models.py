"""Schools' reopening readiness (一校一方案 …十个到位) and disputes, whose parties are stored only encrypted."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.common.apitypes import LONG_TEXT
from apps.society.choices import ChecklistGroup, DisputeKind, DisputeStatus, SchoolLevel


class ChecklistItem(models.Model):
    group = models.CharField(_("group"), max_length=20, choices=ChecklistGroup.choices)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    text_zh = models.CharField(_("item (Chinese)"), max_length=200)
    text_en = models.CharField(_("item (English)"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("readiness item")
        verbose_name_plural = _("readiness items")

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return self.text_en if translation.get_language() == "en" and self.text_en else self.text_zh


class School(models.Model):
    code = models.CharField(_("school code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    area = models.ForeignKey("geo.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    level = models.CharField(pgettext_lazy("school", "level"), max_length=16, choices=SchoolLevel.choices)
    students = models.PositiveIntegerField(_("students"), default=0)
    planned_reopen = models.DateField(_("planned reopening"), null=True, blank=True)
    actual_reopen = models.DateField(_("actual reopening"), null=True, blank=True)
    plan_note = models.CharField(_("reopening plan"), max_length=LONG_TEXT, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("school")
        verbose_name_plural = _("schools")

    def __str__(self) -> str:
        return self.name


class SchoolGrade(models.Model):
    """One grade of a school and its own reopening (分年级复学): the graduating year goes back first."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="grades")
    grade = models.PositiveSmallIntegerField(_("grade"))  # 1 = first year of the level (choices.LEVEL_GRADES)
    students = models.PositiveIntegerField(_("students"), default=0)
    planned_reopen = models.DateField(_("planned reopening"), null=True, blank=True)
    actual_reopen = models.DateField(_("actual reopening"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["school", "-grade"]
        constraints = [
            models.UniqueConstraint(fields=["school", "grade"], name="unique_school_grade"),
            models.CheckConstraint(condition=models.Q(grade__gte=1, grade__lte=12), name="school_grade_1_12"),
        ]

    def __str__(self) -> str:
        return f"{self.school_id}:{self.grade}"


class SchoolCheck(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="checks")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    done = models.BooleanField(_("done"), default=False)
    evidence = models.CharField(
        _("evidence"), max_length=LONG_TEXT, blank=True
    )  # what shows it is done: document number, photo ref…
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "item"], name="unique_school_check")]

    def __str__(self) -> str:
        return f"{self.school_id}:{self.item_id}"


class Dispute(models.Model):
    ref = models.CharField(_("number"), max_length=32, unique=True)
    area = models.ForeignKey("geo.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("type"), max_length=16, choices=DisputeKind.choices)
    summary = models.CharField(_("summary"), max_length=LONG_TEXT)
    # Parties are persons or enterprises: names only encrypted, shown masked, found by keyed hash.
    claimant_enc = models.BinaryField()
    claimant_masked = models.CharField(_("claimant"), max_length=200)
    claimant_hash = models.CharField(max_length=64, db_index=True)
    respondent_enc = models.BinaryField()
    respondent_masked = models.CharField(_("respondent"), max_length=200)
    respondent_hash = models.CharField(max_length=64, db_index=True)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    owner_name = models.CharField(_("official responsible"), max_length=100)
    status = models.CharField(
        _("status"), max_length=12, choices=DisputeStatus.choices, default=DisputeStatus.OPEN
    )
    resolution = models.CharField(_("resolution"), max_length=LONG_TEXT, blank=True)
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-opened_on", "-id"]
        indexes = [models.Index(fields=["area", "status"])]
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")

    def __str__(self) -> str:
        return self.ref

    @property
    def days_to_resolve(self) -> int | None:
        return (self.closed_on - self.opened_on).days if self.closed_on else None

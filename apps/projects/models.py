"""Major projects (重大项目) with milestones, investment and a stored three-colour status with its reasons."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.accounts.scoping import area_q
from apps.projects.choices import Colour, Stage


class ColourSettings(models.Model):
    """The thresholds of 三色管理, one row (pk=1) editable by the headquarters; None switches a test off."""

    yellow_days_behind = models.PositiveIntegerField(
        _("yellow: days behind"), null=True, blank=True, default=1
    )
    red_days_behind = models.PositiveIntegerField(_("red: days behind"), null=True, blank=True, default=30)
    yellow_overdue_share = models.FloatField(_("yellow: share of milestones overdue"), null=True, blank=True)
    red_overdue_share = models.FloatField(
        _("red: share of milestones overdue"), null=True, blank=True, default=0.5
    )
    min_milestones_for_share = models.PositiveIntegerField(
        _("milestones needed for the share test"), default=3
    )
    yellow_investment_shortfall = models.FloatField(
        _("yellow: investment shortfall"), null=True, blank=True, default=0.1
    )
    red_investment_shortfall = models.FloatField(
        _("red: investment shortfall"), null=True, blank=True, default=0.3
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("colour thresholds")
        verbose_name_plural = _("colour thresholds")

    def __str__(self) -> str:
        return "colour thresholds"

    @classmethod
    def current(cls) -> ColourSettings:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class ProjectQuerySet(models.QuerySet["Project"]):
    def visible_to(self, user: User, perm: str = "project.view") -> ProjectQuerySet:
        return self.filter(area_q(user, perm))


class Project(models.Model):
    ref = models.CharField(_("project number"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    area = models.ForeignKey(
        "geo.Area", verbose_name=_("location"), on_delete=models.PROTECT, related_name="+"
    )
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.SIGNED)
    # 万元 (10,000 yuan), as the headquarters counts investment.
    investment_planned = models.DecimalField(
        _("planned investment (10k yuan)"), max_digits=14, decimal_places=2
    )
    investment_completed = models.DecimalField(
        _("completed investment (10k yuan)"), max_digits=14, decimal_places=2, default=0
    )
    # The planned investment is spread evenly over the plan period: what should be invested by a date (序时进度).
    plan_start = models.DateField(_("plan start"))
    plan_end = models.DateField(_("plan end"))
    official = models.CharField(_("responsible official"), max_length=100)
    unit = models.CharField(_("responsible unit"), max_length=200, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    colour = models.CharField(
        _("colour"), max_length=8, choices=Colour.choices, default=Colour.BLUE, db_index=True
    )
    colour_reasons = models.JSONField(default=list, blank=True)
    colour_date = models.DateField(null=True, blank=True)  # the local day the colour was computed for
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["ref"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        indexes = [models.Index(fields=["area", "colour"])]

    def __str__(self) -> str:
        return f"{self.ref} {self.name}"

    @property
    def district_code(self) -> str:
        return str(self.area_id)[:6]


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField(_("milestone"), max_length=200)
    planned = models.DateField(_("planned date"))
    actual = models.DateField(_("actual date"), null=True, blank=True)

    class Meta:
        ordering = ["planned", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return self.name

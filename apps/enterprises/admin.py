from django.contrib import admin

from apps.enterprises.models import Department, GuidelineMeasure, Policy, TicketCategory


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name", "head")


@admin.register(TicketCategory)
class TicketCategoryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name", "department", "sla_hours", "working_time")


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "title", "category", "active")


@admin.register(GuidelineMeasure)
class GuidelineMeasureAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """The resumption guideline (复工导则): which measures a commitment must tick."""

    list_display = ("code", "text_zh", "mandatory", "active", "order")
    list_editable = ("mandatory", "active", "order")

from django.contrib import admin

from apps.projects.models import ColourSettings, Milestone, Project


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["ref", "name", "area", "stage", "colour", "investment_planned", "investment_completed"]
    list_filter = ["stage", "colour"]
    search_fields = ["ref", "name"]
    raw_id_fields = ["area"]
    readonly_fields = ["colour", "colour_reasons", "colour_date"]
    inlines = [MilestoneInline]


@admin.register(ColourSettings)
class ColourSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "yellow_days_behind",
        "red_days_behind",
        "yellow_investment_shortfall",
        "red_investment_shortfall",
        "updated_at",
    ]

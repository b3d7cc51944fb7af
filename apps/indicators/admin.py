from django.contrib import admin

from apps.indicators.models import Indicator, Report, Target


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "unit", "frequency", "kind", "grace_days", "active"]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["indicator", "area", "year", "value"]
    raw_id_fields = ["area"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["indicator", "area", "dekad", "value", "state", "submitted_on"]
    list_filter = ["state", "indicator"]
    raw_id_fields = ["area"]

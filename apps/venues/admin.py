from django.contrib import admin

from apps.venues.models import PurgeLog, Venue


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "area", "status", "capacity")
    list_filter = ("category", "status")
    search_fields = ("name", "area__code")
    raw_id_fields = ("area",)


@admin.register(PurgeLog)
class PurgeLogAdmin(admin.ModelAdmin):
    list_display = ("ran_at", "cutoff", "deleted", "retention_days")

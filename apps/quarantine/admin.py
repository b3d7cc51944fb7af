from django.contrib import admin

from apps.quarantine.models import ChecklistItem, QuarantinePolicy, Room, Site


@admin.register(QuarantinePolicy)
class QuarantinePolicyAdmin(admin.ModelAdmin):
    list_display = ("code", "kind", "effective_from", "release_test_window_days", "final_negative_tests")


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "area", "active")
    search_fields = ("name",)


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("site", "number", "floor", "type", "beds", "status")
    list_filter = ("status", "type")
    # Status changes go through the services (the state machine); not by hand here.
    readonly_fields = ("status", "status_changed_at")


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    list_display = ("code", "text_zh", "position", "active")

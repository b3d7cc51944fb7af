from django.contrib import admin

from apps.society.models import ChecklistItem, Dispute, School, SchoolCheck


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    list_display = ["code", "group", "text_zh", "order", "active"]
    list_filter = ["group", "active"]


class SchoolCheckInline(admin.TabularInline):
    model = SchoolCheck
    extra = 0


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "area", "level", "planned_reopen", "actual_reopen"]
    raw_id_fields = ["area"]
    inlines = [SchoolCheckInline]


@admin.register(Dispute)
class DisputeAdmin(admin.ModelAdmin):
    # Masked parties only: revealing goes through the audited reveal action.
    list_display = [
        "ref",
        "kind",
        "area",
        "claimant_masked",
        "respondent_masked",
        "amount",
        "status",
        "opened_on",
    ]
    list_filter = ["kind", "status"]
    exclude = ["claimant_enc", "respondent_enc", "claimant_hash", "respondent_hash"]
    readonly_fields = ["claimant_masked", "respondent_masked"]
    raw_id_fields = ["area", "owner"]

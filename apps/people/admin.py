from django.contrib import admin

from apps.people.models import Household, ImportBatch, MergeCandidate, Person


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    # Only masked values here: revealing goes through the audited reveal action on the person page.
    list_display = ["id", "name_masked", "doc_masked", "phone_masked", "sex", "birth_date", "area"]
    list_filter = ["sex", "nationality"]
    exclude = ["name_enc", "doc_number_enc", "phone_enc", "address_enc", "dedup_key", "name_hash", "phone_hash"]
    readonly_fields = ["name_masked", "doc_masked", "phone_masked", "merged_into"]
    raw_id_fields = ["area", "household"]
    show_full_result_count = False


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["ref", "area", "created_at"]
    raw_id_fields = ["area"]


@admin.register(MergeCandidate)
class MergeCandidateAdmin(admin.ModelAdmin):
    list_display = ["person_a", "person_b", "reason", "status", "created_at"]
    raw_id_fields = ["person_a", "person_b", "decided_by"]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["filename", "uploaded_by", "created_at", "total_rows", "created_rows", "existing_rows", "error_rows"]

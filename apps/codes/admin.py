from django.contrib import admin

from apps.codes.models import Override, RuleSetVersion, SigningKey


@admin.register(RuleSetVersion)
class RuleSetVersionAdmin(admin.ModelAdmin):
    list_display = ("version", "effective_from", "created_by", "created_at")
    # Rule sets change only through the service (validation, audit, recompute): read-only here.
    readonly_fields = ("version", "effective_from", "params", "note", "created_by", "created_at")

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(SigningKey)
class SigningKeyAdmin(admin.ModelAdmin):
    list_display = ("kid", "created_at", "retired_at")
    exclude = ("private_enc",)
    readonly_fields = ("kid", "created_at", "retired_at")

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(Override)
class OverrideAdmin(admin.ModelAdmin):
    list_display = ("person", "colour", "status", "valid_until", "requested_by", "decided_by")
    list_filter = ("status", "colour")
    readonly_fields = [f.name for f in Override._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

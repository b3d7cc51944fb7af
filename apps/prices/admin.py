from django.contrib import admin

from apps.prices.models import Market, PriceItem, PriceRecord


@admin.register(PriceItem)
class PriceItemAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "unit", "alert_share", "active"]


@admin.register(Market)
class MarketAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "area"]
    raw_id_fields = ["area"]


@admin.register(PriceRecord)
class PriceRecordAdmin(admin.ModelAdmin):
    list_display = ["day", "item", "market", "price"]
    list_filter = ["item"]
    date_hierarchy = "day"

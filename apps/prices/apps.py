from django.apps import AppConfig


class PricesConfig(AppConfig):
    name = "apps.prices"
    verbose_name = "Prices of daily necessities"

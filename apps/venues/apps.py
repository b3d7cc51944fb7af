from django.apps import AppConfig


class VenuesConfig(AppConfig):
    name = "apps.venues"
    verbose_name = "Venues and scans"

from django.apps import AppConfig


class ArrivalsConfig(AppConfig):
    name = "apps.arrivals"
    verbose_name = "Inbound travellers"

from django.apps import AppConfig


class VenuesConfig(AppConfig):
    name = "apps.venues"
    verbose_name = "Venues and scans"

    def ready(self) -> None:
        from apps.people import history
        from apps.venues.history import scan_history

        history.register(scan_history)

from django.apps import AppConfig


class ArrivalsConfig(AppConfig):
    name = "apps.arrivals"
    verbose_name = "Inbound travellers"

    def ready(self) -> None:
        from apps.arrivals.facts import arrival_facts
        from apps.codes import facts

        facts.register(arrival_facts)

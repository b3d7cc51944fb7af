from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "apps.screening"
    verbose_name = "Screening, record linkage and community work items"

    def ready(self) -> None:
        # A temperature taken on a screening visit is a health-code fact, gathered by apps.codes.
        from apps.codes import facts
        from apps.screening.facts import visit_facts

        facts.register(visit_facts)

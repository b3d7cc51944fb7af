from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "apps.cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        # Cases, confirmed contacts and lab results are health-code facts, gathered by apps.codes.
        from apps.cases.facts import case_facts
        from apps.codes import facts

        facts.register(case_facts)

        from apps.cases.history import case_history
        from apps.people import history

        history.register(case_history)

from django.apps import AppConfig


class EpiConfig(AppConfig):
    name = "apps.epi"
    verbose_name = "Epidemiology"

    def ready(self) -> None:
        # The district risk level (分区分级) is a health-code fact: residence_risk.
        from apps.codes import facts
        from apps.epi.facts import residence_risk

        facts.register(residence_risk)

from django.apps import AppConfig


class QuarantineConfig(AppConfig):
    name = "apps.quarantine"
    verbose_name = "Quarantine"

    def ready(self) -> None:
        # Stays are health-code facts (quarantine_stays), gathered by apps.codes.
        from apps.codes import facts
        from apps.quarantine import receivers
        from apps.quarantine.facts import quarantine_facts

        facts.register(quarantine_facts)
        receivers.connect()

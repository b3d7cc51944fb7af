from django.apps import AppConfig


class CodesConfig(AppConfig):
    name = "apps.codes"
    verbose_name = "Health codes"

    def ready(self) -> None:
        from apps.codes.history import code_history
        from apps.people import history

        history.register(code_history)

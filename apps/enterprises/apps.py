from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "apps.enterprises"
    verbose_name = "Enterprises"

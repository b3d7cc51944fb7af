from django.apps import AppConfig


class CodesConfig(AppConfig):
    name = "apps.codes"
    verbose_name = "Health codes"

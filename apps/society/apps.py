from django.apps import AppConfig


class SocietyConfig(AppConfig):
    name = "apps.society"
    verbose_name = "Schools and disputes"

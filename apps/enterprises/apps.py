from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "apps.enterprises"
    verbose_name = "Enterprises"


# Navigation labels (apps.accounts.context.NAVIGATION) whose translations live in this app's catalogue.
NAV_LABELS = (_("Economy"), _("Enterprises"), _("Hotline"), _("My enterprise"))

"""Labels of the recovery modules defined in shared files (navigation, permissions), listed here so that this
app's catalogue carries their translations (makemessages only reads the app's own files)."""

from django.utils.translation import gettext_noop

LABELS = [
    gettext_noop("Projects"),
    gettext_noop("Indicators"),
    gettext_noop("Prices"),
    gettext_noop("Schools"),
    gettext_noop("Disputes"),
    gettext_noop("See major projects"),
    gettext_noop("Register projects and record progress"),
    gettext_noop("See dekad indicators"),
    gettext_noop("Report dekad indicator values"),
    gettext_noop("Manage the indicator catalogue and targets"),
    gettext_noop("See prices of daily necessities"),
    gettext_noop("Record market prices"),
    gettext_noop("See school reopening readiness"),
    gettext_noop("Change school plans and checklists"),
    gettext_noop("See disputes"),
    gettext_noop("Register and resolve disputes"),
    gettext_noop("Reveal dispute parties"),
]

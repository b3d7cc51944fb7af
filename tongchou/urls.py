"""URL configuration: pages per app, the JSON API under /api/, Django admin for operators."""

from django.contrib import admin
from django.urls import include, path

from apps.accounts import views as account_views
from tongchou.api import api

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/", include("apps.accounts.urls")),
    path("areas/", include("apps.geo.urls")),
    path("persons/", include("apps.people.urls")),
    path("codes/", include("apps.codes.urls")),
    path("venues/", include("apps.venues.urls")),
    path("projects/", include("apps.projects.urls")),
    path("indicators/", include("apps.indicators.urls")),
    path("prices/", include("apps.prices.urls")),
    path("society/", include("apps.society.urls")),
    path("cases/", include("apps.cases.urls")),
    path("arrivals/", include("apps.arrivals.urls")),
    path("epi/", include("apps.epi.urls")),
    path("quarantine/", include("apps.quarantine.urls")),
    path("enterprises/", include("apps.enterprises.urls")),
    path("screening/", include("apps.screening.urls")),
    path("command/", include("apps.command.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]

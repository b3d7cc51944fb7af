from django.urls import path

from apps.epi import views

app_name = "epi"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("chains/", views.chains, name="chains"),
    path("chains/data/", views.chains_data, name="chains_data"),
]

from django.urls import path

from apps.codes import views

app_name = "codes"
urlpatterns = [
    path("signin/", views.signin, name="signin"),
    path("my/", views.my_code, name="my"),
    path("declare/", views.declare, name="declare"),
    path("checkin/", views.checkin, name="checkin"),
    path("visit/", views.venue_checkin, name="visit"),
    path("counts/", views.counts, name="counts"),
    path("overrides/", views.overrides, name="overrides"),
    path("rules/", views.rulesets, name="rulesets"),
    path("overrides/<int:pk>/decide/", views.override_decide, name="override_decide"),
    path("persons/<int:pk>/", views.person_code, name="person"),
    path("persons/<int:pk>/override/", views.override_new, name="override_new"),
]

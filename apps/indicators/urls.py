from django.urls import path

from apps.indicators import views

app_name = "indicators"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("report/", views.report_new, name="report"),
    path("export/", views.export, name="export"),
    path("<slug:code>/", views.indicator_detail, name="detail"),
]

from django.urls import path

from apps.venues import views

app_name = "venues"
urlpatterns = [
    path("", views.venue_list, name="list"),
    path("scans/", views.scan_log, name="scans"),
    path("alerts/", views.alert_inbox, name="alerts"),
    path("alerts/<int:pk>/handle/", views.alert_handle, name="alert_handle"),
    path("checkpoint/", views.checkpoint, name="checkpoint"),
    path("checkpoint/sw.js", views.service_worker, name="sw"),
    path("<int:pk>/", views.venue_detail, name="detail"),
]

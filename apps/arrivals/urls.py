from django.urls import path

from apps.arrivals import views

app_name = "arrivals"
urlpatterns = [
    path("", views.board, name="board"),
    path("travellers/", views.traveller_list, name="list"),
    path("travellers/<int:pk>/", views.traveller_detail, name="detail"),
    path("travellers/<int:pk>/advance/", views.traveller_advance, name="advance"),
    path("port/", views.port, name="port"),
    path("manifests/", views.manifests, name="manifests"),
    path("trust/", views.trust_admin, name="trust"),
]

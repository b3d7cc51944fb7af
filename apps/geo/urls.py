from django.urls import path

from apps.geo import views

app_name = "geo"
urlpatterns = [
    path("", views.area_tree, name="tree"),
    path("<str:code>/", views.area_tree, name="node"),
]

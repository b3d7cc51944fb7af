from django.urls import path

from apps.projects import views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_new, name="new"),
    path("export/", views.project_export, name="export"),
    path("map/", views.battle_map, name="map"),
    path("ranking/", views.ranking, name="ranking"),
    path("thresholds/", views.thresholds, name="thresholds"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/progress/", views.project_progress, name="progress"),
    path("<int:pk>/milestones/", views.milestone_new, name="milestone_new"),
]

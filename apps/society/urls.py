from django.urls import path

from apps.society import views

app_name = "society"
urlpatterns = [
    path("schools/", views.school_list, name="schools"),
    path("schools/export/", views.school_export, name="school_export"),
    path("schools/<int:pk>/", views.school_detail, name="school"),
    path("disputes/", views.dispute_list, name="disputes"),
    path("disputes/new/", views.dispute_new, name="dispute_new"),
    path("disputes/export/", views.dispute_export, name="dispute_export"),
    path("disputes/<int:pk>/", views.dispute_detail, name="dispute"),
    path("disputes/<int:pk>/transition/", views.dispute_transition, name="dispute_transition"),
    path("disputes/<int:pk>/reveal/", views.dispute_reveal, name="dispute_reveal"),
]

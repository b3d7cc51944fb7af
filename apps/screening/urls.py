from django.urls import path

from apps.screening import views

app_name = "screening"
urlpatterns = [
    path("", views.reconciliation, name="reconciliation"),
    path("lists/", views.lists, name="lists"),
    path("lists/<int:pk>/import/", views.list_import, name="import"),
    path("imports/<int:pk>/", views.import_report, name="import-report"),
    path("candidates/", views.candidates, name="candidates"),
    path("candidates/<int:pk>/decide/", views.candidate_decide, name="decide"),
    path("work/", views.work, name="work"),
    path("work/<int:pk>/visit/", views.visit, name="visit"),
]

from django.urls import path

from apps.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("contacts/", views.contact_list, name="contacts"),
    path("contacts/<int:pk>/decide/", views.contact_decide, name="contact_decide"),
    path("clusters/", views.cluster_list, name="clusters"),
    path("labs/", views.lab_import, name="labs"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/transition/", views.case_transition, name="transition"),
    path("<int:pk>/trace/", views.case_trace, name="trace"),
    path("<int:pk>/link/", views.case_link, name="link"),
    path("new/", views.case_new, name="new"),
]

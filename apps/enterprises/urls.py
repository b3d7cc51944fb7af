from django.urls import path

from apps.enterprises import views

app_name = "enterprises"
urlpatterns = [
    path("", views.enterprise_list, name="list"),
    path("export/", views.enterprise_export, name="export"),
    path("import/", views.import_page, name="import"),
    path("mine/", views.mine, name="mine"),
    path("nonresumed/", views.nonresumed, name="nonresumed"),
    path("power/", views.power_flags, name="power"),
    path("policies/", views.policy_list, name="policies"),
    path("tickets/", views.ticket_list, name="tickets"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket"),
    path("dashboard/", views.economy_dashboard, name="dashboard"),
    path("<int:pk>/", views.enterprise_detail, name="detail"),
    path("<int:pk>/<slug:action>/", views.enterprise_action, name="action"),
]

from django.urls import path

from apps.command import views
from apps.command.feeds import BriefingFeed

app_name = "command"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_read, name="inbox_read"),
    path("inbox/<int:pk>/", views.inbox_open, name="inbox_open"),
    path("inbox/preferences/", views.preferences, name="preferences"),
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/new/", views.task_new, name="task_new"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/act/", views.task_act, name="task_act"),
    path("accountability/", views.accountability, name="accountability"),
    path("duty/", views.duty, name="duty"),
    path("supplies/", views.supplies_page, name="supplies"),
    path("briefings/", views.briefing_public_list, name="briefings"),
    path("briefings/feed/", BriefingFeed(), name="briefing_feed"),
    path("briefings/manage/", views.briefing_manage, name="briefing_manage"),
    path("briefings/<int:pk>/", views.briefing_public, name="briefing"),
    path("briefings/<int:pk>/pdf/", views.briefing_pdf, name="briefing_pdf"),
]

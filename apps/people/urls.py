from django.urls import path

from apps.people import views

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="list"),
    path("new/", views.person_new, name="new"),
    path("import/", views.person_import, name="import"),
    path("import/<int:pk>/", views.person_import_job, name="import-job"),
    path("export/", views.person_export, name="export"),
    path("duplicates/", views.merge_candidates, name="merge"),
    path("referrals/", views.referral_list, name="referrals"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/reveal/", views.person_reveal, name="reveal"),
]

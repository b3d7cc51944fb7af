from django.urls import path

from apps.prices import views

app_name = "prices"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("record/", views.record, name="record"),
    path("export/", views.export, name="export"),
    path("<slug:code>/", views.item_detail, name="item"),
]

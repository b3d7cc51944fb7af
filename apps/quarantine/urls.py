from django.urls import path

from apps.quarantine import views

app_name = "quarantine"
urlpatterns = [
    path("", views.sites_page, name="sites"),
    path("capacity/", views.capacity_page, name="capacity"),
    path("orders/", views.orders_page, name="orders"),
    path("orders/<int:pk>/decide/", views.order_decide, name="order_decide"),
    path("waiting/", views.waiting_page, name="waiting"),
    path("allocate/", views.allocate_post, name="allocate"),
    path("home/", views.home_page, name="home"),
    path("alerts/", views.alerts_page, name="alerts"),
    path("alerts/<int:pk>/close/", views.alert_close_post, name="alert_close"),
    path("requests/", views.requests_page, name="requests"),
    path("requests/<int:pk>/done/", views.request_done_post, name="request_done"),
    path("stays/<int:pk>/", views.stay_page, name="stay"),
    path("stays/<int:pk>/act/", views.stay_act, name="stay_act"),
    path("stays/<int:pk>/certificate/", views.certificate_page, name="certificate"),
    path("sites/<int:pk>/", views.board_page, name="board"),
    path("rooms/<int:pk>/status/", views.room_status_post, name="room_status"),
    path("me/", views.my_stay_page, name="mine"),
]

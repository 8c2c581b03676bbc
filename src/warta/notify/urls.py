from django.urls import path

from warta.notify import views

app_name = "notify"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("jumlah/", views.unread, name="count"),
    path("baca-semua/", views.read_all, name="read_all"),
    path("pengaturan/", views.preferences, name="preferences"),
    path("<int:pk>/buka/", views.open_notification, name="open"),
]

from django.urls import path

from warta.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.delegations, name="delegations"),
    path("<int:pk>/cabut/", views.revoke, name="revoke"),
]

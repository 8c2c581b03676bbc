from django.urls import path

from warta.workflow import views

app_name = "workflow"

urlpatterns = [
    path("", views.deviation_list, name="deviations"),
    path("<int:pk>/", views.deviation_detail, name="deviation"),
    path("orang/<int:user_id>/", views.person, name="person"),
]

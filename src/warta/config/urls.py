from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

admin.site.site_header = "Warta"
admin.site.site_title = "Warta"
admin.site.index_title = "Administrasi"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]

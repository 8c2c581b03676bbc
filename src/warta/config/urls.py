from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Warta administration")
admin.site.site_title = "Warta"
admin.site.index_title = _("Administration")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("warta.ui.urls")),
    path("kerja/", include("warta.newsroom.urls")),
    path("", include("warta.site.urls")),
]

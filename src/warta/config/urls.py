from django.contrib import admin
from django.http import HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.decorators.cache import cache_page
from django.views.i18n import JavaScriptCatalog


def favicon(request):
    return HttpResponseRedirect(static("warta/favicon.svg"))


urlpatterns = [
    path("admin/", admin.site.urls),
    path("favicon.ico", favicon),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "jsi18n/",
        cache_page(3600)(JavaScriptCatalog.as_view(packages=["warta.newsroom"])),
        name="javascript-catalog",
    ),
    path("", include("warta.ui.urls")),
    path("kerja/notifikasi/", include("warta.notify.urls")),
    path("kerja/plh/", include("warta.accounts.urls")),
    path("kerja/penyimpangan/", include("warta.workflow.urls")),
    path("kerja/", include("warta.newsroom.urls")),
    path("", include("warta.site.urls")),
]

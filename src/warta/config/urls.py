from django.contrib import admin
from django.http import HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.decorators.cache import cache_page
from django.views.decorators.http import require_safe
from django.views.i18n import JavaScriptCatalog

from warta.ui.errors import not_found_on_bad_lookup


@require_safe
def favicon(request):
    return HttpResponseRedirect(static("warta/favicon.svg"))


# Staff pages answer errors in the newsroom design, the public website in its own.
handler404 = "warta.ui.errors.page_not_found"
handler500 = "warta.ui.errors.server_error"

urlpatterns = [
    path("admin/", not_found_on_bad_lookup(admin.site.urls)),
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
    path("kerja/unggah/", include("warta.media.urls")),
    path("kerja/", include("warta.publishing.urls")),
    path("kerja/", include("warta.newsroom.urls")),
    path("", include("warta.site.urls")),
]

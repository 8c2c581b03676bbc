"""The project's URLs with the channel pages under ``kerja/`` (until the main urlconf includes
them): ``@override_settings(ROOT_URLCONF="tests.publishing.urls_for_tests")``."""

from django.urls import include, path

from warta.config.urls import handler404, handler500  # noqa: F401
from warta.config.urls import urlpatterns as main_patterns

urlpatterns = [path("kerja/", include("warta.publishing.urls")), *main_patterns]

"""The interface language: Indonesian unless the person chose another with the ID/EN switch.

Django's ``LocaleMiddleware`` follows the browser's ``Accept-Language``, so a government site
would greet anyone whose browser is set to English in English. Warta's language is Indonesian
by default; the only way to another language is the switch in the top bar, which posts to
Django's ``set_language`` view and stores the choice in the language cookie.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers


def chosen_language(request: HttpRequest) -> str:
    """The language in the switch's cookie when it is one Warta offers, else the default."""
    offered = {code for code, _name in settings.LANGUAGES}
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return chosen if chosen in offered else settings.LANGUAGE_CODE


class ChosenLanguageMiddleware:
    """Activates the chosen language for the request; ignores ``Accept-Language`` entirely."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = chosen_language(request)
        request.LANGUAGE_CODE = language
        # override, not activate: the thread goes back to its language after the request, so
        # one person's choice never leaks into work done later on the same thread.
        with translation.override(language):
            response = self.get_response(request)
        # The same URL shows another language to someone with another cookie.
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response

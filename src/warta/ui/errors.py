"""Error pages: the staff pages (``/kerja/``, the admin, sign-in) answer in the newsroom
design, everything else in the public website's design with a way back to the home page.

A 500 page is rendered without the request's context processors (the error may have come from
one of them, or from the database they read), so its templates receive only plain values.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from django.urls import NoReverseMatch, URLPattern, URLResolver, reverse
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger(__name__)

PUBLIC_NAMESPACE = "site"
# URL names whose path starts the staff part of Warta; any path under them is a staff page.
STAFF_ROOTS = ("newsroom:inbox", "admin:index")


def _staff_prefixes() -> list[str]:
    prefixes = []
    for name in STAFF_ROOTS:
        try:
            prefixes.append(reverse(name))
        except NoReverseMatch:
            continue
    return prefixes


def is_public(request: HttpRequest) -> bool:
    """Whether ``request`` was for the public website rather than for the staff pages."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.namespace == PUBLIC_NAMESPACE
    return not any(request.path_info.startswith(prefix) for prefix in _staff_prefixes())


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_public(request):
        return defaults.page_not_found(request, exception, template_name="site/404.html")
    return defaults.page_not_found(request, exception, template_name="404.html")


def _plain_context() -> dict:
    prefixes = _staff_prefixes()
    return {
        "institution_name": settings.WARTA_INSTITUTION_NAME,
        "institution_parent": settings.WARTA_INSTITUTION_PARENT,
        "home_url": "/",
        "tasks_url": prefixes[0] if prefixes else "/",
    }


def server_error(request: HttpRequest) -> HttpResponse:
    template_name = "site/500.html" if is_public(request) else "500.html"
    try:
        body = loader.get_template(template_name).render(_plain_context())
    except Exception:  # the error page itself must never fail
        logger.exception("The error page %s could not be rendered", template_name)
        body = _("The server had a problem. Please try again in a moment.")
        return HttpResponseServerError(body, content_type="text/plain; charset=utf-8")
    return HttpResponseServerError(body)


def _not_found_on_bad_lookup(view: Callable) -> Callable:
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except (ObjectDoesNotExist, ValidationError) as error:
            raise Http404(str(error)) from error

    return wrapped


def not_found_on_bad_lookup(urls: tuple) -> tuple:
    """``admin.site.urls`` with every view answering 404, not 500, to an id that is unknown or
    of the wrong form. Django's own "view on site" redirect and django-otp's device pages look
    the id up without catching either."""
    patterns, app_name, namespace = urls
    return _wrap_patterns(patterns), app_name, namespace


def _wrap_patterns(patterns) -> list:
    wrapped = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = URLResolver(
                pattern.pattern,
                _wrap_patterns(pattern.url_patterns),
                pattern.default_kwargs,
                pattern.app_name,
                pattern.namespace,
            )
            wrapped.append(inner)
        elif isinstance(pattern, URLPattern):
            callback = _not_found_on_bad_lookup(pattern.callback)
            wrapped.append(
                URLPattern(pattern.pattern, callback, pattern.default_args, pattern.name)
            )
        else:
            wrapped.append(pattern)
    return wrapped


__all__ = ["is_public", "not_found_on_bad_lookup", "page_not_found", "server_error"]

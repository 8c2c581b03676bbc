"""Serve pre-rendered public pages before anything else runs (the first middleware).

A GET or HEAD of a public page's path (warta.site.pages.name_for) without a query string is
answered from its stored file: no session, no database query, no template. The answer carries
the headers the rendered page has: its type, ETag, Last-Modified, Cache-Control, and the same
security headers, added by the very middleware that add them to a rendered page
(SecurityMiddleware, django-csp, X-Frame-Options). A conditional request whose validators match
gets a 304. Anything else — another method, a query string (a search, an old ``?page=``), a page
not stored yet — goes on to Django, which renders the page and stores it (render-on-miss).
"""

from __future__ import annotations

from collections.abc import Callable

from csp.middleware import CSPMiddleware
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.security import SecurityMiddleware
from django.utils.cache import get_conditional_response

from warta.site import pages

SAFE_METHODS = ("GET", "HEAD")


class PublicPagesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.security = SecurityMiddleware(get_response)
        self.csp = CSPMiddleware(get_response)
        self.frame = XFrameOptionsMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method not in SAFE_METHODS or request.META.get("QUERY_STRING"):
            return self.get_response(request)
        name = pages.name_for(request.path_info)
        if name is None:
            return self.get_response(request)
        try:
            request.get_host()  # a Host not in ALLOWED_HOSTS gets Django's 400, as on any page
            redirect = self.security.process_request(request)  # plain HTTP under HTTPS only
        except DisallowedHost:
            return self.get_response(request)
        if redirect is not None:
            return self.get_response(request)
        page = pages.read(name)
        if page is None:
            return self.get_response(request)
        response: HttpResponse = pages.response_for(page)
        response = get_conditional_response(
            request, etag=page.etag, last_modified=int(page.modified), response=response
        )
        response = self.security.process_response(request, response)
        response = self.csp.process_response(request, response)
        return self.frame.process_response(request, response)

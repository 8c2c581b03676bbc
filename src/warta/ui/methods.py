"""Warta's pages are forms and links: they answer GET, HEAD and POST. Any other method (PUT,
DELETE, PATCH, OPTIONS, TRACE, …) gets "405 Method Not Allowed" before a view runs, so a page
written for GET can never be reached by another verb, and a new view cannot forget this."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed

PAGE_METHODS = ("GET", "HEAD", "POST")


class PageMethodsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in PAGE_METHODS:
            return HttpResponseNotAllowed(PAGE_METHODS)
        return self.get_response(request)

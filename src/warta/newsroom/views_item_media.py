"""The media of an item being edited: attaching a finished upload, the processing state, the
focus point of a photo and the poster frame of a video. Each answers JSON to the editor's
scripts; the poster form also works without JavaScript."""

from __future__ import annotations

import math

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from warta.accounts.access import member_required
from warta.accounts.client import client_ip
from warta.errors import WartaError
from warta.media import uploads
from warta.media.models import Asset
from warta.newsroom import selectors, services
from warta.newsroom.models import NewsItem

MAX_STATUS_IDS = 200


def _refusal(message: str, status: int) -> JsonResponse:
    return JsonResponse({"ok": False, "error": message}, status=status)


def _cards(request: HttpRequest, item: NewsItem, asset_ids: set[int] | None) -> list[dict]:
    """The editor's card of each of the item's media (of ``asset_ids`` only, when given)."""
    item = (
        NewsItem.objects.select_related("cover")
        .prefetch_related(*selectors.MEDIA_PREFETCH)
        .get(pk=item.pk)
    )
    photos, videos = selectors.item_media(item)
    cards = []
    for view in (*photos, *videos):
        if asset_ids is not None and view.pk not in asset_ids:
            continue
        html = render_to_string(
            "newsroom/_media_card.html", {"media": view, "item": item}, request=request
        )
        cards.append({"id": view.pk, "state": view.state, "html": html})
    return cards


def _item(pk: int) -> NewsItem:
    try:
        return NewsItem.objects.get(pk=pk)
    except NewsItem.DoesNotExist:
        raise Http404 from None


@require_POST
@member_required
def item_media_add(request: HttpRequest, pk: int) -> JsonResponse:
    """Attach a finished resumable upload (``upload=<id>``) to the item being edited."""
    item = _item(pk)
    try:
        upload = uploads.get(request.POST.get("upload", "")[:64], request.user)
        if upload.target != str(item.pk):
            raise uploads.UploadNotFound()
        stored = uploads.finish(upload)
        row = services.add_media(
            item_id=item.pk, user=request.user, stored=stored, ip=client_ip(request)
        )
    except WartaError as error:
        return _refusal(error.message, error.status)
    cards = _cards(request, item, {row.asset_id})
    return JsonResponse({"ok": True, "html": cards[0]["html"] if cards else ""})


@require_safe
@member_required
def item_media_status(request: HttpRequest, pk: int) -> JsonResponse:
    """The cards of the item's media still being processed (``?id=…`` repeated): the editor
    asks until each is ready or failed."""
    item = _item(pk)
    wanted = {
        int(v) for v in request.GET.getlist("id")[:MAX_STATUS_IDS] if v.isdigit() and len(v) < 19
    }
    return JsonResponse({"ok": True, "media": _cards(request, item, wanted)})


def _fraction(value: str) -> float | None:
    try:
        number = float(value[:32])
    except ValueError:
        return None
    return number if math.isfinite(number) else None


@require_POST
@member_required
def item_media_focus(request: HttpRequest, pk: int, asset_id: int) -> JsonResponse:
    item = _item(pk)
    x, y = _fraction(request.POST.get("x", "")), _fraction(request.POST.get("y", ""))
    if x is None or y is None:
        return _refusal(_("The focus point must lie inside the photo."), 400)
    try:
        services.set_focus(
            item_id=item.pk, asset_id=asset_id, user=request.user, x=x, y=y, ip=client_ip(request)
        )
    except Asset.DoesNotExist:
        raise Http404 from None
    except WartaError as error:
        return _refusal(error.message, error.status)
    cards = _cards(request, item, {asset_id})
    return JsonResponse({"ok": True, "html": cards[0]["html"] if cards else ""})


@require_POST
@member_required
def item_media_poster(request: HttpRequest, pk: int, asset_id: int) -> HttpResponse:
    item = _item(pk)
    time = _fraction(request.POST.get("time", ""))
    try:
        if time is None:
            raise services.PosterRefused()
        services.choose_poster(
            item_id=item.pk, asset_id=asset_id, user=request.user, time=time, ip=client_ip(request)
        )
    except Asset.DoesNotExist:
        raise Http404 from None
    except WartaError as error:
        if request.headers.get("Accept", "").startswith("application/json"):
            return _refusal(error.message, error.status)
        messages.error(request, error.message)
        return redirect("newsroom:item_edit", pk=pk)
    if request.headers.get("Accept", "").startswith("application/json"):
        cards = _cards(request, item, {asset_id})
        return JsonResponse({"ok": True, "html": cards[0]["html"] if cards else ""})
    messages.success(request, _("Poster frame chosen."))
    return redirect("newsroom:item_edit", pk=pk)

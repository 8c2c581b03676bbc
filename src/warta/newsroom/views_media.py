"""A news item's media files (originals and renditions), for the staff who may see the item.

The public site serves only published renditions (``warta.site.views.rendition``); here any of
an item's files, draft or published, is served to the people who may open the item's page, and
never cached outside their browser. ``warta.media.serving`` adds the protective headers.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponseBase
from django.views.decorators.http import require_safe

from warta.accounts.access import is_member, member_required
from warta.media.models import Rendition
from warta.media.serving import rendition_download_name, serve
from warta.newsroom.forms import MAX_ID
from warta.newsroom.models import NewsItem, Photo, Video

ORIGINAL = "original"


def may_see_item(user: Any, item: NewsItem) -> bool:
    """The rule of the item page (``views.item_detail``): every member of the newsroom's SOPs
    (or an admin) may see every item."""
    return is_member(user)


def _owner_of(asset_id: int) -> Photo | Video | None:
    """The photo or video (with its item) that the asset is; None for an asset of no item."""
    for model in (Photo, Video):
        owner = model.objects.select_related("item", "asset").filter(asset_id=asset_id).first()
        if owner is not None:
            return owner
    return None


@require_safe
@member_required
def asset_file(request: HttpRequest, asset_id: int, spec: str) -> HttpResponseBase:
    """``spec`` is ``original`` (the uploaded file, under its uploaded name) or the name of one
    of the asset's renditions. Anything else, or a file missing from storage, is a 404."""
    # A foreign key's column is not range-checked by the lookup, unlike a primary key.
    owner = _owner_of(asset_id) if 0 < asset_id <= MAX_ID else None
    if owner is None or not may_see_item(request.user, owner.item):
        raise Http404
    asset = owner.asset
    if spec == ORIGINAL:
        return serve(
            request,
            asset.original,
            content_type=asset.content_type,
            download_name=asset.original_name,
            public=False,
        )
    rendition = Rendition.objects.filter(asset=asset, spec=spec).first()
    if rendition is None:
        raise Http404
    return serve(
        request,
        rendition.file,
        content_type=rendition.content_type,
        download_name=rendition_download_name(asset.original_name, rendition),
        public=False,
    )

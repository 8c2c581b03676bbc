"""The built-in website as a platform: publishing gives the item its web address and makes it
public; an update needs nothing sent (the site renders the item as it is); withdrawing takes it
off the site. Unlike the other platforms it works on Warta's own database, in the caller's
transaction, so it can never be ambiguous."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from warta.newsroom.models import NewsItem, Revision
from warta.publishing.platforms.base import ConnectionInfo, Platform, Post, Remote


def unique_slug(item: NewsItem) -> str:
    """The title as a web address; the item's id is appended when another item took it."""
    base = slugify(item.title)[:200] or "berita"
    taken = NewsItem.objects.exclude(pk=item.pk).filter(slug__startswith=base)
    slug, n = base, 1
    while taken.filter(slug=slug).exists():
        slug = f"{base}-{item.pk}" if n == 1 else f"{base}-{item.pk}-{n}"
        n += 1
    return slug


def website_url(slug: str) -> str:
    """The public address of an article on the built-in website."""
    return settings.WARTA_SITE_URL.rstrip("/") + reverse("site:article", kwargs={"slug": slug})


# The key of the public version in the website publication's ``extra``.
PUBLIC_VERSION = "public"


def public_version(item: NewsItem) -> dict:
    """What the public site shows of ``item`` until its next publication: while a correction
    runs through the SOP again, the site keeps showing this (``selectors.public_versions``).

    The text is named by the saved revision that holds it (saved and submitted revisions never
    change), so it is not stored twice; only a text no such revision holds is copied here."""
    version = {
        "photos": list(item.photos.order_by("position", "pk").values_list("asset_id", flat=True)),
        "videos": list(item.videos.order_by("pk").values_list("asset_id", flat=True)),
        "cover": item.cover.asset_id if item.cover_id else None,
    }
    revision = (
        Revision.objects.filter(item=item, title=item.title, body=item.body)
        .exclude(kind=Revision.Kind.AUTOSAVE)
        .order_by("-number")
        .values_list("pk", flat=True)
        .first()
    )
    if revision is not None:
        version["revision"] = revision
    else:
        version["title"], version["body"] = item.title, item.body
    return version


class Website(Platform):
    code = "website"
    name = _("Institution website")
    max_photos = 100
    takes_video = True
    can_update = True
    can_withdraw = True
    can_find = True

    def test_connection(self) -> ConnectionInfo:
        return ConnectionInfo(
            name=str(settings.WARTA_INSTITUTION_NAME), detail=settings.WARTA_SITE_URL
        )

    def _item(self, post: Post) -> NewsItem:
        return NewsItem.objects.select_for_update(of=("self",)).get(pk=post.item_id)

    def publish(self, post: Post) -> Remote:
        item = self._item(post)
        item.slug = item.slug or unique_slug(item)
        item.published_at = item.published_at or timezone.now()
        item.save(update_fields=["slug", "published_at"])
        return Remote(
            external_id=str(item.pk),
            url=website_url(item.slug),
            published_at=item.published_at,
            extra={PUBLIC_VERSION: public_version(item)},
        )

    def update(self, remote: Remote, post: Post) -> Remote:
        return self.publish(post)

    def withdraw(self, remote: Remote) -> None:
        item = self._item(Post(key="", title="", caption="", item_id=int(remote.external_id)))
        item.published_at = None
        item.save(update_fields=["published_at"])

    def status(self, remote: Remote) -> Remote | None:
        item = NewsItem.objects.filter(pk=int(remote.external_id)).first()
        if item is None or item.published_at is None or not item.slug:
            return None
        return Remote(external_id=remote.external_id, url=website_url(item.slug))

    def find(self, post: Post, since) -> Remote | None:
        return self.status(Remote(external_id=str(post.item_id)))

"""Search fixtures: the newsroom's people and items (published through the real services), and
rows of published items written directly, as the public site's tests write them."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from tests.newsroom.conftest import _media_root, new_item, people  # noqa: F401
from warta.newsroom.models import NewsItem
from warta.publishing.signals import announce

BASE = timezone.make_aware(dt.datetime(2026, 11, 2, 9, 0))


@pytest.fixture
def article(db, make_user):
    """A published item as a row (like tests/site's ``news``), then announced with
    ``publishing.signals.announce`` as the publish service does: the index follows the signal."""
    author = make_user("penulis")
    counter = itertools.count(1)

    def make(title: str, body: str = "<p>Isi berita.</p>", *, published: bool = True):
        n = next(counter)
        when = BASE + dt.timedelta(hours=n)
        item = NewsItem.objects.create(
            title=title,
            activity_name=f"Kegiatan {n}",
            activity_at=when,
            place="Aula",
            covered_by="Tim Humas",
            body=body,
            slug=f"berita-{n}",
            published_at=when if published else None,
            created_by=author,
            created_at=when,
            updated_at=when,
        )
        announce(item.pk)
        return item

    return make

"""The public website shows published news only: index, search, article, media, feeds, sitemap."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import PurePosixPath

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from tests.media.servingkit import add_asset, add_rendition, mp4_bytes
from warta.media.models import Asset, Rendition
from warta.newsroom.models import NewsItem, Photo, Video
from warta.publishing.signals import announce
from warta.site import pages

BASE = timezone.make_aware(dt.datetime(2026, 11, 28, 9, 30))
# The web MP4 rendition's bytes (only served, never decoded here): 2048 bytes.
VIDEO_BYTES = mp4_bytes(bytes(range(256)) * 8)[:2048]
# What the worker makes of a photo (spec: format, type, extension, size).
PHOTO_RENDITIONS = {
    "web-jpeg": ("JPEG", "image/jpeg", "jpg", (64, 48)),
    "web-webp": ("WEBP", "image/webp", "webp", (64, 48)),
    "thumb": ("JPEG", "image/jpeg", "jpg", (40, 30)),
    "og": ("JPEG", "image/jpeg", "jpg", (60, 32)),
}


def picture(fmt: str, size: tuple[int, int], shade: int) -> bytes:
    """A small picture whose bytes differ with ``shade`` (renditions are named by their hash)."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (shade % 256, (shade // 256) % 256, 120)).save(buffer, fmt)
    return buffer.getvalue()


def add_sized_rendition(asset, spec, content, mime, extension, size, time=None) -> Rendition:
    rendition = add_rendition(asset, spec, content, mime, extension, time=time)
    rendition.width, rendition.height = size
    rendition.save(update_fields=["width", "height"])
    return rendition


def url_of(rendition: Rendition) -> str:
    return f"/media/r/{PurePosixPath(rendition.file.name).name}"


def rendition_of(row, spec: str) -> Rendition:
    return row.asset.renditions.get(spec=spec)


@pytest.fixture
def news(db, settings, tmp_path, make_user):
    """A factory of news items; ``published=False`` leaves the item a draft. Photos and videos
    are media assets with the renditions the worker makes, written directly as rows and files."""
    settings.MEDIA_ROOT = tmp_path
    settings.WARTA_TWITTER_SITE = "@poltekim"
    settings.ALLOWED_HOSTS = ["testserver"]
    # Pre-rendered pages are rendered for the site's address, whatever Host a request names.
    settings.WARTA_SITE_URL = "http://testserver"
    author = make_user("reporter")
    counter = iter(range(1, 10_000))
    shades = iter(range(1, 60_000))

    def make(
        title: str = "",
        *,
        body: str = "<p>Isi berita.</p>",
        published: bool = True,
        photos: int = 0,
        video: bool = False,
        cover: bool = True,
    ) -> NewsItem:
        n = next(counter)
        when = BASE + dt.timedelta(hours=n)
        item = NewsItem.objects.create(
            title=title or f"Berita nomor {n}",
            activity_name=f"Kegiatan {n}",
            activity_at=when,
            place="Aula Politeknik",
            covered_by="Tim Humas",
            body=body,
            slug=f"berita-{n}",
            published_at=when if published else None,
            created_by=author,
            created_at=when,
            updated_at=when,
        )
        for position in range(photos):
            asset = add_asset(
                author,
                kind="photo",
                content=picture("JPEG", (64, 48), next(shades)),
                content_type="image/jpeg",
                extension="jpg",
                name=f"IMG_{n}_{position}.jpg",
            )
            Asset.objects.filter(pk=asset.pk).update(
                caption=f"Keterangan foto {position}",
                alt_text=f"Foto {position} kegiatan {n}",
                width=64,
                height=48,
            )
            for spec, (fmt, mime, extension, size) in PHOTO_RENDITIONS.items():
                content = picture(fmt, size, next(shades))
                add_sized_rendition(asset, spec, content, mime, extension, size)
            Photo.objects.create(item=item, asset=asset, position=position)
        if photos and cover:
            item.cover = item.photos.first()
            item.save(update_fields=["cover"])
        if video:
            original = mp4_bytes(f"original {n}".encode())
            asset = add_asset(
                author,
                kind="video",
                content=original,
                content_type="video/mp4",
                extension="mp4",
                name="clip.mp4",
            )
            Asset.objects.filter(pk=asset.pk).update(caption="Rekaman kegiatan")
            # The same web MP4 bytes in every item: one stored file, one name per rendition row.
            add_sized_rendition(asset, "mp4", VIDEO_BYTES, "video/mp4", "mp4", (160, 120))
            poster = picture("JPEG", (160, 120), next(shades))
            add_sized_rendition(
                asset, "poster-0", poster, "image/jpeg", "jpg", (160, 120), time=0.0
            )
            Video.objects.create(item=item, asset=asset)
        if published:
            announce(item.pk)  # as the publishing services do: the search index follows
        return item

    return make


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- Index and search ---------------------------------------------------------------------


def test_index_lists_published_items_newest_first_with_date_and_excerpt(client, news):
    older = news("Wisuda taruna angkatan pertama", body="<p>Satu <b>dua</b> tiga &amp; empat.</p>")
    newer = news("Kunjungan kerja Menteri", photos=1)
    draft = news("Rahasia dapur redaksi", published=False)
    body = html(client.get("/"))
    assert body.index(newer.title) < body.index(older.title)
    assert draft.title not in body
    assert 'lang="id"' in body
    assert body.count("<h1") == 1
    assert "Satu dua tiga &amp; empat." in body  # plain text of the body
    assert "<b>dua</b>" not in body
    assert "28 November 2026" in body  # Indonesian date
    assert f'href="/berita/{newer.slug}/"' in body
    # The cover's thumbnail rendition, with its size; decorative (the title is the link).
    thumb = rendition_of(newer.cover, "thumb")
    assert f'<img src="{url_of(thumb)}" alt="" width="40" height="30"' in body
    assert url_of(rendition_of(newer.cover, "web-jpeg")) not in body
    assert "/media/originals/" not in body
    assert 'type="application/rss+xml"' in body
    assert 'type="application/atom+xml"' in body
    assert 'href="/masuk/"' in body
    assert "Politeknik Imigrasi" in body


def test_excerpt_is_cut_to_about_thirty_words(client, news):
    words = " ".join(f"kata{i}" for i in range(60))
    news(body=f"<p>{words}</p>")
    body = html(client.get("/"))
    assert "kata29" in body
    assert "kata30" not in body


def test_index_paginates_ten_per_page(client, news):
    items = [news() for _ in range(12)]
    first = html(client.get("/"))
    assert items[-1].title in first and items[2].title in first
    assert items[1].title not in first
    assert "Halaman 1 dari 2" in first
    # Pages are addresses of their own (each one a pre-rendered file).
    assert 'href="/halaman/2/"' in first
    second = html(client.get("/halaman/2/"))
    assert items[1].title in second and items[0].title in second
    assert items[2].title not in second
    assert 'href="/"' in second
    # Past the last page: none. The first page has one address.
    assert client.get("/halaman/3/").status_code == 404
    assert client.get("/halaman/99999999999/").status_code == 404
    for first_page in ("/halaman/1/", "/halaman/0/"):
        assert client.get(first_page)["Location"] == "/"
    # The old ``?page=N`` addresses are sent to the new ones for good.
    for query, location in [("2", "/halaman/2/"), ("1", "/"), ("abc", "/"), ("99", "/halaman/99/")]:
        response = client.get("/", {"page": query})
        assert response.status_code == 301
        assert response["Location"] == location


def test_search_matches_title_and_body_and_reports_the_count(client, news):
    news("Upacara Hari Bhakti Imigrasi")
    news("Seminar nasional", body="<p>Pembahasan tentang keimigrasian dan upacara adat.</p>")
    news("Lomba olahraga")
    news("Upacara rahasia", published=False)
    body = html(client.get("/", {"q": "upacara"}))
    assert "Upacara Hari Bhakti Imigrasi" in body
    assert "Seminar nasional" in body
    assert "Lomba olahraga" not in body
    assert "Upacara rahasia" not in body
    assert "2 berita cocok dengan “upacara”." in body
    assert 'value="upacara"' in body


def test_search_without_results_says_so_and_keeps_q_in_page_links(client, news):
    body = html(client.get("/", {"q": "tidak-ada-apa-apa"}))
    assert "Tidak ada berita yang cocok dengan “tidak-ada-apa-apa”." in body
    for _ in range(11):
        news("Pelatihan pegawai")
    body = html(client.get("/", {"q": "pelatihan"}))
    assert 'href="?q=pelatihan&amp;page=2"' in body


def test_search_with_a_typo_offers_the_word_that_finds_something(client, news):
    news("Pelayanan paspor di kantor imigrasi")
    body = html(client.get("/", {"q": "pasport"}))
    assert "Tidak ada berita yang cocok dengan “pasport”." in body
    assert 'href="?q=paspor"' in body
    assert "Pelayanan paspor" in html(client.get("/", {"q": "paspor"}))


def test_search_text_is_escaped(client, news):
    body = html(client.get("/", {"q": "<script>alert(1)</script>"}))
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body


# --- Article ------------------------------------------------------------------------------


def test_article_shows_content_gallery_and_videos(client, news):
    item = news(
        "Penandatanganan nota kesepahaman",
        body="<h2>Latar</h2><p>Kerja sama <strong>resmi</strong>.</p>",
        photos=3,
        video=True,
    )
    body = html(client.get(f"/berita/{item.slug}/"))
    assert body.count("<h1") == 1
    assert "Penandatanganan nota kesepahaman" in body
    assert "<h2>Latar</h2><p>Kerja sama <strong>resmi</strong>.</p>" in body  # body HTML kept
    assert "Aula Politeknik" in body and item.activity_name in body
    assert "28 November 2026" in body
    photos = list(item.photos.select_related("asset"))
    cover, gallery = photos[0], photos[1:]
    assert item.cover == cover
    # The cover: the web JPEG with its WebP alternative, at its size.
    web = url_of(rendition_of(cover, "web-jpeg"))
    webp = url_of(rendition_of(cover, "web-webp"))
    assert (
        f'<source srcset="{webp}" type="image/webp"><img src="{web}" alt="Foto 0 kegiatan 1"'
        in (body)
    )
    assert 'width="64" height="48"' in body
    # The gallery: each photo's thumbnail, linked to its web JPEG.
    for photo in gallery:
        thumb = url_of(rendition_of(photo, "thumb"))
        assert f'<a href="{url_of(rendition_of(photo, "web-jpeg"))}">' in body
        assert f'<img src="{thumb}" alt="{photo.asset.alt_text}" width="40" height="30"' in body
    for photo in photos:
        assert f"<figcaption>{photo.asset.caption}</figcaption>" in body
    cover_src = f'src="{url_of(rendition_of(item.cover, "web-jpeg"))}"'
    assert body.count(cover_src) == 1  # cover not repeated in the gallery
    assert "/media/originals/" not in body  # originals are never on a public page
    assert "Foto" in body and "Video" in body
    video = item.videos.select_related("asset").get()
    poster = url_of(rendition_of(video, "poster-0"))
    assert f'<video controls preload="metadata" poster="{poster}"' in body
    assert f'<source src="{url_of(rendition_of(video, "mp4"))}" type="video/mp4">' in body
    assert "Rekaman kegiatan" in body


def test_article_has_open_graph_twitter_and_canonical_tags(client, news):
    item = news("Kunjungan kerja", body="<p>Ringkasan kegiatan hari ini.</p>", photos=1)
    body = html(client.get(f"/berita/{item.slug}/"))
    url = f"http://testserver/berita/{item.slug}/"
    image = f"http://testserver{url_of(rendition_of(item.cover, 'og'))}"

    def meta(attribute: str, name: str) -> str:
        match = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', body)
        assert match, name
        return match.group(1)

    assert f'<link rel="canonical" href="{url}">' in body
    assert meta("property", "og:title") == "Kunjungan kerja"
    assert meta("property", "og:description") == "Ringkasan kegiatan hari ini."
    assert meta("property", "og:type") == "article"
    assert meta("property", "og:url") == url
    assert meta("property", "og:image") == image
    assert meta("property", "og:image:width") == "60"
    assert meta("property", "og:image:height") == "32"
    assert meta("property", "og:image:alt") == "Foto 0 kegiatan 1"
    assert meta("property", "og:site_name") == "Politeknik Imigrasi"
    assert meta("property", "article:published_time").startswith("2026-11-28T")
    assert meta("name", "twitter:card") == "summary_large_image"
    assert meta("name", "twitter:title") == "Kunjungan kerja"
    assert meta("name", "twitter:description") == "Ringkasan kegiatan hari ini."
    assert meta("name", "twitter:image") == image
    assert meta("name", "twitter:site") == "@poltekim"


def test_unknown_slug_is_404(client, db):
    assert client.get("/berita/tidak-ada/").status_code == 404


# --- Unpublished items are never reachable ------------------------------------------------


def test_unpublished_item_is_unreachable_everywhere(client, news):
    draft = news(
        "Draf belum terbit", body="<p>kata-kunci-draf</p>", published=False, photos=1, video=True
    )
    news("Berita sudah terbit")
    assets = [draft.photos.get().asset, draft.videos.get().asset]
    renditions = list(Rendition.objects.filter(asset__in=assets))
    assert len(renditions) == len(PHOTO_RENDITIONS) + 2
    assert client.get(f"/berita/{draft.slug}/").status_code == 404
    for rendition in renditions:
        assert client.get(url_of(rendition)).status_code == 404, rendition.spec
    for asset in assets:  # the original, by its stored name or by the hash of its bytes
        assert client.get(f"/media/r/{PurePosixPath(asset.original.name).name}").status_code == 404
        assert client.get(f"/media/r/{asset.sha256}.{asset.extension}").status_code == 404
    for url in [
        "/",
        "/?q=draf",
        "/?q=kata-kunci-draf",
        "/feed/rss/",
        "/feed/atom/",
        "/sitemap.xml",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        content = b"".join(response) if response.streaming else response.content
        assert draft.slug.encode() not in content, url
        assert b"Draf belum terbit" not in content, url
    # Once the item is published, the same addresses answer (the 404s above were the draft's).
    NewsItem.objects.filter(pk=draft.pk).update(published_at=BASE)
    announce(draft.pk)
    assert all(client.get(url_of(r)).status_code == 200 for r in renditions)


# --- Media --------------------------------------------------------------------------------


def test_published_rendition_is_served_with_long_public_cache_headers(client, news):
    item = news(photos=1)
    for spec, mime in [("web-jpeg", "image/jpeg"), ("web-webp", "image/webp")]:
        rendition = rendition_of(item.cover, spec)
        response = client.get(url_of(rendition))
        assert response.status_code == 200
        assert response["Content-Type"] == mime
        assert "public" in response["Cache-Control"]
        assert "max-age=31536000" in response["Cache-Control"]
        assert response["X-Content-Type-Options"] == "nosniff"
        with rendition.file.open("rb") as stored:
            assert b"".join(response.streaming_content) == stored.read()
    # The original of a published photo is not a rendition: not public.
    original = item.cover.asset.original.name
    assert client.get(f"/media/r/{PurePosixPath(original).name}").status_code == 404


def test_published_web_video_supports_range_requests(client, news):
    video = news(video=True).videos.get()
    url = url_of(rendition_of(video, "mp4"))
    whole = client.get(url)
    assert whole.status_code == 200
    assert whole["Accept-Ranges"] == "bytes"
    assert whole["Content-Type"] == "video/mp4"
    assert "public" in whole["Cache-Control"]
    assert b"".join(whole.streaming_content) == VIDEO_BYTES

    part = client.get(url, HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206
    assert part["Content-Range"] == "bytes 100-199/2048"
    assert part["Content-Length"] == "100"
    assert part["Content-Type"] == "video/mp4"
    assert b"".join(part.streaming_content) == VIDEO_BYTES[100:200]

    open_ended = client.get(url, HTTP_RANGE="bytes=2000-")
    assert open_ended["Content-Range"] == "bytes 2000-2047/2048"
    assert b"".join(open_ended.streaming_content) == VIDEO_BYTES[2000:]

    suffix = client.get(url, HTTP_RANGE="bytes=-10")
    assert suffix.status_code == 206
    assert b"".join(suffix.streaming_content) == VIDEO_BYTES[-10:]

    beyond = client.get(url, HTTP_RANGE="bytes=5000-")
    assert beyond.status_code == 416
    assert beyond["Content-Range"] == "bytes */2048"


# --- Feeds and sitemap --------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/feed/rss/", "/feed/atom/"])
def test_feeds_list_published_items_with_absolute_links(client, news, url):
    item = news("Pelantikan pejabat", body="<p>Pejabat baru dilantik hari ini.</p>")
    response = client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Pelantikan pejabat" in content
    assert f"http://testserver/berita/{item.slug}/" in content
    assert "Pejabat baru dilantik hari ini." in content


def test_feed_holds_the_twenty_newest(client, news):
    items = [news() for _ in range(22)]
    content = client.get("/feed/rss/").content.decode()
    assert content.count("<item>") == 20
    assert f"/berita/{items[-1].slug}/" in content
    assert f"/berita/{items[1].slug}/<" not in content


def test_sitemap_is_an_index_of_the_home_page_and_parts(client, news):
    item = news()
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    content = response.content.decode()
    assert "<sitemapindex" in content
    assert "<loc>http://testserver/sitemap-home.xml</loc>" in content
    assert "<loc>http://testserver/sitemap-1.xml</loc>" in content
    home = client.get("/sitemap-home.xml").content.decode()
    assert "<loc>http://testserver/</loc>" in home
    part = client.get("/sitemap-1.xml").content.decode()
    assert f"<loc>http://testserver/berita/{item.slug}/</loc>" in part
    assert "<lastmod>2026-11-28T" in part
    assert client.get("/sitemap-2.xml").status_code == 404
    assert client.get("/sitemap-0.xml").status_code == 404


# --- Query efficiency ---------------------------------------------------------------------


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def rendered_queries(client, url: str) -> int:
    """The queries of rendering ``url`` (its stored page deleted first)."""
    pages.delete([pages.name_for(url)])
    return count_queries(client, url)


def test_index_runs_a_fixed_number_of_queries(client, news):
    news(photos=1)
    one = rendered_queries(client, "/")
    searched = count_queries(client, "/?q=berita")
    for _ in range(11):
        news(photos=1)
    assert rendered_queries(client, "/") == one
    assert count_queries(client, "/?q=berita") == searched
    assert count_queries(client, "/") == 0  # stored: served without a query


def test_article_runs_a_fixed_number_of_queries(client, news):
    small = news(photos=1, video=True)
    large = news(photos=5, video=True)
    assert rendered_queries(client, f"/berita/{small.slug}/") == rendered_queries(
        client, f"/berita/{large.slug}/"
    )
    assert count_queries(client, f"/berita/{large.slug}/") == 0

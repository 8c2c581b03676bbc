"""The plain text of a body (index excerpt, feeds, meta description) keeps paragraphs apart."""

from __future__ import annotations

import re

import pytest

from tests.site.test_site import html, news  # noqa: F401 - the shared news factory
from warta.site.selectors import excerpt, plain_text

GLUED = "<p>Rapat koordinasi berlangsung 12 Mei 2026.</p><p>Bertindak cepat menjadi kunci.</p>"


@pytest.mark.parametrize(
    ("body", "text"),
    [
        (GLUED, "Rapat koordinasi berlangsung 12 Mei 2026. Bertindak cepat menjadi kunci."),
        ("<h2>Judul</h2><p>Isi</p>", "Judul Isi"),
        ("<ul><li>satu</li><li>dua</li></ul><ol><li>tiga</li></ol>", "satu dua tiga"),
        ("<p>baris<br>baru</p>", "baris baru"),
        ("<blockquote><p>kutipan</p></blockquote><p>sesudah</p>", "kutipan sesudah"),
        ("<table><tr><td>a</td><td>b</td></tr></table>", "a b"),
        # Inline elements do not split a word, entities are decoded, whitespace collapses.
        ("<p>Satu <b>du</b>a &amp; <em>tiga</em>\n\n  empat</p>", "Satu dua & tiga empat"),
        ("", ""),
    ],
)
def test_plain_text_separates_blocks_and_joins_inline(body, text):
    assert plain_text(body) == text


def test_excerpt_cuts_words_across_paragraphs():
    body = "".join(f"<p>kata{i}.</p>" for i in range(40))
    assert excerpt(body, 3) == "kata0. kata1. kata2.…"


def test_index_excerpt_keeps_paragraphs_apart(client, news):  # noqa: F811
    news(body=GLUED)
    body = html(client.get("/"))
    assert "12 Mei 2026. Bertindak cepat" in body
    assert "2026.Bertindak" not in body


def test_meta_description_keeps_paragraphs_apart(client, news):  # noqa: F811
    item = news(body=GLUED)
    body = html(client.get(f"/berita/{item.slug}/"))
    for pattern in (
        r'<meta name="description" content="([^"]*)">',
        r'<meta property="og:description" content="([^"]*)">',
        r'<meta name="twitter:description" content="([^"]*)">',
    ):
        match = re.search(pattern, body)
        assert match, pattern
        assert match.group(1) == (
            "Rapat koordinasi berlangsung 12 Mei 2026. Bertindak cepat menjadi kunci."
        )


@pytest.mark.parametrize("url", ["/feed/rss/", "/feed/atom/"])
def test_feed_description_keeps_paragraphs_apart(client, news, url):  # noqa: F811
    news(body=GLUED)
    content = client.get(url).content.decode()
    assert "12 Mei 2026. Bertindak cepat" in content
    assert "2026.Bertindak" not in content

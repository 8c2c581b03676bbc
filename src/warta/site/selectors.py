"""Helpers to present published news on the public website.

What is published comes from ``warta.publishing.selectors`` (``published_items`` and the
media of published items), the one place that answers it."""

from __future__ import annotations

from html.parser import HTMLParser

from django.conf import settings
from django.utils.text import Truncator

EXCERPT_WORDS = 30


# Elements that end a run of text: their boundaries become a space in the plain text, so
# "<p>…2026.</p><p>Bertindak…</p>" reads "…2026. Bertindak…", while inline elements
# ("<b>dua</b>") join their text to the words around them.
BLOCK_ELEMENTS = frozenset({
    "address", "article", "aside", "blockquote", "br", "dd", "details", "div", "dl", "dt",
    "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li",
    "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "ul",
})  # fmt: skip
HIDDEN_ELEMENTS = frozenset({"script", "style", "template"})


class _TextCollector(HTMLParser):
    """Collects the text of an HTML fragment, with a space at every block boundary."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0  # inside <script> or <style>: not text (the sanitiser removes them)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in HIDDEN_ELEMENTS:
            self.hidden += 1
        if tag in BLOCK_ELEMENTS:
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if tag in BLOCK_ELEMENTS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN_ELEMENTS:
            self.hidden = max(0, self.hidden - 1)
        if tag in BLOCK_ELEMENTS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def plain_text(body: str) -> str:
    """The text of an HTML body on one line: blocks separated, whitespace collapsed."""
    collector = _TextCollector()
    collector.feed(body or "")
    collector.close()
    return " ".join("".join(collector.parts).split())


def excerpt(body: str, words: int = EXCERPT_WORDS) -> str:
    """The plain text of a sanitised HTML body, cut to about ``words`` words.

    The one place the public site turns a body into text: the index, the feeds and the meta
    description all use it.
    """
    return Truncator(plain_text(body)).words(words, truncate="…")


def absolute_url(path: str, request=None) -> str:
    """An absolute URL for ``path``: from the request when there is one, else WARTA_SITE_URL."""
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.WARTA_SITE_URL.rstrip("/") + path

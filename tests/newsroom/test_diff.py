"""The reviewer's diff: exact output on ordinary texts, bounded work on any text."""

from __future__ import annotations

import difflib

import pytest
from django import forms
from django.utils import translation

from warta.newsroom import diff
from warta.newsroom.diff import compare, html_diff
from warta.newsroom.forms import AutosaveForm, NewItemForm
from warta.newsroom.limits import MAX_BODY_CHARS


@pytest.fixture
def visits(monkeypatch) -> list[int]:
    """Counts, independently of ``diff``'s own accounting, the candidate positions every
    longest-match search visits (its inner loop runs once per occurrence of ``a[i]`` in ``b``)."""
    counted = [0]
    original = difflib.SequenceMatcher.find_longest_match

    def counting(self, alo=0, ahi=None, blo=0, bhi=None):
        ahi = len(self.a) if ahi is None else ahi
        bhi = len(self.b) if bhi is None else bhi
        counted[0] += sum(len(self.b2j.get(self.a[i], ())) + 1 for i in range(alo, ahi))
        return original(self, alo, ahi, blo, bhi)

    monkeypatch.setattr(difflib.SequenceMatcher, "find_longest_match", counting)
    return counted


def paragraphs(texts) -> str:
    return "".join(f"<p>{text}</p>" for text in texts)


def test_ordinary_changes_are_shown_word_by_word_with_context():
    old = "<h2>Kuliah Umum</h2><p>Politeknik menggelar kuliah umum.</p><p>Acara ditutup.</p>"
    new = (
        "<h2>Kuliah Umum</h2><p>Politeknik menggelar kuliah umum bersama Dr. Andi.</p>"
        "<p>Sesi tanya jawab.</p><p>Acara ditutup.</p>"
    )
    assert html_diff(old, new, old_title="Judul", new_title="Judul baru") == (
        '<p class="changed"><del>Judul</del> <ins>Judul baru</ins></p>\n'
        '<p class="same">Kuliah Umum</p>\n'
        '<p class="removed"><del>Politeknik menggelar kuliah umum.</del></p>\n'
        '<p class="added"><ins>Politeknik menggelar kuliah umum bersama Dr. Andi.</ins></p>\n'
        '<p class="added"><ins>Sesi tanya jawab.</ins></p>\n'
        '<p class="same">Acara ditutup.</p>'
    )
    one_for_one = html_diff(
        "<p>Rapat dimulai pukul 09.00.</p>", "<p>Rapat dimulai pukul 10.00.</p>"
    )
    assert (
        one_for_one
        == '<p class="changed">Rapat dimulai pukul <del>09.00.</del> <ins>10.00.</ins></p>'
    )


def test_two_five_megabyte_versions_get_the_plain_message_without_any_matching(visits):
    old = "<p>" + "kata " * 1_000_000 + "</p>"
    new = "<p>" + "lain " * 1_000_000 + "</p>"
    result = compare(old, new)
    assert result.too_large and result.work == 0 and visits[0] == 0
    with translation.override("id"):
        assert "Perbedaan terlalu besar untuk ditampilkan" in html_diff(old, new)
    with translation.override("en"):
        assert "too large to show" in html_diff(old, new)


def test_hostile_paragraphs_stay_within_the_budget(visits):
    # Unbounded, SequenceMatcher visits ~40 million positions here (seconds of CPU); the work
    # grows with the cube of the length.
    old = "<p>Tetap.</p><p>" + "a " * 600 + "</p>"
    new = "<p>Tetap.</p><p>" + "a b " * 300 + "</p>"
    result = compare(old, new)
    assert visits[0] <= diff.WORK_BUDGET
    assert not result.too_large
    # The paragraph that could not be compared word by word is shown as replaced.
    assert '<p class="same">Tetap.</p>' in result.html
    assert '<p class="removed"><del>a a a' in result.html
    assert '<p class="added"><ins>a b a b' in result.html


def test_hostile_paragraph_alignment_gets_the_plain_message(visits):
    result = compare(paragraphs(["a"] * 600), paragraphs(["a", "b"] * 300))
    assert result.too_large
    assert visits[0] <= diff.WORK_BUDGET


def test_a_long_article_within_the_limit_is_compared_in_full(visits):
    words = [f"kata{i}" for i in range(40_000)]
    texts = [" ".join(words[i : i + 80]) for i in range(0, len(words), 80)]
    edited = [text if i % 10 else text + " tambahan" for i, text in enumerate(texts)]
    old, new = paragraphs(texts), paragraphs(edited)
    assert len(old) < MAX_BODY_CHARS * 2
    result = compare(old, new)
    assert not result.too_large
    assert result.html.count(" tambahan</ins>") == len(texts[::10]) == 50
    assert result.html.count('<p class="same">') == len(texts) - 50
    assert visits[0] == result.work <= diff.WORK_BUDGET


def test_the_news_text_has_a_size_limit():
    base = {
        "title": "Judul",
        "activity_name": "Rapat",
        "activity_at": "2026-11-20T09:00",
        "place": "Aula",
        "covered_by": "Sari",
    }
    at_limit = "<p>" + "x" * (MAX_BODY_CHARS - 7) + "</p>"
    assert len(at_limit) == MAX_BODY_CHARS
    assert NewItemForm({**base, "body": at_limit}).is_valid()
    with translation.override("id"):
        form = NewItemForm({**base, "body": at_limit + "x"})
        assert not form.is_valid()
        assert "Teks berita terlalu panjang" in form.errors["body"][0]
    autosave = AutosaveForm({"body": at_limit + "x", "base_version": 1})
    assert not autosave.is_valid() and "body" in autosave.errors
    assert isinstance(NewItemForm.base_fields["body"], forms.CharField)

"""The public search: ranking, accents, prefixes, every word required, any input safe."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from django.db import connection
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from warta.search.selectors import search_published, suggest
from warta.search.terms import MAX_TERMS, parse


def titles(q: str) -> list[str]:
    return [item.title for item in search_published(q)]


@pytest.mark.django_db
def test_a_title_hit_ranks_above_a_body_hit_then_newest_first(article):
    article("Rapat koordinasi", "<p>Pembahasan layanan paspor elektronik.</p>")
    article("Layanan paspor di Sumbawa", "<p>Kantor membuka loket baru.</p>")
    article("Upacara bendera", "<p>Tidak ada kaitannya.</p>")
    article("Sosialisasi", "<p>Warga bertanya tentang paspor.</p>")  # newer body hit
    assert titles("paspor") == ["Layanan paspor di Sumbawa", "Sosialisasi", "Rapat koordinasi"]


@pytest.mark.django_db
def test_case_and_accents_fold_both_ways(article):
    article("Kunjungan kerja ke Sumbáwa", "<p>Bertemu warga.</p>")
    article("Kunjungan ke SUMBAWA Besar", "<p>Bertemu pejabat.</p>")
    expected = {"Kunjungan kerja ke Sumbáwa", "Kunjungan ke SUMBAWA Besar"}
    assert set(titles("sumbawa")) == expected
    assert set(titles("Sumbáwa")) == expected
    assert set(titles("SUMBÀWA")) == expected
    # Typed with a combining accent (NFD) as some keyboards send it.
    assert set(titles("Sumba\u0301wa")) == expected


@pytest.mark.django_db
def test_the_last_word_matches_as_a_prefix_the_others_whole(article):
    article("Wisuda taruna imigrasi", "<p>Angkatan ke-25.</p>")
    article("Imigran gelap ditangkap", "<p>Patroli laut.</p>")
    assert set(titles("imigr")) == {"Wisuda taruna imigrasi", "Imigran gelap ditangkap"}
    assert titles("taruna imigras") == ["Wisuda taruna imigrasi"]
    assert titles("imigr taruna") == []  # only the last word is a prefix
    assert titles("imigr ") == []  # a finished word is whole
    assert titles("im") == []  # too short to be a prefix


@pytest.mark.django_db
def test_every_word_is_required_in_title_or_body(article):
    article("Pelantikan pejabat", "<p>Di kantor wilayah Bali.</p>")
    article("Pelantikan pegawai", "<p>Di Jakarta.</p>")
    assert titles("pelantikan bali") == ["Pelantikan pejabat"]
    assert titles("pelantikan, bali!") == ["Pelantikan pejabat"]
    assert titles("pelantikan OR jakarta") == []  # OR is a word, not an operator


@pytest.mark.django_db
def test_only_published_items_and_html_is_searched_as_text(article):
    article("Draf rahasia", "<p>Belum terbit.</p>", published=False)
    article("Terbit", '<p>Kata <b>ter</b>pisah dan <a href="https://x.test/rahasia">tautan</a></p>')
    assert titles("rahasia") == []  # the draft's title, the link's address: not public text
    assert titles("terpisah") == ["Terbit"]
    assert titles("href") == []


@pytest.mark.django_db
def test_results_page_with_djangos_paginator(article):
    for n in range(5):
        article(f"Berita operasi {n}")
    page = Paginator(search_published("operasi"), 2).get_page(3)
    assert page.paginator.count == 5
    assert [item.title for item in page.object_list] == ["Berita operasi 0"]


def test_queries_are_bounded_and_made_of_words_only():
    terms = parse('  Paspor (AND) "imigrasi" OR NEAR(a b) x* ^y :z -w 🙂 paspor\x00')
    assert terms.words == ("paspor", "and", "imigrasi", "or", "near", "a", "b", "x", "y", "z")
    assert len(parse(" ".join(f"kata{n}" for n in range(50))).words) == MAX_TERMS
    assert parse("🙂 ... ¿?").words == ()
    assert parse("a" * 2000).words == ("a" * 40,)


@pytest.mark.django_db
@given(q=st.text(max_size=300))
@example(q='"')
@example(q="(")
@example(q="paspor AND (imigrasi OR NEAR(x y)) * ^ : -")
@example(q="\x00paspor\x00")
@example(q="x" * 2000)
@example(q="... !!! ???")
@example(q="🙂🇮🇩 paspor 🙂")
@example(q="'; DROP TABLE search_entry; --")
@example(q="ab:* & !c | d <-> e")
@example(q="²³ ① ǅ ﬁ İstanbul ß")
@example(q="paspor")
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_input_finds_results_or_none_never_an_error(q, article):
    """Every example runs in the test's one transaction: on PostgreSQL an error in any of them
    would also break every later query."""
    if not getattr(article, "seeded", False):
        article("Layanan paspor Sumbáwa", '<p>Antrean (AND) "NEAR" * ^ : - 🙂 x²</p>')
        article("Operasi gabungan", "<p>Imigrasi dan kepolisian.</p>")
        article.seeded = True
    found = list(search_published(q))
    assert search_published(q).count() == len(found)
    suggestion = suggest(q)
    assert suggestion is None or isinstance(suggestion, str)
    with connection.cursor() as cursor:  # the connection (and its transaction) still works
        cursor.execute("SELECT 1")
    if q == "paspor":
        assert [item.title for item in found] == ["Layanan paspor Sumbáwa"]


@pytest.mark.django_db
def test_did_you_mean_offers_close_indexed_words_that_find_something(article):
    article("Layanan paspor elektronik", "<p>Kantor imigrasi Sumbáwa.</p>")
    article("Pemeriksaan dokumen", "<p>Pelabuhan.</p>")
    assert suggest("pasport imigrsi") == "paspor imigrasi"
    assert suggest("Sumbwa") == "sumbawa"
    assert suggest("paspor elektronik") is None  # nothing to correct
    assert suggest("qwxyzv") is None  # nothing close
    assert suggest("pasport pelabuhan") is None  # close words, but never together
    assert suggest("") is None and suggest("?!") is None


@pytest.mark.django_db
def test_a_search_lists_at_most_the_newest_max_results_matches_ranked(article, monkeypatch):
    from warta.search import terms

    monkeypatch.setattr(terms, "MAX_RESULTS", 3)
    article("Paspor hilang", "<p>Laporan.</p>")  # the oldest: beyond the newest three
    article("Apel pagi", "<p>Soal paspor.</p>")
    article("Layanan paspor", "<p>Loket baru.</p>")
    article("Upacara", "<p>Tanpa kata itu.</p>")
    article("Rapat", "<p>Membahas paspor.</p>")
    page = Paginator(search_published("paspor"), 10).get_page(1)
    assert page.paginator.count == 3
    assert [item.title for item in page.object_list] == ["Layanan paspor", "Rapat", "Apel pagi"]

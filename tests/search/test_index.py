"""The index holds what the public sees, kept up to date by the publishing services in their
own transaction: published, withdrawn, corrected; a rebuild gives the same index."""

from __future__ import annotations

import importlib
import io
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, transaction

from tests.newsroom.conftest import open_run
from tests.newsroom.test_services import walk_to
from tests.publishing.test_corrections import published
from tests.publishing.test_services import reload
from warta.newsroom import services as newsroom
from warta.newsroom.models import NewsItem, Revision
from warta.publishing import services as publishing
from warta.publishing.models import Publication
from warta.search.models import SearchEntry
from warta.search.receivers import prune_orphans
from warta.search.selectors import search_published
from warta.search.services import index_items, rebuild
from warta.site.selectors import plain_text


def found(q: str) -> list[int]:
    return [item.pk for item in search_published(q)]


def index_rows() -> dict[int, tuple[str, str]]:
    return {e.item_id: (e.title, e.body) for e in SearchEntry.objects.order_by("item_id")}


def expected_rows() -> dict[int, tuple[str, str]]:
    """The invariant, recomputed here from the stored facts without the search code: every item
    with a publication time and a web address, with the text of its last website publication
    while its case is open again (a correction), else its own text."""
    rows = {}
    for item in NewsItem.objects.select_related("case").order_by("pk"):
        if item.published_at is None or not item.slug:
            continue
        title, body = item.title, item.body
        if item.case_id and item.case.status == "open":
            last = (
                Publication.objects.filter(
                    item=item, account__platform="website", state="published"
                )
                .exclude(operation="withdraw")
                .order_by("-revision", "-pk")
                .first()
            )
            if last is not None and "public" in last.extra:
                public = last.extra["public"]
                if "revision" in public:  # named by the saved revision that holds it
                    saved = Revision.objects.get(pk=public["revision"])
                    title, body = saved.title, saved.body
                else:
                    title, body = public["title"], public["body"]
        rows[item.pk] = (title, plain_text(body))
    return rows


def fts_consistent() -> bool:
    """The database's own full-text structure agrees with the rows it holds."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("INSERT INTO search_entry(search_entry) VALUES ('integrity-check')")
            return True
        cursor.execute(
            "SELECT count(*) FROM search_entry WHERE document IS DISTINCT FROM "
            "setweight(to_tsvector('warta_search', title), 'A') "
            "|| setweight(to_tsvector('warta_search', body), 'B')"
        )
        return cursor.fetchone()[0] == 0


@pytest.mark.django_db
def test_publishing_indexes_and_withdrawing_removes_in_the_same_transaction(people, new_item):
    item = new_item("Pemeriksaan keimigrasian")
    assert found("keimigrasian") == []  # a draft is not searchable
    item = published(people, new_item)  # "Wisuda Taruna Angkatan 25"
    assert found("wisuda") == [item.pk]

    with pytest.raises(RuntimeError), transaction.atomic():
        publishing.withdraw(item_id=item.pk, user=people["humas"], reason="Salah unggah")
        assert found("wisuda") == []  # written with the withdrawal…
        raise RuntimeError
    assert found("wisuda") == [item.pk]  # …and rolled back with it

    publishing.withdraw(item_id=item.pk, user=people["humas"], reason="Salah unggah")
    assert found("wisuda") == []
    assert not SearchEntry.objects.filter(item_id=item.pk).exists()


@pytest.mark.django_db
def test_during_a_correction_the_index_keeps_the_published_text(people, new_item):
    item = published(people, new_item)
    publishing.start_correction(item_id=item.pk, user=people["humas"], reason="Salah angka")
    item = reload(item)
    newsroom.save_draft(
        item_id=item.pk,
        user=people["humas"],
        base_version=item.edit_version,
        content={"title": "Wisuda Taruna Angkatan 26", "body": "<p>Angka koreksi: 26.</p>"},
    )
    item = walk_to(item, people, "unggah")
    # Something the public sees changes meanwhile (another channel's post, a rebuild): the
    # index still holds the published version, not the draft.
    index_items(item_ids=[item.pk])
    rebuild()
    assert found("angkatan 25") == [item.pk]
    assert found("koreksi") == [] and found("26") == []

    publishing.publish(item_id=item.pk, step_run_id=open_run(item).pk, user=people["humas"])
    assert reload(item).case.status == "completed"
    assert found("koreksi") == [item.pk] and found("angkatan 26") == [item.pk]
    assert found("25") == []


@pytest.mark.django_db
def test_a_rebuild_gives_the_incremental_index_and_both_hold_the_invariant(
    people, new_item, article
):
    kept = published(people, new_item)
    withdrawn = published(people, new_item)
    publishing.withdraw(item_id=withdrawn.pk, user=people["humas"], reason="Ganda")
    corrected = published(people, new_item)
    publishing.start_correction(item_id=corrected.pk, user=people["humas"], reason="Ralat")
    corrected = reload(corrected)
    newsroom.save_draft(
        item_id=corrected.pk,
        user=people["humas"],
        base_version=corrected.edit_version,
        content={"title": "Judul draf", "body": "<p>Teks draf.</p>"},
    )
    article("Rapat kerja", "<p>Paragraf <b>satu</b>.</p><p>Paragraf dua.</p>")
    article("Belum terbit", published=False)

    incremental = index_rows()
    assert incremental == expected_rows()
    assert set(incremental) >= {kept.pk, corrected.pk} and withdrawn.pk not in incremental
    assert incremental[corrected.pk][0] == "Wisuda Taruna Angkatan 25"
    assert fts_consistent()

    SearchEntry.objects.all().delete()
    out = io.StringIO()
    call_command("search", "rebuild", stdout=out)
    assert f"{len(incremental)} items indexed." in out.getvalue()
    assert index_rows() == incremental
    assert fts_consistent()
    assert found("judul draf") == [] and found("wisuda") == [kept.pk, corrected.pk][::-1]


@pytest.mark.django_db
def test_the_data_migration_fills_the_index_of_an_existing_database(people, new_item, article):
    published(people, new_item)
    article("Rapat kerja")
    expected = expected_rows()
    SearchEntry.objects.all().delete()
    migration = importlib.import_module("warta.search.migrations.0002_fill_index")
    migration.fill(apps, SimpleNamespace(connection=connection))
    assert index_rows() == expected
    assert fts_consistent()


@pytest.mark.django_db
def test_rows_of_items_that_no_longer_exist_are_pruned_after_a_flush(article):
    item = article("Rapat kerja")
    other = article("Apel pagi")
    NewsItem.objects.filter(pk=item.pk)._raw_delete(connection.alias)  # as flush empties it
    assert SearchEntry.objects.filter(item_id=item.pk).exists()
    prune_orphans(sender=None, using=connection.alias)
    assert set(index_rows()) == {other.pk}

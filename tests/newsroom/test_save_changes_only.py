"""A draft save's audit event records only what changed since the trail last recorded the item
(issue 12), while saves recorded before keep their whole-item form and read as they did."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.newsroom.test_services import reload
from tests.newsroom.test_text_by_reference import events, save, sha
from warta.audit.actions import describe
from warta.audit.services import record_event
from warta.audit.verify import verify_chain
from warta.newsroom import services
from warta.worktime.zone import JAKARTA


def last_save(item):
    return events(item, "newsroom.draft_saved")[-1]


def record_old_save(item, before: dict, after: dict) -> None:
    """A save event as Warta wrote it before issue 12: the whole item on both sides."""
    with transaction.atomic():
        record_event(
            action="newsroom.draft_saved",
            actor=None,
            object_type=services.OBJECT_TYPE,
            object_id=item.pk,
            before=before,
            after=after,
        )


def old_state(item, **changes) -> dict:
    """The item as a pre-issue-12 event held it (the texts themselves), with ``changes``."""
    item = reload(item)
    state = {name: getattr(item, name) for name in services.CONTENT_FIELDS}
    state.update(
        activity_at=item.activity_at.isoformat(),
        channels=item.channels,
        cover=item.cover_id,
        edit_version=item.edit_version,
        media=services._media_state(item.photos.all(), item.videos.all()),
    )
    return {**state, **changes}


@pytest.mark.django_db
def test_a_save_records_only_the_changed_keys(people, new_item):
    item = new_item()
    created = events(item, "newsroom.item_created")[0]
    assert set(created.after) == set(services.AUDITED_FIELDS)  # the first record is whole

    save(item, people, place="Gedung Serbaguna", body="<p>Teks baru.</p>")
    event = last_save(item)
    assert set(event.before) == {"place", "body", "edit_version"}
    assert set(event.after) == {"place", "body", "title", "edit_version"}
    assert (event.before["place"], event.after["place"]) == (
        "Aula Politeknik Imigrasi",
        "Gedung Serbaguna",
    )
    assert event.after["title"] == "Kuliah Umum Keimigrasian"
    assert event.after["body"]["sha256"] == sha("<p>Teks baru.</p>")
    assert event.before["body"] == created.after["body"]
    assert describe(event).endswith("yang berubah: naskah berita, tempat.")

    save(item, people)
    event = last_save(item)
    assert event.before == {"edit_version": event.after["edit_version"] - 1}
    assert event.after == {"title": "Kuliah Umum Keimigrasian", "edit_version": 3}
    assert describe(event) == (
        "Draf disimpan — Draf “Kuliah Umum Keimigrasian” disimpan tanpa perubahan."
    )
    assert list(verify_chain()) == []


@pytest.mark.django_db
def test_media_texts_changed_are_recorded_alone(people, new_item):
    item = new_item()
    asset_id = item.photos.get().asset_id
    services.save_draft(
        item_id=item.pk,
        user=people["humas"],
        base_version=item.edit_version,
        content={},
        captions={asset_id: "Para peserta kuliah umum"},
    )
    event = last_save(item)
    assert set(event.before) == {"media", "edit_version"}
    assert set(event.after) == {"media", "title", "edit_version"}
    assert event.before["media"][str(asset_id)]["caption"] == ""
    assert event.after["media"][str(asset_id)]["caption"] == "Para peserta kuliah umum"


@pytest.mark.django_db
def test_what_an_autosave_changed_is_recorded_by_the_next_save(people, new_item):
    item = new_item()
    save(item, people, autosave=True, title="Judul diketik", body="<p>Diketik.</p>")
    # The explicit save sends what the autosave already stored: nothing differs from the item
    # any more, but the trail has not held it yet.
    save(item, people, title="Judul diketik", body="<p>Diketik.</p>")
    event = last_save(item)
    assert (event.before["title"], event.after["title"]) == (
        "Kuliah Umum Keimigrasian",
        "Judul diketik",
    )
    assert event.after["body"]["sha256"] == sha("<p>Diketik.</p>")
    assert describe(event).endswith("yang berubah: naskah berita, judul.")


@pytest.mark.django_db
def test_the_same_instant_in_another_time_zone_is_no_change(people):
    item = services.create_item(
        user=people["humas"],
        title="Rapat Koordinasi",
        activity_name="Rapat",
        activity_at=dt.datetime(2026, 11, 27, 9, 0, tzinfo=JAKARTA),
        place="Ruang Rapat",
        covered_by="Sari Wulandari",
    )
    assert events(item, "newsroom.item_created")[0].after["activity_at"].endswith("+07:00")
    save(item, people)
    assert "activity_at" not in last_save(item).after
    save(item, people, activity_at=dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC))
    assert last_save(item).after["activity_at"] == "2026-11-27T10:00:00+00:00"


@pytest.mark.django_db
def test_saves_after_whole_item_events_compare_with_them(people, new_item):
    """A trail written before issue 12 (texts carried, every key on both sides) goes on with
    changed-only events: its values, the texts by hash, are what a new save compares with."""
    item = new_item()
    item.notes = "Catatan lama."
    item.save(update_fields=["notes"])
    state = old_state(item)
    record_old_save(item, old_state(item, notes=""), state)
    save(item, people, place="Aula Utama")
    event = last_save(item)
    assert set(event.after) == {"place", "title", "edit_version"}

    save(item, people, notes="Catatan baru.")
    event = last_save(item)
    # The notes before are named by hash: their text is in the old event already.
    assert event.before["notes"] == {"sha256": sha("Catatan lama."), "length": 13}
    assert event.after["notes"] == {
        "sha256": sha("Catatan baru."),
        "length": 13,
        "text": "Catatan baru.",
    }
    assert list(verify_chain()) == []


@pytest.mark.django_db
def test_old_whole_item_events_read_as_before(people, new_item):
    item = new_item()
    before = old_state(item)
    record_old_save(item, before, old_state(item, body="<p>Lain.</p>", notes="Baru."))
    assert describe(last_save(item)) == (
        "Draf disimpan — Draf “Kuliah Umum Keimigrasian” disimpan; "
        "yang berubah: naskah berita, catatan liputan."
    )
    # Texts by reference on both sides, different revisions of the same text: unchanged.
    reference = {"sha256": sha(item.body), "length": len(item.body)}
    record_old_save(
        item,
        {**before, "body": {**reference, "revision": 1}},
        {**before, "body": {**reference, "revision": 2}, "edit_version": 9},
    )
    assert describe(last_save(item)) == (
        "Draf disimpan — Draf “Kuliah Umum Keimigrasian” disimpan tanpa perubahan."
    )
    record_old_save(item, before, {**before, "title": "Judul Lain"})
    assert describe(last_save(item)).endswith("Draf “Judul Lain” disimpan; yang berubah: judul.")


def _save_queries(item, people) -> int:
    with CaptureQueriesContext(connection) as captured:
        save(item, people, place=f"Ruang {reload(item).edit_version}")
    return len(captured.captured_queries)


@pytest.mark.django_db
def test_a_save_asks_the_same_number_of_queries_however_many_came_before(people, new_item):
    item = new_item()
    first = _save_queries(item, people)
    for n in range(5):
        save(item, people, notes=f"Catatan {n}.", title=f"Judul {n}")
    assert _save_queries(item, people) == first

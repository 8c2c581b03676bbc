"""A save's audit events name the text by revision and hash instead of carrying it, and autosaves
keep a bounded history (issue 12: a database that stays small)."""

from __future__ import annotations

import hashlib

import pytest

from tests.newsroom.conftest import open_run
from tests.newsroom.test_services import reload, walk_to
from warta.audit.actions import describe
from warta.audit.models import Event
from warta.audit.verify import verify_chain
from warta.newsroom import services
from warta.newsroom.models import Revision

LONG_BODY = "<p>" + "Politeknik Imigrasi menggelar kuliah umum keimigrasian. " * 60 + "</p>"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def save(item, people, autosave=False, **content):
    return services.save_draft(
        item_id=item.pk,
        user=people["humas"],
        base_version=reload(item).edit_version,
        content=content,
        autosave=autosave,
    )


def events(item, action):
    return list(Event.objects.filter(action=action, object_id=str(item.pk)).order_by("seq"))


@pytest.mark.django_db
def test_a_draft_save_records_revision_and_hash_not_the_text(people, new_item):
    item = new_item()
    save(item, people, body=LONG_BODY, notes="Narasumber: Dr. Andi, Kepala Bidang.")
    event = events(item, "newsroom.draft_saved")[-1]

    revision = Revision.objects.get(pk=event.after["body"]["revision"])
    assert revision.item_id == item.pk and revision.kind == Revision.Kind.SAVED
    assert event.after["body"] == {
        "sha256": sha(revision.body),
        "length": len(revision.body),
        "revision": revision.pk,
    }
    assert revision.body == reload(item).body and len(revision.body) > 3000
    # The text before the save is named the same way, by the revision that held it.
    earlier = Revision.objects.get(pk=event.before["body"]["revision"])
    assert event.before["body"]["sha256"] == sha(earlier.body) != event.after["body"]["sha256"]
    # Nowhere in the event is the text itself.
    for side in (event.before, event.after):
        assert "Politeknik Imigrasi menggelar" not in str(side)
    # The notes, which no revision keeps, are in the trail once: in the save that changed them.
    assert event.after["notes"]["text"] == "Narasumber: Dr. Andi, Kepala Bidang."
    assert "text" not in event.before["notes"]
    assert describe(event).endswith("yang berubah: naskah berita, catatan liputan.")
    assert list(verify_chain()) == []


@pytest.mark.django_db
def test_an_unchanged_text_is_not_written_again_and_reads_as_unchanged(people, new_item):
    item = new_item()
    save(item, people, notes="Catatan liputan.")
    save(item, people, title="Kuliah Umum Keimigrasian 2026")
    first, second = events(item, "newsroom.draft_saved")[-2:]
    assert "text" in first.after["notes"]
    # The new title makes a new revision holding the same text: the text did not change, so
    # neither it nor the notes are in the event — only the title and the versions.
    assert item.revisions.order_by("-number").first().title == "Kuliah Umum Keimigrasian 2026"
    assert second.before == {"title": "Kuliah Umum Keimigrasian", "edit_version": 2}
    assert second.after == {"title": "Kuliah Umum Keimigrasian 2026", "edit_version": 3}
    assert describe(second).endswith("yang berubah: judul.")


@pytest.mark.django_db
def test_notes_changed_only_by_an_autosave_reach_the_trail_at_the_next_save(people, new_item):
    item = new_item()
    save(item, people, autosave=True, notes="Diketik lalu disimpan otomatis.")
    save(item, people, title="Judul baru")
    event = events(item, "newsroom.draft_saved")[-1]
    notes = [side["notes"].get("text") for side in (event.before, event.after)]
    assert "Diketik lalu disimpan otomatis." in notes
    assert notes.count("Diketik lalu disimpan otomatis.") == 1


@pytest.mark.django_db
def test_creation_records_the_first_revision_by_reference(people, new_item):
    item = new_item()
    created = events(item, "newsroom.item_created")[0]
    first = item.revisions.get(number=1)
    assert created.after["body"] == {
        "sha256": sha(first.body),
        "length": len(first.body),
        "revision": first.pk,
    }
    assert describe(created).startswith("Berita dibuat")


@pytest.mark.django_db
def test_autosaves_between_saves_are_coalesced_saved_and_submitted_versions_kept(people, new_item):
    item = new_item()
    start = item.revisions.count()
    for n in range(5):
        save(item, people, autosave=True, body=f"<p>Ketikan ke-{n}</p>")
    autosaves = item.revisions.filter(kind=Revision.Kind.AUTOSAVE)
    assert item.revisions.count() == start + 1
    assert [rev.body for rev in autosaves] == ["<p>Ketikan ke-4</p>"]

    save(item, people, body="<p>Versi disimpan</p>")
    for n in range(3):
        save(item, people, autosave=True, body=f"<p>Lanjutan ke-{n}</p>")
    kinds = list(item.revisions.order_by("number").values_list("kind", "body"))
    assert kinds[start:] == [
        ("autosave", "<p>Ketikan ke-4</p>"),
        ("saved", "<p>Versi disimpan</p>"),
        ("autosave", "<p>Lanjutan ke-2</p>"),
    ]
    # An explicit save of what the autosave already holds keeps it as a saved version.
    save(item, people, title="Kuliah Umum")
    assert item.revisions.order_by("-number").first().kind == Revision.Kind.SAVED
    save(item, people, autosave=True, body="<p>Sesudah simpan</p>")
    newest = item.revisions.order_by("-number").first()
    assert (newest.kind, newest.body) == ("autosave", "<p>Sesudah simpan</p>")
    assert item.revisions.filter(body="<p>Lanjutan ke-2</p>", kind="saved").exists()

    # Submitted versions are kept; autosaves after the submission start a new one.
    item = walk_to(item, people, "periksa")
    services.decide(
        item_id=item.pk,
        step_run_id=open_run(item).pk,
        user=people["kasubbag"],
        branch="kembalikan",
        reason="Lengkapi.",
    )
    for n in range(3):
        save(item, people, autosave=True, body=f"<p>Perbaikan ke-{n}</p>")
    save(item, people, body="<p>Perbaikan akhir</p>")
    services.submit(item_id=item.pk, step_run_id=open_run(reload(item)).pk, user=people["humas"])
    submitted = item.revisions.filter(kind=Revision.Kind.SUBMITTED).order_by("number")
    assert [rev.body for rev in submitted][-1] == "<p>Perbaikan akhir</p>"
    assert submitted.count() == 2
    revised = item.revisions.filter(revision_round=1).order_by("number")
    # The saved version handed over became the submitted one: the text is kept once.
    assert list(revised.values_list("kind", "body")) == [
        ("autosave", "<p>Perbaikan ke-2</p>"),
        ("submitted", "<p>Perbaikan akhir</p>"),
    ]
    assert revised.last().saved_by == people["humas"]
    # Returned again and handed over unchanged: a submission of its own, for the reviewer's diff.
    item = reload(item)
    services.decide(
        item_id=item.pk,
        step_run_id=open_run(item).pk,
        user=people["kasubbag"],
        branch="kembalikan",
        reason="Masih kurang.",
    )
    services.submit(item_id=item.pk, step_run_id=open_run(reload(item)).pk, user=people["humas"])
    assert list(
        item.revisions.filter(kind=Revision.Kind.SUBMITTED)
        .order_by("-number")
        .values_list("body", "revision_round")[:2]
    ) == [("<p>Perbaikan akhir</p>", 2), ("<p>Perbaikan akhir</p>", 1)]
    # Every revision a save event names still holds the text the event's hash names.
    for event in events(item, "newsroom.draft_saved"):
        for side in (event.before, event.after):
            reference = side.get("body", {})  # a save records the text when it changed
            if "revision" in reference:
                held = Revision.objects.get(pk=reference["revision"])
                assert sha(held.body) == reference["sha256"]


@pytest.mark.django_db
def test_the_revisions_page_compares_coalesced_versions(client, people, new_item):
    item = new_item()
    for n in range(4):
        save(item, people, autosave=True, body=f"<p>Ketikan ke-{n}</p>")
    save(item, people, body="<p>Versi akhir</p>")
    numbers = list(item.revisions.order_by("number").values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))
    client.force_login(people["kasubbag"])
    response = client.get(f"/kerja/berita/{item.pk}/versi/", {"a": numbers[-2], "b": numbers[-1]})
    assert response.status_code == 200
    html = response.context["diff"]["html"]
    assert "<del>" in html and "Ketikan ke-3" in html and "Versi akhir" in html

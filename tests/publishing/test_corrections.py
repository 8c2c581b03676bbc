"""A correction after publication: the case runs through the SOP again (a new round), the
public keeps the published version until the corrected one is published, the reviewers see
what changed, and publishing again updates the channels (revision 2)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.newsroom.conftest import open_run
from tests.newsroom.test_services import walk_to
from tests.publishing.test_services import at_upload, reload
from warta.audit.models import Event
from warta.audit.verify import verify_chain
from warta.newsroom import services as newsroom
from warta.newsroom.models import Revision
from warta.newsroom.selectors import review_diff_pair
from warta.publishing import services as publishing
from warta.publishing.models import Publication
from warta.publishing.platforms.website import PUBLIC_VERSION
from warta.workflow.errors import NotPermitted, ReasonRequired


def published(people, new_item):
    item = at_upload(people, new_item, title="Wisuda Taruna Angkatan 25")
    publishing.publish(item_id=item.pk, step_run_id=open_run(item).pk, user=people["humas"])
    item = reload(item)
    assert item.case.status == "completed"
    return item


def public_page(item) -> str:
    return Client().get(f"/berita/{item.slug}/").content.decode()


@pytest.mark.django_db
def test_a_correction_runs_the_sop_again_and_the_public_keeps_the_published_version(
    people, new_item
):
    item = published(people, new_item)
    slug, first_published = item.slug, item.published_at

    with pytest.raises(ReasonRequired):
        publishing.start_correction(item_id=item.pk, user=people["humas"], reason="  ")
    with pytest.raises(NotPermitted):  # the Kabag does not edit
        publishing.start_correction(item_id=item.pk, user=people["kabag"], reason="Salah angka")
    assert reload(item).case.status == "completed"

    publishing.start_correction(item_id=item.pk, user=people["humas"], reason="Salah angka")
    item = reload(item)
    run = open_run(item)
    assert item.case.status == "open" and item.case.revision_round == 1
    assert run.revision_round == 1
    event = Event.objects.get(action="workflow.case_reopened")
    assert event.note == "Salah angka" and event.actor_id == people["humas"].pk

    # Staf Humas edit the text; the public still sees what was published.
    newsroom.save_draft(
        item_id=item.pk,
        user=people["humas"],
        base_version=item.edit_version,
        content={"title": "Wisuda Taruna Angkatan 26", "body": "<p>Angka yang benar: 26.</p>"},
    )
    page = public_page(item)
    assert "Wisuda Taruna Angkatan 25" in page and "Angkatan 26" not in page
    assert "Angka yang benar" not in page
    feed = Client().get("/feed/rss/").content.decode()
    assert "Angkatan 25" in feed and "Angkatan 26" not in feed
    index = Client().get("/").content.decode()
    assert "Angkatan 25" in index and "Angkatan 26" not in index

    # Through the SOP again; the Kasubbag sees what changed against the published version.
    item = walk_to(item, people, "periksa")
    older, newer = review_diff_pair(item)
    assert older.title == "Wisuda Taruna Angkatan 25" and newer.title == "Wisuda Taruna Angkatan 26"
    item = walk_to(item, people, "unggah")
    publishing.publish(item_id=item.pk, step_run_id=open_run(item).pk, user=people["humas"])
    item = reload(item)
    assert item.case.status == "completed"
    rows = Publication.objects.filter(item=item, channel="website").order_by("revision")
    assert [(p.revision, p.operation, p.state) for p in rows] == [
        (1, "publish", "published"),
        (2, "update", "published"),
    ]
    # Same address and first publication date; the new text is public now.
    assert (item.slug, item.published_at) == (slug, first_published)
    page = public_page(item)
    assert "Wisuda Taruna Angkatan 26" in page and "Angka yang benar: 26." in page
    assert list(verify_chain()) == []


@pytest.mark.django_db
def test_the_published_text_is_named_by_its_revision_and_an_old_copy_still_serves(people, new_item):
    item = published(people, new_item)
    website = Publication.objects.get(item=item, channel="website")
    version = website.extra[PUBLIC_VERSION]
    # Not stored twice: the saved revision that holds the published text is named instead.
    assert "body" not in version and "title" not in version
    revision = Revision.objects.get(pk=version["revision"])
    assert (revision.title, revision.body) == (item.title, item.body)
    assert revision.kind != Revision.Kind.AUTOSAVE

    publishing.start_correction(item_id=item.pk, user=people["humas"], reason="Salah angka")
    item = reload(item)
    newsroom.save_draft(
        item_id=item.pk,
        user=people["humas"],
        base_version=item.edit_version,
        content={"title": "Judul koreksi", "body": "<p>Teks koreksi.</p>"},
    )
    page = public_page(item)
    assert revision.title in page and "Judul koreksi" not in page

    # A publication made before texts were named by revision carries its own copy.
    website.extra = {**website.extra, PUBLIC_VERSION: {
        **{k: v for k, v in version.items() if k != "revision"},
        "title": "Salinan lama",
        "body": "<p>Teks salinan lama.</p>",
    }}  # fmt: skip
    website.save(update_fields=["extra"])
    assert "Salinan lama" in public_page_rendered(item)


@pytest.mark.django_db
def test_a_refused_correction_never_makes_its_draft_public(
    people, new_item, django_capture_on_commit_callbacks
):
    from warta.search.selectors import search_published

    with django_capture_on_commit_callbacks(execute=True):
        item = published(people, new_item)
        publishing.start_correction(item_id=item.pk, user=people["humas"], reason="Salah angka")
        item = reload(item)
        newsroom.save_draft(
            item_id=item.pk,
            user=people["humas"],
            base_version=item.edit_version,
            content={"title": "Judul ditolak", "body": "<p>Teks koreksi ditolak.</p>"},
        )
        item = walk_to(item, people, "izin")
        newsroom.decide(
            item_id=item.pk,
            step_run_id=open_run(item).pk,
            user=people["kabag"],
            branch="tolak",
            reason="Tidak perlu dikoreksi.",
        )
    item = reload(item)
    assert item.case.status == "refused" and item.title == "Judul ditolak"
    # Every public page and feed, rendered anew, and the search keep the published version.
    for path in (f"/berita/{item.slug}/", "/", "/feed/rss/", "/feed/atom/"):
        from warta.site import pages

        pages.delete([pages.name_for(path)])
        text = Client().get(path).content.decode()
        assert "Wisuda Taruna Angkatan 25" in text, path
        assert "ditolak" not in text.lower(), path
    assert [found.pk for found in search_published("Wisuda")] == [item.pk]
    assert list(search_published("ditolak")) == []


def public_page_rendered(item) -> str:
    """The article rendered now (its stored file, made before the change above, deleted)."""
    from warta.site import pages

    pages.delete([pages.name_for(f"/berita/{item.slug}/")])
    return public_page(item)


@pytest.mark.django_db
def test_only_a_published_and_completed_item_can_be_corrected(people, new_item):
    item = at_upload(people, new_item)
    with pytest.raises(publishing.PublishingError):
        publishing.start_correction(item_id=item.pk, user=people["humas"], reason="x")
    item = published(people, new_item)
    publishing.start_correction(item_id=item.pk, user=people["humas"], reason="Ralat")
    with pytest.raises(NotPermitted):  # already under correction
        publishing.start_correction(item_id=item.pk, user=people["humas"], reason="Lagi")


def test_an_update_where_the_platform_allows_no_edits_keeps_the_first_version():
    """Nothing is sent to a platform that cannot edit posts; the record says so."""
    from warta.publishing.platforms.base import AccountConfig, Platform
    from warta.publishing.tasks import _call

    class NoEdits(Platform):
        code = "noedits"
        can_update = False

        def publish(self, post):
            raise AssertionError("an update must not publish a second post")

    publication = Publication(
        operation=Publication.Operation.UPDATE,
        external_id="17",
        url="https://example.org/p/17",
        extra={"media": [1]},
    )
    platform = NoEdits(AccountConfig(code="n", name="N", platform="noedits"))
    remote = _call(platform, publication, post=None)
    assert (remote.external_id, remote.url) == ("17", "https://example.org/p/17")
    assert remote.extra == {"media": [1], "kept_first_version": True}

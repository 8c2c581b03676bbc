"""The newsroom's service functions driving the real SOP engine."""

from __future__ import annotations

import pytest

from tests.newsroom.conftest import jpeg, open_run
from warta.newsroom import services
from warta.newsroom.diff import html_diff, text_blocks
from warta.newsroom.errors import EditConflict
from warta.newsroom.models import NewsItem, Revision
from warta.workflow.errors import NotPermitted, RequirementsMissing


def reload(item):
    return NewsItem.objects.select_related("case").get(pk=item.pk)


def walk_to(item, people, step_id):
    """Drive the item through the SOP until its open step is ``step_id``."""
    for _ in range(10):
        item = reload(item)
        run = open_run(item)
        if run.step_id == step_id:
            return item
        if run.step_id in ("catat", "edit", "perintah_unggah"):
            actor = people["kasubbag"] if run.step_id == "perintah_unggah" else people["humas"]
            services.submit(item_id=item.pk, step_run_id=run.pk, user=actor)
        elif run.step_id == "periksa":
            services.decide(
                item_id=item.pk, step_run_id=run.pk, user=people["kasubbag"], branch="setuju"
            )
        elif run.step_id == "izin":
            services.decide(
                item_id=item.pk, step_run_id=run.pk, user=people["kabag"], branch="izinkan"
            )
    raise AssertionError(f"never reached {step_id}")


@pytest.mark.django_db
def test_photo_is_required_and_body_is_sanitised(people, new_item):
    item = new_item(photos=0)
    with pytest.raises(RequirementsMissing):
        services.submit(item_id=item.pk, step_run_id=open_run(item).pk, user=people["humas"])
    item = services.save_draft(
        item_id=item.pk,
        user=people["humas"],
        base_version=item.edit_version,
        content={
            "body": '<p onclick="x()">Teks <script>alert(1)</script><strong>tebal</strong></p>'
        },
        photos=[jpeg()],
    )
    assert item.body == "<p>Teks <strong>tebal</strong></p>"
    services.submit(item_id=item.pk, step_run_id=open_run(item).pk, user=people["humas"])
    assert open_run(reload(item)).step_id == "edit"


@pytest.mark.django_db
def test_stale_autosave_is_refused_and_changes_nothing(people, new_item):
    item = new_item()
    services.save_draft(
        item_id=item.pk,
        user=people["humas"],
        base_version=item.edit_version,
        content={"title": "Versi baru"},
        autosave=True,
    )
    with pytest.raises(EditConflict):
        services.save_draft(
            item_id=item.pk,
            user=people["humas"],
            base_version=item.edit_version,
            content={"title": "Versi lama"},
        )
    assert reload(item).title == "Versi baru"


@pytest.mark.django_db
def test_only_the_assignee_and_role_may_edit(people, new_item):
    item = new_item()
    for intruder in (people["kasubbag"], people["humas2"]):
        with pytest.raises(NotPermitted):
            services.save_draft(
                item_id=item.pk,
                user=intruder,
                base_version=item.edit_version,
                content={"title": "Diubah"},
            )
    assert reload(item).title == "Kuliah Umum Keimigrasian"


@pytest.mark.django_db
def test_return_keeps_submitted_versions_for_the_diff(people, new_item):
    item = walk_to(new_item(), people, "periksa")
    services.decide(
        item_id=item.pk,
        step_run_id=open_run(item).pk,
        user=people["kasubbag"],
        branch="kembalikan",
        reason="Tambahkan nama narasumber.",
    )
    item = reload(item)
    services.save_draft(
        item_id=item.pk,
        user=people["humas"],
        base_version=item.edit_version,
        content={"body": "<p>Politeknik Imigrasi menggelar kuliah umum bersama Dr. Andi.</p>"},
    )
    services.submit(item_id=item.pk, step_run_id=open_run(item).pk, user=people["humas"])
    submitted = list(reload(item).revisions.filter(kind=Revision.Kind.SUBMITTED).order_by("number"))
    assert len(submitted) == 2
    diff = html_diff(submitted[0].body, submitted[1].body)
    assert "<del>umum.</del> <ins>umum bersama Dr. Andi.</ins>" in diff


def test_diff_escapes_text():
    diff = html_diff("<p>a &lt;b&gt;</p>", "<p>a &lt;script&gt;</p>")
    assert "<script>" not in diff and "&lt;script&gt;" in diff
    assert text_blocks("<h2>Judul</h2><p>satu<br>dua</p>") == ["Judul", "satu", "dua"]

"""Newsroom fixtures: the three SOP roles as separate people, and a news item factory."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image


def jpeg(name: str = "foto.jpg", color=(30, 90, 160)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def people(humas_sop, make_user):
    return {
        "humas": make_user("humas", "staf_humas", full_name="Sari Wulandari"),
        "humas2": make_user("humas2", "staf_humas", full_name="Budi Santoso"),
        "kasubbag": make_user("kasubbag", "kasubbag_umum_rt", full_name="Rina Kartika"),
        "kabag": make_user("kabag", "kabag_adm_umum", full_name="Agus Prasetyo"),
    }


@pytest.fixture
def new_item(people):
    from warta.newsroom import services

    def make(
        title: str = "Kuliah Umum Keimigrasian", *, photos: int = 1, author=None, alt: bool = True
    ):
        """A note at step 1 with ``photos`` photos, described with alt text unless ``alt`` is
        False (publishing needs it)."""
        item = services.create_item(
            user=author or people["humas"],
            title=title,
            activity_name="Kuliah umum",
            activity_at=timezone.now() - dt.timedelta(hours=3),
            place="Aula Politeknik Imigrasi",
            covered_by="Sari Wulandari",
            body="<p>Politeknik Imigrasi menggelar kuliah umum.</p>",
            photos=[jpeg(f"foto{i}.jpg") for i in range(photos)],
        )
        if alt and photos:
            services.save_draft(
                item_id=item.pk,
                user=author or people["humas"],
                base_version=item.edit_version,
                content={},
                alt_texts={
                    photo.asset_id: f"Foto {number} kuliah umum di aula"
                    for number, photo in enumerate(item.photos.all(), start=1)
                },
            )
            item.refresh_from_db()
        return item

    return make


def open_run(item):
    return item.case.step_runs.get(finished_at__isnull=True)

"""Newsroom pages through the Django test client: validation, permissions, language."""

from __future__ import annotations

import pytest

from tests.newsroom.conftest import open_run
from warta.newsroom.models import NewsItem


@pytest.mark.django_db
def test_new_note_form_reports_errors_in_indonesian_and_saves_nothing(client, people):
    client.force_login(people["humas"])
    response = client.post(
        "/kerja/berita/baru/",
        {
            "title": "",
            "activity_name": "Rapat",
            "activity_at": "kemarin",
            "place": "Aula",
            "covered_by": "Sari",
            "photos": [],
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Bidang ini tidak boleh kosong." in text  # Django's own "This field is required."
    assert "Masukkan tanggal/waktu yang valid." in text
    assert not NewsItem.objects.exists()


@pytest.mark.django_db
def test_a_file_that_is_not_a_photo_is_refused(client, people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(people["humas"])
    response = client.post(
        "/kerja/berita/baru/",
        {
            "title": "Judul",
            "activity_name": "Rapat",
            "activity_at": "2026-11-20T09:00",
            "place": "Aula",
            "covered_by": "Sari",
            "photos": [SimpleUploadedFile("foto.jpg", b"bukan gambar", "image/jpeg")],
        },
    )
    assert response.status_code == 400
    assert "foto.jpg sebenarnya berkas teks, bukan foto" in response.content.decode()
    assert not NewsItem.objects.exists()


@pytest.mark.django_db
def test_pages_switch_to_english(client, people, new_item):
    item = new_item()
    client.force_login(people["humas"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/kerja/"})
    response = client.get("/kerja/")
    assert "My tasks" in response.content.decode() and "Tugas saya" not in response.content.decode()
    assert "Timeline" in client.get(f"/kerja/berita/{item.pk}/").content.decode()


@pytest.mark.django_db
def test_people_without_a_role_are_kept_out(client, make_user, new_item):
    new_item()
    client.force_login(make_user("tamu"))
    response = client.get("/kerja/")
    assert response.status_code == 403
    assert "Akses ditolak" in response.content.decode()
    assert client.get("/kerja/").status_code == 403


@pytest.mark.django_db
def test_autosave_answers_in_json_and_refuses_a_stale_version(client, people, new_item):
    item = new_item()
    client.force_login(people["humas"])
    url = f"/kerja/berita/{item.pk}/simpan-otomatis/"
    ok = client.post(url, {"body": "<p>Baru</p>", "base_version": item.edit_version})
    assert ok.json() == {"ok": True, "version": item.edit_version + 1}
    stale = client.post(url, {"body": "<p>Lama</p>", "base_version": item.edit_version})
    assert stale.status_code == 409 and stale.json()["code"] == "edit-conflict"
    assert NewsItem.objects.get(pk=item.pk).body == "<p>Baru</p>"
    client.force_login(people["kasubbag"])
    other = client.post(url, {"body": "<p>X</p>", "base_version": item.edit_version + 1})
    assert other.status_code == 403
    assert open_run(item).step_id == "catat"


@pytest.mark.django_db
def test_a_supervisor_moves_a_step_to_another_writer(client, people, new_item):
    from warta.audit.models import Event

    item = new_item()
    run = open_run(item)
    url = f"/kerja/berita/{item.pk}/aksi/"
    form = {"step_run": run.pk, "action": "workflow.reassign", "assignee": people["humas2"].pk}
    client.force_login(people["humas"])
    assert client.post(url, {**form, "reason": "Saya cuti."}).status_code == 403
    client.force_login(people["kasubbag"])
    page = client.get(f"/kerja/berita/{item.pk}/").content.decode()
    assert "Alihkan langkah ini ke orang lain" in page
    assert client.post(url, form).status_code == 400  # a reason is required
    response = client.post(url, {**form, "reason": "Sari sedang cuti."}, follow=True)
    assert "Langkah dialihkan ke" in response.content.decode()
    run.refresh_from_db()
    assert run.assignee == people["humas2"]
    event = Event.objects.filter(action="workflow.step_reassigned").get()
    assert event.note == "Sari sedang cuti."

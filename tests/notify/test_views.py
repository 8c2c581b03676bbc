"""The notification pages, the bell and the admin: each person sees only their own."""

from __future__ import annotations

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from warta.notify import services
from warta.notify.kinds import registered_kinds
from warta.notify.models import Notification, OutgoingMail, Preference

pytestmark = pytest.mark.django_db


def _notify(user, title: str, url: str = "/kerja/berita/5/", kind: str = "task"):
    with transaction.atomic():
        [notification] = services.notify(
            recipients=[user], kind=kind, title=title, body="Isi pesan", url=url
        )
    return notification


@pytest.fixture
def sari_and_budi(person):
    sari, budi = person("sari"), person("budi")
    _notify(sari, "Untuk Sari satu")
    _notify(sari, "Untuk Sari dua", kind="late")
    _notify(budi, "Rahasia Budi")
    return sari, budi


def test_the_count_is_the_users_own_unread(client, sari_and_budi):
    sari, _budi = sari_and_budi
    client.force_login(sari)

    response = client.get("/kerja/notifikasi/jumlah/")

    assert response.status_code == 200
    assert response.json() == {"unread": 2}
    assert "no-cache" in response["Cache-Control"]


def test_the_count_needs_a_signed_in_user(client):
    assert client.get("/kerja/notifikasi/jumlah/").status_code == 302


def test_the_list_shows_own_notifications_newest_first_in_indonesian(client, sari_and_budi):
    sari, _budi = sari_and_budi
    client.force_login(sari)

    body = client.get("/kerja/notifikasi/").content.decode()

    assert "Untuk Sari dua" in body
    assert body.index("Untuk Sari dua") < body.index("Untuk Sari satu")
    assert "Rahasia Budi" not in body
    assert "Terlambat" in body and "Tugas baru" in body
    assert "2 notifikasi belum dibaca." in body
    assert body.count('class="notify-item unread"') == 2
    # The bell in the top bar carries the same count and its script.
    assert "data-notify-badge>2</span>" in body
    assert "notify/bell.js" in body
    assert 'aria-live="polite"' in body


def test_opening_marks_read_and_follows_the_link(client, sari_and_budi):
    sari, budi = sari_and_budi
    mine = Notification.objects.filter(recipient=sari).first()
    theirs = Notification.objects.get(recipient=budi)
    client.force_login(sari)

    assert client.get(f"/kerja/notifikasi/{mine.pk}/buka/").status_code == 405
    response = client.post(f"/kerja/notifikasi/{mine.pk}/buka/")
    assert response.status_code == 302
    assert response["Location"] == "/kerja/berita/5/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert client.get("/kerja/notifikasi/jumlah/").json() == {"unread": 1}

    assert client.post(f"/kerja/notifikasi/{theirs.pk}/buka/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_touches_only_own_notifications(client, sari_and_budi):
    sari, budi = sari_and_budi
    client.force_login(sari)

    response = client.post("/kerja/notifikasi/baca-semua/", follow=True)

    assert "Semua notifikasi ditandai sudah dibaca." in response.content.decode()
    assert not Notification.objects.filter(recipient=sari, read_at__isnull=True).exists()
    assert Notification.objects.get(recipient=budi).read_at is None


def test_preferences_are_chosen_per_kind(client, person):
    sari = person("sari")
    client.force_login(sari)

    page = client.get("/kerja/notifikasi/pengaturan/").content.decode()
    assert "Pengaturan notifikasi" in page
    assert "Ringkasan harian melalui surel pukul 07.00" in page
    assert page.count('type="radio"') == len(registered_kinds()) * 3  # the case kinds + apps'

    data = {
        "reminder": "digest",
        "late": "immediate",
        "escalation": "immediate",
        "deviation": "off",
        "deviation_review": "immediate",
        "task": "immediate",
        "publication_failed": "immediate",
    }
    response = client.post("/kerja/notifikasi/pengaturan/", data, follow=True)

    assert "Pengaturan notifikasi Anda sudah disimpan." in response.content.decode()
    chosen = dict(Preference.objects.filter(user=sari).values_list("kind", "mode"))
    assert chosen["reminder"] == "digest"
    assert chosen["deviation"] == "off"
    assert chosen["late"] == "immediate"


def test_an_invalid_choice_is_refused(client, person):
    sari = person("sari")
    client.force_login(sari)

    response = client.post("/kerja/notifikasi/pengaturan/", {"reminder": "sometimes"})

    assert response.status_code == 200
    assert not Preference.objects.exists()


def test_the_admin_lists_mail_and_retries_now(client, make_user, sari_and_budi):
    client.force_login(make_user("admin", superuser=True))
    DBTaskResult.objects.all().delete()
    mail = OutgoingMail.objects.first()

    for url in ("/admin/notify/outgoingmail/", "/admin/notify/notification/"):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="id")
        assert response.status_code == 200
    assert "Coba kirim ulang sekarang" in client.get("/admin/notify/outgoingmail/").content.decode()

    response = client.post(
        "/admin/notify/outgoingmail/",
        {"action": "retry_now", "_selected_action": [mail.pk]},
        follow=True,
    )

    assert "1 surel dijadwalkan untuk dikirim." in response.content.decode()
    assert DBTaskResult.objects.count() == 1

"""The Django admin (in Indonesian) shows the SOP, cases and the calendar to an administrator."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/sop/sopversion/",
        "/admin/workflow/case/",
        "/admin/workflow/weekdayhours/",
        "/admin/workflow/specialperiod/",
        "/admin/workflow/holidayoverride/",
        "/admin/audit/event/",
        "/admin/accounts/role/",
        "/admin/accounts/delegation/",
        "/admin/accounts/delegation/add/",
        "/admin/newsroom/newsitem/",
        "/admin/notify/outgoingmail/",
        "/admin/notify/notification/",
        "/admin/workflow/weekdayhours/preview/",
        "/admin/workflow/weekdayhours/preview/?start=2026-12-23T15%3A50&duration=30m",
    ],
)
def test_admin_pages_render_in_indonesian(client, make_user, humas_sop, url):
    client.force_login(make_user("admin", superuser=True))
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'lang="id"' in body


@pytest.mark.django_db
def test_admin_index_lists_the_apps_by_their_indonesian_names(client, make_user):
    client.force_login(make_user("admin", superuser=True))
    body = client.get("/admin/").content.decode()
    for name in ("Alur kerja", "Jejak audit", "Akun dan peran", "Jam kerja", "Perkara"):
        assert name in body


@pytest.mark.django_db
def test_calendar_preview_computes_the_due_time(client, make_user):
    client.force_login(make_user("admin", superuser=True))
    body = client.get(
        "/admin/workflow/weekdayhours/preview/", {"start": "2026-12-23T15:50", "duration": "30m"}
    ).content.decode()
    assert "Senin, 28 Desember 2026 07:50 WIB" in body
    assert "Hari Raya Natal" in body and "Cuti Bersama" in body

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

"""The Django admin (in Indonesian) shows the SOP, cases and the calendar to an administrator."""

import html

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/sop/sopversion/",
        "/admin/workflow/case/",
        "/admin/worktime/weekdayhours/",
        "/admin/worktime/specialperiod/",
        "/admin/worktime/holidayoverride/",
        "/admin/audit/event/",
        "/admin/accounts/role/",
        "/admin/accounts/delegation/",
        "/admin/accounts/delegation/add/",
        "/admin/newsroom/newsitem/",
        "/admin/notify/outgoingmail/",
        "/admin/notify/notification/",
        "/admin/worktime/weekdayhours/preview/",
        "/admin/worktime/weekdayhours/preview/?start=2026-12-23T15%3A50&duration=30m",
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
        "/admin/worktime/weekdayhours/preview/", {"start": "2026-12-23T15:50", "duration": "30m"}
    ).content.decode()
    assert "Senin, 28 Desember 2026 07:50 WIB" in body
    assert "Hari Raya Natal" in body and "Cuti Bersama" in body


# --- Every registered model's pages, with their own content ------------------------------


@pytest.fixture
def admin_world(humas_sop, settings, tmp_path):
    """The demo news in every stage (cases, deviations, notifications, mail, audit events) and
    an administrator who passed the second factor."""
    from django.test import Client

    from tests.urlwalk import ADMIN, build_world, sign_in

    settings.MEDIA_ROOT = tmp_path / "media"
    world = build_world(humas_sop)
    client = Client()
    sign_in(client, world.people[ADMIN])
    return client, world.people[ADMIN]


def _registered():
    from django.contrib import admin

    return sorted(admin.site._registry.items(), key=lambda pair: pair[0]._meta.label)


def _title(body: str) -> str:
    import re

    return html.unescape(re.search(r"<title>(.*?)</title>", body, re.S).group(1))


def _request_for(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _shown(value) -> str:
    return html.unescape(str(value))


def _column_value(model_admin, obj, name: str) -> str | None:
    """What the changelist shows in column ``name`` for ``obj``, as Django's admin formats it
    (None for an HTML column, compared as text elsewhere)."""
    from django.contrib.admin.templatetags.admin_list import _boolean_icon
    from django.contrib.admin.utils import display_for_field, display_for_value, lookup_field

    field, attr, value = lookup_field(name, obj, model_admin)
    empty = model_admin.get_empty_value_display()
    if field is None:
        if getattr(attr, "boolean", False):
            return None
        shown = display_for_value(value, empty)
    elif getattr(field, "remote_field", None) and value is not None:
        shown = str(value)
    else:
        shown = display_for_field(value, field, empty)
    if shown is _boolean_icon or "<" in str(shown):
        return None
    return _shown(shown)


@pytest.mark.django_db
def test_every_admin_changelist_shows_its_model_rows_and_columns(admin_world):
    """The model's name in the title, the Indonesian column headers, and the first row's link
    and first column."""
    from django.contrib.admin.utils import label_for_field, quote
    from django.urls import reverse
    from django.utils import translation

    client, user = admin_world
    request = _request_for(user)
    problems, filled = [], 0
    with translation.override("id"):
        for model, model_admin in _registered():
            opts = model._meta
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            response = client.get(url)
            if response.status_code != 200:
                problems.append(f"{url}: {response.status_code}")
                continue
            body = response.content.decode()
            title = _title(body)
            if str(opts.verbose_name).lower() not in title.lower():
                problems.append(f"{url}: title {title!r} lacks {opts.verbose_name!r}")
            rows = response.context["cl"].result_list
            if not rows:
                plural = str(opts.verbose_name_plural).lower()
                if f"0 {plural}" not in _shown(body).lower():
                    problems.append(f"{url}: empty, without '0 {plural}'")
                continue
            filled += 1
            head = body.split("<thead>", 1)[-1].split("</thead>", 1)[0]
            for name in model_admin.get_list_display(request):
                if name == "action_checkbox":
                    continue
                label = _shown(label_for_field(name, model, model_admin))
                if label.lower() not in _shown(head).lower():  # capitalised in the header
                    problems.append(f"{url}: no column header {label!r}")
            obj = rows[0]
            change = reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(obj.pk)]
            )
            links = model_admin.get_list_display_links(request, model_admin.list_display)
            if links is not None and f'href="{change}' not in body:
                problems.append(f"{url}: no link to its first row {change}")
            first = [n for n in model_admin.get_list_display(request) if n != "action_checkbox"]
            shown = _column_value(model_admin, obj, first[0]) if first else None
            if shown is not None and shown not in _shown(body):
                problems.append(f"{url}: the first row's {first[0]!r} {shown!r} is not shown")
    assert not problems, "\n".join(problems)
    assert filled >= 12  # the demo fills Warta's own models


# Add pages of their own (by model name): an SOP version is uploaded as a file.
ADD_TITLES = {"sopversion": "unggah definisi sop"}


@pytest.mark.django_db
def test_every_admin_change_and_add_form_shows_its_own_object(admin_world):
    from django.contrib.admin.utils import quote
    from django.urls import reverse
    from django.utils import translation

    client, user = admin_world
    request = _request_for(user)
    problems, shown_objects = [], 0
    with translation.override("id"):
        for model, model_admin in _registered():
            opts = model._meta
            name = str(opts.verbose_name).lower()
            add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
            response = client.get(add)
            if model_admin.has_add_permission(request):
                if response.status_code != 200:
                    problems.append(f"{add}: {response.status_code}")
                elif (
                    ADD_TITLES.get(opts.model_name, f"tambahkan {name}")
                    not in _title(response.content.decode()).lower()
                ):
                    problems.append(f"{add}: title {_title(response.content.decode())!r}")
            elif response.status_code != 403:
                problems.append(f"{add}: {response.status_code}, expected a refusal")
            obj = model_admin.get_queryset(request).order_by("pk").first()
            if obj is None:
                continue
            change = reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(obj.pk)]
            )
            response = client.get(change)
            if response.status_code != 200:
                problems.append(f"{change}: {response.status_code}")
                continue
            body = response.content.decode()
            verb = "ubah" if model_admin.has_change_permission(request, obj) else "lihat"
            if f"{verb} {name}" not in _title(body).lower():
                problems.append(f"{change}: title {_title(body)!r}, expected {verb} {name}")
            if _shown(str(obj)) not in _shown(body):
                problems.append(f"{change}: {str(obj)!r} is not on its own page")
            shown_objects += 1
    assert not problems, "\n".join(problems)
    assert shown_objects >= 12  # the demo fills Warta's own models

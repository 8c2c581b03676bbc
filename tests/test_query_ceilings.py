"""Ceilings on the number of database queries of every page, for staff, the public and the admin.

Every URL pattern of the URLconf is looked up here (``tests/urlwalk.py``), so a new URL name
without a declared ceiling fails the test. Each page is visited as a person who sees it full —
the demo news in every stage, with photos, finished steps, deviations and notifications — once to
warm the caches and once counted. The list pages must also not grow: the same number of queries
with three times the rows.

The numbers are what the pages took when they were measured, plus a little slack. When a change
makes a page cheaper, lower its number; when it makes one dearer, find the query that repeats
first. ``WARTA_MEASURE_QUERIES=1 pytest tests/test_query_ceilings.py -s`` prints what every page
takes now, in the form of the tables below.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from unittest import mock

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.shared_world import shared_world
from tests.urlwalk import ADMIN, ANONYMOUS, PLH, routes, sign_in

MEASURE = os.environ.get("WARTA_MEASURE_QUERIES") == "1"
# The shipped SOP's roles, left to right in its table.
CREATOR, CHECKER, APPROVER = "staf_humas", "kasubbag_umum_rt", "kabag_adm_umum"
ROLES = (CREATOR, CHECKER, APPROVER, PLH)

Args = Callable[[dict], dict]
NO_ARGS: Args = lambda ids: {}  # noqa: E731
ITEM: Args = lambda ids: {"pk": ids["item"]}  # noqa: E731
PUBLISHING_ITEM: Args = lambda ids: {"pk": ids["publishing_item"]}  # noqa: E731


@dataclass(frozen=True)
class Page:
    """At most ``queries`` queries for each of ``people`` (a GET, after a first one)."""

    queries: int
    people: tuple[str, ...] = (ANONYMOUS,)
    args: Args = NO_ARGS
    lists: bool = False  # a list: the same count with three times the rows


# Not pages: views that only take POST (their forms are on the pages above).
POST_ONLY = {
    "ui:logout",
    "notify:read_all",
    "notify:open",
    "accounts:revoke",
    "newsroom:item_autosave",
    "newsroom:item_action",
    "newsroom:item_media_add",
    "newsroom:item_media_focus",
    "newsroom:item_media_poster",
    # The resumable upload protocol (POST, HEAD, PATCH, DELETE; a GET is refused).
    "media:tus",
    "media:tus_upload",
    # Publishing: an account's connection test and deactivation, a publication's actions, an
    # item's withdrawal and correction (their forms are on the accounts and status pages).
    "publishing:account_test",
    "publishing:account_deactivate",
    "publishing:withdraw",
    "publishing:correct",
    "publishing:record",
    "publishing:retry",
    "publishing:confirm_removed",
}

PAGES: dict[str, Page] = {
    # --- Plumbing (redirects and the translation catalogue) and sign-in: no query for a visitor
    "favicon.ico": Page(0),
    "set_language": Page(0),
    "javascript-catalog": Page(0),
    "ui:login": Page(0),
    # --- One's own account
    "ui:second_factor": Page(5, (CREATOR,)),
    "ui:second_factor_setup": Page(8, (CREATOR,)),
    "ui:security": Page(9, (CREATOR,)),
    "ui:password_change": Page(7, (CREATOR,)),
    "ui:recovery_codes": Page(4, (CREATOR,)),
    # --- Notifications
    "notify:list": Page(12, ROLES, lists=True),
    "notify:count": Page(5, ROLES),
    "notify:preferences": Page(8, (CREATOR,)),
    # --- Plh/Plt
    "accounts:delegations": Page(13, (APPROVER, ADMIN), lists=True),
    # --- Deviations
    "workflow:deviations": Page(12, (CHECKER, APPROVER, ADMIN), lists=True),
    "workflow:deviation": Page(11, (CHECKER,), lambda ids: {"pk": ids["deviation"]}),
    "workflow:person": Page(
        12, (CHECKER, APPROVER), lambda ids: {"user_id": ids["user"]}, lists=True
    ),
    # --- The newsroom
    # The inbox and the unit overview: the counts by time status, the steps not yet due (to tell
    # green from amber) and one page of open steps (tests/test_list_pages_many_rows.py).
    "newsroom:inbox": Page(18, ROLES, lists=True),
    "newsroom:unit": Page(14, (CHECKER, APPROVER, ADMIN), lists=True),
    "newsroom:item_new": Page(8, (CREATOR,)),
    # The publications' accounts are prefetched (their names, once for every link).
    "newsroom:item": Page(27, ROLES, ITEM),
    "newsroom:item_edit": Page(31, (CREATOR,), lambda ids: {"pk": ids["editable_item"]}),
    "newsroom:item_revisions": Page(11, (CHECKER,), ITEM),
    "newsroom:item_media_status": Page(11, (CREATOR,), ITEM),
    "newsroom:media_file": Page(
        6, (CREATOR,), lambda ids: {"asset_id": ids["draft_asset"], "spec": "original"}
    ),
    # --- Publishing: the channel accounts (administrators), and the item at its publishing
    # step (website live, accounts used by hand waiting, a post through an API failed).
    "publishing:accounts": Page(7, (ADMIN,)),
    "publishing:account_new": Page(6, (ADMIN,)),
    "publishing:account": Page(7, (ADMIN,), lambda ids: {"pk": ids["channel_account"]}),
    # The texts page and the preview also read the item's open step (may the texts be edited?).
    "publishing:texts": Page(23, (CREATOR, ADMIN), PUBLISHING_ITEM),
    # The photos, videos, renditions and channel texts are read once for every account
    # (``selectors.preview_media``).
    "publishing:preview": Page(28, ROLES, PUBLISHING_ITEM),
    # One actor check per open step run, not per publication; the item, its case and SOP read
    # once (``selectors.item_publications``), the previews' media once.
    "publishing:status": Page(20, (*ROLES, ADMIN), PUBLISHING_ITEM),
    # --- The public website
    # Pre-rendered pages (warta.site.pages): the first GET stored the page, the second is
    # served from its file without a query (the rendering's own counts: tests/site/).
    "site:index": Page(0, lists=True),
    # No page 2 in the world (fewer than eleven items): the 404 counts the published items.
    "site:index_page": Page(1, args=lambda ids: {"number": 2}),
    "site:article": Page(0, args=lambda ids: {"slug": ids["slug"]}),
    "site:rendition": Page(3, args=lambda ids: {"name": ids["rendition"]}),
    "site:rss": Page(0, lists=True),
    "site:atom": Page(0, lists=True),
    "site:sitemap": Page(0, lists=True),
    "site:sitemap_home": Page(0),
    "site:sitemap_part": Page(0, args=lambda ids: {"number": 1}, lists=True),
    # --- The admin's own pages (as an administrator who passed the second factor)
    "admin:index": Page(6, (ADMIN,)),
    "admin:login": Page(5, (ADMIN,)),
    "admin:logout": Page(5, (ADMIN,)),
    "admin:password_change": Page(5, (ADMIN,)),
    "admin:password_change_done": Page(5, (ADMIN,)),
    "admin:autocomplete": Page(6, (ADMIN,)),
    "admin:jsi18n": Page(5, (ADMIN,)),
    "admin:view_on_site": Page(8, (ADMIN,)),
    "admin:app_list": Page(5, (ADMIN,)),
    "admin:<admin/(?P<url>.*)$>": Page(6, (ADMIN,)),
    "admin:auth_user_password_change": Page(10, (ADMIN,)),
    "admin:otp_totp_totpdevice_config": Page(7, (ADMIN,)),
    "admin:otp_totp_totpdevice_qrcode": Page(7, (ADMIN,)),
    "admin:worktime_calendar_preview": Page(8, (ADMIN,)),
}

# The admin's pages of each registered model: changelist, add, change, history, delete and the
# bare object URL (a redirect to the change page), as an administrator.
ADMIN_KINDS = ("changelist", "add", "change", "history", "delete", "object")


def _admin(*queries: int) -> dict[str, int]:
    return dict(zip(ADMIN_KINDS, queries, strict=True))


ADMIN_MODELS: dict[str, dict[str, int]] = {
    # label: _admin(changelist, add, change, history, delete, object)
    "auth.group": _admin(8, 6, 8, 7, 9, 5),
    "django_tasks_database.dbtaskresult": _admin(10, 6, 6, 7, 7, 5),
    "otp_totp.totpdevice": _admin(8, 5, 7, 7, 6, 5),
    "otp_static.staticdevice": _admin(8, 5, 9, 8, 8, 5),
    "accounts.role": _admin(8, 6, 7, 7, 7, 5),
    "accounts.delegation": _admin(11, 8, 9, 9, 7, 5),
    "auth.user": _admin(9, 5, 10, 7, 38, 5),
    "axes.accessattempt": _admin(11, 6, 6, 6, 7, 5),
    "axes.accesslog": _admin(11, 6, 6, 7, 7, 5),
    "axes.accessfailurelog": _admin(11, 6, 6, 6, 7, 5),
    # changelist: one look-up per distinct case among the page's events (the workflow's
    # message formatter); the demo's page of events now spans five cases, not four.
    "audit.event": _admin(11, 6, 6, 7, 7, 5),
    "sop.sopversion": _admin(9, 5, 6, 7, 7, 5),
    "worktime.weekdayhours": _admin(8, 5, 6, 7, 6, 5),
    "worktime.specialperiod": _admin(10, 5, 6, 6, 6, 5),
    "worktime.holidayoverride": _admin(10, 5, 6, 6, 6, 5),
    "workflow.case": _admin(9, 6, 21, 7, 7, 5),
    "workflow.deviation": _admin(8, 6, 10, 8, 7, 5),
    "newsroom.newsitem": _admin(10, 6, 7, 7, 7, 5),
    "notify.outgoingmail": _admin(10, 6, 7, 7, 7, 5),
    "notify.notification": _admin(10, 6, 7, 7, 7, 5),
}


def _admin_model(key: str):
    """(model, kind) of an admin URL name of a registered model, or None."""
    from django.contrib import admin

    for model in admin.site._registry:
        label = f"{model._meta.app_label}_{model._meta.model_name}"
        if key.startswith(f"admin:{label}_") and key.removeprefix(f"admin:{label}_") in ADMIN_KINDS:
            return model, key.removeprefix(f"admin:{label}_")
        if (
            key
            == f"admin:<admin/{model._meta.app_label}/{model._meta.model_name}/<path:object_id>/>"
        ):
            return model, "object"
    return None


def ceiling(key: str) -> Page | None:
    if key in PAGES:
        return PAGES[key]
    found = _admin_model(key)
    if found is None:
        return None
    model, kind = found
    queries = ADMIN_MODELS.get(f"{model._meta.app_label}.{model._meta.model_name}", {}).get(kind)
    if queries is None and MEASURE:
        queries = 10**6
    if queries is None:
        return None
    return Page(queries, (ADMIN,), lists=kind == "changelist")


def _admin_args(route) -> dict[str, str]:
    """An existing object of the model the admin URL is for (the first one)."""
    from django.contrib.contenttypes.models import ContentType

    found = _admin_model(route.key)
    if found is not None:
        first = found[0]._default_manager.order_by("pk").first()
        return dict.fromkeys(route.converters, str(getattr(first, "pk", 1)))
    if route.key == "admin:view_on_site":
        from warta.newsroom.models import NewsItem

        item = NewsItem.objects.order_by("pk").first()
        content_type = ContentType.objects.get_for_model(NewsItem)
        return {"content_type_id": str(content_type.pk), "object_id": str(item.pk)}
    owner = {
        "admin:auth_user_password_change": "auth.user",
        "admin:otp_totp_totpdevice_config": "otp_totp.totpdevice",
        "admin:otp_totp_totpdevice_qrcode": "otp_totp.totpdevice",
    }.get(route.key)
    if owner is not None:
        from django.apps import apps

        first = apps.get_model(owner)._default_manager.order_by("pk").first()
        return dict.fromkeys(route.converters, str(first.pk))
    return dict.fromkeys(route.converters, "1")


def _path(route, page: Page, ids: dict) -> str | None:
    if route.key.startswith("admin:"):
        values = _admin_args(route)
    else:
        values = {name: str(value) for name, value in page.args(ids).items()}
    if route.regex:
        values.setdefault("url", "tidak-ada/")
    return route.build(values) if (route.converters or route.regex) else "/" + route.route


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="module")
def shared(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, built once for the module (``tests/shared_world.py``)."""
    with shared_world(django_db_blocker, tmp_path_factory.mktemp("world-media")) as built:
        yield built


@pytest.fixture
def world(db, shared, settings, tmp_path):
    """The shared world in this test's savepoint, with its own copy of the media files."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return shared.for_test(settings.MEDIA_ROOT)


def _clients(world) -> dict[str, Client]:
    clients = {}
    for person, user in world.people.items():
        clients[person] = Client(raise_request_exception=False)
        if user is not None:
            sign_in(clients[person], user)
    return clients


def _count(client: Client, path: str, person: str, world) -> tuple[int, int, list[str]]:
    """Status and queries of a second GET of ``path`` (the first warms the caches and the
    session). Time stands still between the two, so the second never refreshes the session's
    last-activity stamp (written at most once a minute)."""
    with time_machine.travel(timezone.now(), tick=False):
        client.get(path)
        if world.people[person] is not None and "_auth_user_id" not in client.session:
            sign_in(client, world.people[person])  # the admin's logout page signs out
            client.get(path)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
    if world.people[person] is not None and "_auth_user_id" not in client.session:
        sign_in(client, world.people[person])
    return response.status_code, len(queries), [query["sql"] for query in queries.captured_queries]


def _visits(world, only_lists: bool = False):
    """(key, person, path, page) of every page to count."""
    for route in routes():
        page = ceiling(route.key)
        if page is None or (only_lists and not page.lists):
            continue
        path = _path(route, page, world.ids)
        if path is None:
            continue
        for person in page.people:
            yield route.key, person, path, page


def _more_news(times: int) -> None:
    """``times`` more copies of the demo news, through the same services as the first."""
    from warta.newsroom.models import NewsItem

    try:
        from warta.demo import news as demo
    except ImportError:
        from warta.newsroom import demo
    for _ in range(times):
        with mock.patch.object(NewsItem.objects, "exists", lambda: False):
            assert demo.create_demo_news()


def _print_tables(measured: dict[str, int]) -> None:
    """What every page takes now, in the form of PAGES and ADMIN_MODELS (before the slack)."""
    models: dict[str, dict[str, int]] = {}
    print("\nPAGES")
    for key, count in measured.items():
        found = _admin_model(key)
        if found is None:
            print(f"    {key!r}: {count},")
        else:
            label = f"{found[0]._meta.app_label}.{found[0]._meta.model_name}"
            models.setdefault(label, {})[found[1]] = count
    print("ADMIN_MODELS")
    for label, kinds in models.items():
        print(f"    {label!r}: {kinds!r},")


def test_every_url_name_has_a_ceiling():
    missing = [
        route.key for route in routes() if route.key not in POST_ONLY and ceiling(route.key) is None
    ]
    assert not missing, f"declare the query ceiling of these pages: {missing}"
    stale = (set(PAGES) | POST_ONLY) - {route.key for route in routes()}
    assert not stale, f"ceilings of URLs that no longer exist: {stale}"


@pytest.mark.django_db
def test_every_page_stays_under_its_ceiling(world):
    clients = _clients(world)
    over, measured = [], {}
    for key, person, path, page in _visits(world):
        status, count, sql = _count(clients[person], path, person, world)
        assert status < 500, f"{path} as {person}: {status}"
        measured[key] = max(measured.get(key, 0), count)
        if count > page.queries:
            over.append(
                f"{key} {path} as {person}: {count} queries > {page.queries}\n    "
                + "\n    ".join(sql)
            )
    if MEASURE:
        _print_tables(measured)
        return
    assert not over, "\n".join(over)


@pytest.mark.django_db
def test_list_pages_do_not_grow_with_the_rows(world):
    clients = _clients(world)
    before = {
        (key, person): _count(clients[person], path, person, world)[1]
        for key, person, path, _page in _visits(world, only_lists=True)
    }
    _more_news(2)
    grew = []
    for key, person, path, _page in _visits(world, only_lists=True):
        _status, count, _sql = _count(clients[person], path, person, world)
        if count != before[(key, person)]:
            grew.append(f"{key} {path} as {person}: {before[(key, person)]} -> {count} queries")
    assert not grew, "\n".join(grew)

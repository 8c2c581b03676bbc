"""No input gives a server error: every URL pattern of the URLconf, with odd values in its
parameters, odd query strings and odd form data, by every method, as every kind of person.

The demo world is built once for the module and each test runs in a savepoint of it
(``tests/shared_world.py``). The crawl signs each person in once and again only when a
crawled page ended the session (``SignedIn`` in ``tests/urlwalk.py``, which reads the test
client's session cookie), and logs only the errors.

Channel accounts' connection tests are crawled too; ``socket.getaddrinfo`` answers every name
but this machine's as unknown, so they fail as offline and never reach the real platforms.

References: https://docs.djangoproject.com/en/5.2/topics/testing/tools/#django.test.Client.cookies,
https://docs.python.org/3/library/socket.html#socket.getaddrinfo,
https://docs.pytest.org/en/stable/how-to/monkeypatch.html,
https://docs.djangoproject.com/en/5.2/ref/urlresolvers/#resolve,
https://docs.djangoproject.com/en/5.2/ref/logging/#django-request
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from tests.shared_world import shared_world
from tests.urlwalk import (
    ADMIN,
    ANONYMOUS,
    API_ACCOUNT,
    METHODS,
    ODD_POST,
    ODD_QUERIES,
    PLH,
    SignedIn,
    odd_values,
    offline_getaddrinfo,
    plausible_post,
    routes,
    sign_in,
)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    """No platform outside is reached: a crawled connection test fails as offline."""
    import socket

    monkeypatch.setattr(socket, "getaddrinfo", offline_getaddrinfo(socket.getaddrinfo))


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


def _odd(route) -> dict[str, list[str]]:
    """The odd values of each parameter of a route (a regex route's one: ``url``)."""
    names = list(route.converters) or ["url"]
    return {
        name: odd_values(route.converters[name])
        if name in route.converters
        else ["tidak-ada/", "0"]
        for name in names
    }


def _values(route, world) -> list[dict[str, str]]:
    """Parameter sets for a route: each odd value in every parameter, and the real ids."""
    if not route.converters and not route.regex:
        return [{}]
    odd = _odd(route)
    real = sorted({str(pk) for pk in world.ids.values()})
    candidates: list[str] = []
    for values in odd.values():
        for value in values + real:
            if value not in candidates:
                candidates.append(value)
    return [dict.fromkeys(odd, value) for value in candidates]


def _paths(route, world) -> list[str]:
    """The distinct paths of a route's parameter sets, in order (a regex part the values do
    not fill, such as the admin's list of app labels, gives the same path for many). A real
    id the route's converter does not take (a slug in an ``<int:pk>``) gives a path that
    reaches no view at all, only the "not found" page; one such path per route is kept for
    that page, the others would repeat it. Every odd value is kept: each matches its
    converter."""
    odd = {value for values in _odd(route).values() for value in values}
    paths: list[str] = []
    unrouted = 0
    for values in _values(route, world):
        path = route.build(values)
        if path is None or path in paths:
            continue
        if not set(values.values()) & odd and not _reaches_a_view(path):
            unrouted += 1
            if unrouted > 1:
                continue
        paths.append(path)
    return paths


def _reaches_a_view(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def _request(client: Client, method: str, url: str, data: dict | None = None):
    if method == "GET":
        return client.get(url)
    if method == "HEAD":
        return client.head(url)
    if method == "POST":
        return client.post(url, data or ODD_POST)
    body = "&".join(f"{key}=x" for key in ODD_POST)
    return getattr(client, method.lower())(
        url, body, content_type="application/x-www-form-urlencoded"
    )


def _is_admin(route) -> bool:
    return route.key.startswith("admin:") or route.route.startswith("admin/")


@contextmanager
def _quiet_client_errors() -> Iterator[None]:
    """The crawl's thousands of 4xx answers are each logged as a warning by ``django.request``;
    only the errors (5xx, exceptions) are worth formatting."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _crawl(client: Client, user, world, *, admin_pages: str = "all") -> list[str]:
    """``admin_pages``: "all" values, "first" value set only, or "none"."""
    failures = []
    # A crawled sign-out, password change or removed second factor must not end the session:
    # whenever one did, the person signs in again (tests/urlwalk.py, SignedIn).
    session = SignedIn(client, user)
    for route in routes():
        paths = _paths(route, world)
        if _is_admin(route):
            if admin_pages == "none":
                continue
            if admin_pages == "first":
                paths = paths[:1]
        session.before_route()
        for number, path in enumerate(paths):
            plausible = plausible_post(world.ids)
            if number == 0:
                # Every method and every odd query string once per route.
                attempts = [("GET", path + query, None) for query in ODD_QUERIES]
                attempts += [(method, path, None) for method in METHODS if method != "GET"]
            else:
                attempts = [("GET", path, None), ("POST", path, None)]
            attempts.append(("POST", path, plausible))
            for method, url, data in attempts:
                response = _request(client, method, url, data)
                if response.status_code >= 500:
                    failures.append(f"{method} {url} [{route.key}] -> {response.status_code}")
                session.after_request()
    return failures


@pytest.mark.django_db
def test_no_url_gives_a_server_error_to_anyone(world):
    """Each kind of person in turn: a visitor, each SOP role, a Plh, an administrator."""
    failures: list[str] = []
    labels = [ANONYMOUS, *world.role_ids, PLH, ADMIN]
    # The admin answers a visitor and every signed-in person without staff status the same way
    # (to the admin sign-in, before any admin code looks at the parameters): as a visitor and
    # as one such person its pages are crawled with one set of values, by the administrator
    # with all of them; the SOP's other roles and the Plh crawl the other pages only.
    admin_pages = {ANONYMOUS: "first", world.role_ids[0]: "first", ADMIN: "all"}
    for label in labels:
        client = Client(raise_request_exception=False)
        with _quiet_client_errors():
            crawled = _crawl(
                client, world.people[label], world, admin_pages=admin_pages.get(label, "none")
            )
        failures += [f"{label}: {line}" for line in crawled]
    assert not failures, "\n".join(failures[:60])


# --- The world's publishing records are real: the crawl reaches what people do with them ------


@pytest.mark.django_db
def test_the_publishing_records_of_the_world_can_be_acted_on(world):
    """The writer records Instagram's address, sends the failed post again and confirms a
    removal by hand, each answered with the status page; the records change as asked."""
    from warta.publishing.models import Publication

    client = Client(raise_request_exception=False)
    sign_in(client, world.people[world.role_ids[0]])
    ids = world.ids
    actions = [
        ("publishing:record", ids["publication"], {"url": "https://www.instagram.com/p/uji123/"}),
        ("publishing:retry", ids["failed_publication"], {}),
        ("publishing:confirm_removed", ids["removal"], {}),
    ]
    for name, pk, data in actions:
        response = client.post(reverse(name, kwargs={"pk": pk}), data)
        assert response.status_code == 302, (name, response.status_code)
    states = dict(
        Publication.objects.filter(
            pk__in=[ids["publication"], ids["failed_publication"], ids["removal"]]
        ).values_list("pk", "state")
    )
    assert states == {
        ids["publication"]: Publication.State.PUBLISHED,
        ids["failed_publication"]: Publication.State.QUEUED,
        ids["removal"]: Publication.State.WITHDRAWN,
    }


@pytest.mark.django_db
def test_a_connection_test_without_a_network_is_reported_not_a_server_error(world):
    from warta.publishing.models import ChannelAccount

    account = ChannelAccount.objects.get(code=API_ACCOUNT)
    client = Client(raise_request_exception=False)
    sign_in(client, world.people[ADMIN])
    response = client.post(reverse("publishing:account_test", kwargs={"pk": account.pk}))
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.check_ok is False and account.checked_at is not None
    assert account.check_result


# --- The refusals that used to be 500s or lost what was typed -------------------------------

NOTE = "Paragraf kedua perlu sumber. Nama narasumber belum lengkap."


@pytest.fixture
def at_review(world):
    """An item waiting at a decision step, and the person whose step it is."""
    from warta.accounts.selectors import users_in_role
    from warta.newsroom.models import NewsItem

    for item in NewsItem.objects.select_related("case").order_by("pk"):
        run = item.case.step_runs.filter(finished_at__isnull=True).first()
        if run is not None and run.kind == "decision":
            return item, run, run.assignee or users_in_role(run.role_id).order_by("pk").first()
    pytest.fail("the demo has no item waiting for a decision")


def _decide(client: Client, item, step_run: int | str, reason: str, branch: str = "kembalikan"):
    return client.post(
        f"/kerja/berita/{item.pk}/aksi/",
        {"step_run": step_run, "action": branch, "reason": reason},
    )


@pytest.mark.django_db
def test_a_step_of_another_item_is_refused_and_the_note_kept(at_review):
    from warta.workflow.models import StepRun

    item, run, person = at_review
    client = Client(raise_request_exception=False)
    client.force_login(person)
    other = StepRun.objects.exclude(case=item.case).order_by("pk").first()
    for step_run in (other.pk, 10**20, 2**63 - 1):
        response = _decide(client, item, step_run, NOTE)
        text = response.content.decode()
        assert response.status_code in (400, 409), step_run
        assert "bukan langkah berita ini" in text or "Permintaan tidak lengkap" in text
        assert NOTE in text  # still in the box
    run.refresh_from_db()
    assert run.finished_at is None


@pytest.mark.django_db
def test_a_note_over_the_limit_is_refused_with_the_reason_and_kept(at_review):
    from warta.workflow.limits import NOTE_MAX_LENGTH

    item, run, person = at_review
    client = Client(raise_request_exception=False)
    client.force_login(person)
    page = client.get(f"/kerja/berita/{item.pk}/").content.decode()
    assert f'maxlength="{NOTE_MAX_LENGTH}"' in page
    assert "newsroom/notes.js" in page

    long_note = NOTE + " " + "x" * NOTE_MAX_LENGTH
    response = _decide(client, item, run.pk, long_note)
    text = response.content.decode()
    assert response.status_code == 400
    assert "Catatan tidak diterima" in text and str(NOTE_MAX_LENGTH) in text
    assert long_note in text
    assert 'aria-invalid="true"' in text
    run.refresh_from_db()
    assert run.finished_at is None

    # Line breaks count once, as the browser counts them for maxlength.
    at_limit = ("a\r\n" * (NOTE_MAX_LENGTH // 2))[: NOTE_MAX_LENGTH + NOTE_MAX_LENGTH // 2]
    assert len(at_limit.replace("\r\n", "\n")) <= NOTE_MAX_LENGTH < len(at_limit)
    assert _decide(client, item, run.pk, at_limit).status_code == 302
    run.refresh_from_db()
    assert run.finished_at is not None and "\r" not in run.note


NEW_NOTE = {
    "title": "Rapat Koordinasi Kehumasan",
    "activity_name": "Rapat koordinasi",
    "place": "Ruang Rapat Direktur",
    "covered_by": "Sari Wulandari",
    "notes": "Catatan liputan yang panjang dan tidak boleh hilang.",
}


@pytest.mark.django_db
@pytest.mark.parametrize("when", ["0001-01-01 00:00", "0001-01-01T00:00", "1999-12-31T23:59"])
def test_an_absurd_activity_date_is_refused_and_the_note_kept(world, when):
    from warta.newsroom.models import NewsItem

    creator = world.people[world.role_ids[0]]
    client = Client(raise_request_exception=False)
    client.force_login(creator)
    before = NewsItem.objects.count()
    response = client.post("/kerja/berita/baru/", {**NEW_NOTE, "activity_at": when})
    text = response.content.decode()
    assert response.status_code == 400
    assert "Periksa tahunnya" in text and "2000" in text
    for value in NEW_NOTE.values():
        assert value in text
    assert NewsItem.objects.count() == before


@pytest.mark.django_db
def test_an_absurd_activity_date_in_the_editor_is_refused_and_kept(world):
    from warta.newsroom.models import NewsItem

    creator = world.people[world.role_ids[0]]
    client = Client(raise_request_exception=False)
    client.force_login(creator)
    editable = None
    for item in NewsItem.objects.order_by("pk"):
        page = client.get(f"/kerja/berita/{item.pk}/sunting/")
        if page.status_code == 200:
            editable = item
            break
    assert editable is not None, "the demo has no item the creator may edit"
    data = {**NEW_NOTE, "activity_at": "0001-01-01T00:00", "base_version": editable.edit_version}
    response = client.post(f"/kerja/berita/{editable.pk}/sunting/", {**data, "body": "<p>Isi</p>"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Periksa tahunnya" in text and NEW_NOTE["notes"] in text
    editable.refresh_from_db()
    assert editable.title != NEW_NOTE["title"]


@pytest.mark.django_db
def test_the_new_note_form_keeps_a_local_copy(world):
    client = Client()
    client.force_login(world.people[world.role_ids[0]])
    page = client.get("/kerja/berita/baru/").content.decode()
    assert 'id="new-item-form"' in page
    assert f'data-draft-key="warta-new-item-{world.people[world.role_ids[0]].pk}"' in page
    assert "data-msg-restore=" in page and "newsroom/notes.js" in page


# --- Error pages: the public website's design for the public, the newsroom's for staff --------


@pytest.fixture
def member_client(humas_sop, make_user):
    client = Client(raise_request_exception=False)
    client.force_login(make_user("penulis", "staf_humas"))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/berita/tidak-ada/", "/tidak-ada/sama/", "/media/r/" + "0" * 64 + ".jpg"]
)
def test_a_public_page_not_found_is_in_the_public_design(client, path):
    response = client.get(path)
    text = response.content.decode()
    assert response.status_code == 404
    assert 'class="site-header"' in text and "tidak ditemukan" in text
    assert 'href="/">Kembali ke beranda</a>' in text


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/kerja/berita/999999/", "/kerja/tidak-ada/"])
def test_a_staff_page_not_found_is_in_the_newsroom_design(member_client, path):
    response = member_client.get(path)
    text = response.content.decode()
    assert response.status_code == 404
    assert 'class="topbar"' in text and 'class="site-header"' not in text
    assert "tidak ditemukan" in text


def _boom(*args, **kwargs):
    raise RuntimeError("simulated failure")


@pytest.mark.django_db
def test_a_public_server_error_is_in_indonesian_and_the_public_design(monkeypatch, settings):
    monkeypatch.setattr("warta.site.views.published_items", _boom)
    client = Client(raise_request_exception=False)
    response = client.get("/")
    text = response.content.decode()
    assert response.status_code == 500
    assert "Terjadi kesalahan" in text and 'class="site-header"' in text
    assert settings.WARTA_INSTITUTION_NAME in text and 'href="/"' in text
    assert "Server Error" not in text


@pytest.mark.django_db
def test_a_staff_server_error_is_in_indonesian_and_the_newsroom_design(member_client, monkeypatch):
    monkeypatch.setattr("warta.newsroom.selectors.inbox", _boom)
    response = member_client.get("/kerja/")
    text = response.content.decode()
    assert response.status_code == 500
    assert "Terjadi kesalahan" in text and 'class="topbar"' in text
    assert "Yang Anda ketik mungkin belum tersimpan" in text
    assert 'href="/kerja/"' in text


def test_the_error_pages_render_without_a_request():
    """A 500 page gets no context processors: both templates render from plain values."""
    from django.template import loader

    for name in ("500.html", "site/500.html"):
        html = loader.get_template(name).render({"institution_name": "Instansi Uji"})
        assert "Instansi Uji" in html and "Terjadi kesalahan" in html


@pytest.mark.django_db
def test_other_methods_are_refused_before_any_view(client):
    for method in ("put", "delete", "patch", "options"):
        response = getattr(client, method)("/")
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD, POST"


@pytest.mark.django_db
def test_a_note_for_a_step_decided_meanwhile_is_shown_to_copy(at_review):
    item, run, person = at_review
    step = item.case.sop.definition().step(run.step_id)
    client = Client(raise_request_exception=False)
    client.force_login(person)
    assert _decide(client, item, run.pk, "", branch=step.branches[0].id).status_code == 302
    late = "Catatan yang terlambat dikirim dari tab lain."
    response = _decide(client, item, run.pk, late, branch=step.branches[0].id)
    text = response.content.decode()
    assert response.status_code == 409
    assert 'id="kept-note"' in text and late in text

"""The authorisation matrix: every URL pattern × every kind of person × every HTTP method.

The patterns come from the URLconf, so a new view cannot be forgotten: a URL name without a
declared expectation fails the test. The people are a visitor, a signed-in person without a
role, each role of the shipped SOP (read from the loaded definition), a Plh acting in the
permission-granting role, and an administrator who passed the second factor.

Outcomes: a status code ("200", "400", "403", "404", "405"), ``LOGIN`` (redirect to Warta's
sign-in page), ``ADMIN_LOGIN`` (redirect to the admin's sign-in, which sends on to Warta's) or
``MOVED`` (any other redirect).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse

from tests.shared_world import shared_world
from tests.urlwalk import ADMIN, ANONYMOUS, METHODS, PLH, SignedIn, routes

NO_ROLE = "norole"
LOGIN, ADMIN_LOGIN, MOVED = "login", "admin-login", "moved"
OK, BAD, DENIED, MISSING, NOT_ALLOWED = "200", "400", "403", "404", "405"
TUS_VERSION_MISSING = "412"  # tus 1.0: Precondition Failed

# The shipped SOP's roles, left to right in its table.
CREATOR, CHECKER, APPROVER = "staf_humas", "kasubbag_umum_rt", "kabag_adm_umum"
SUPERVISORS = (CHECKER, APPROVER, PLH, ADMIN)  # see the whole unit; PLH acts as APPROVER


@dataclass(frozen=True)
class Expect:
    """Per method (GET, HEAD, POST; PUT and DELETE are 405 everywhere), per person: the
    outcome. ``"*"`` is every person not named."""

    args: Callable[[dict], dict] = lambda ids: {}
    get: dict = field(default_factory=dict)
    post: dict = field(default_factory=dict)
    head: dict | None = None  # as GET unless declared

    def outcome(self, method: str, person: str) -> str | None:
        if method in ("PUT", "DELETE"):
            return NOT_ALLOWED
        table = {"POST": self.post, "HEAD": self.head or self.get}.get(method, self.get)
        return table.get(person, table.get("*"))


def members(ok: str = OK, **others: str) -> dict:
    """A staff page: visitors sign in first, people without a role are refused."""
    return {"*": ok, ANONYMOUS: LOGIN, NO_ROLE: DENIED, **others}


def signed_in(ok: str = OK, **others: str) -> dict:
    return {"*": ok, ANONYMOUS: LOGIN, **others}


def staff_only(ok: str = OK) -> dict:
    """An administrators' page: visitors sign in first, everyone else is refused."""
    return {"*": DENIED, ANONYMOUS: LOGIN, ADMIN: ok}


EVERYONE = {"*": OK}
POST_ONLY_GET = {"*": NOT_ALLOWED}  # GET (and HEAD) of a view that only takes POST
NO_POST = {"*": NOT_ALLOWED}  # POST to a page that only shows (require_safe)
ITEM = lambda ids: {"pk": ids["item"]}  # noqa: E731
PUBLISHING_ITEM = lambda ids: {"pk": ids["publishing_item"]}  # noqa: E731
PUBLICATION = lambda ids: {"pk": ids["publication"]}  # noqa: E731
# Who may act on a publication, and is refused because the post sent nothing.
PUBLISHERS_REFUSED = {CREATOR: BAD, ADMIN: BAD}

EXPECTATIONS: dict[str, Expect] = {
    # --- Plumbing open to everyone
    "favicon.ico": Expect(get={"*": MOVED}, post=NO_POST),
    "set_language": Expect(get={"*": MOVED}, post={"*": MOVED}),
    "javascript-catalog": Expect(get=EVERYONE, post=NO_POST),
    # --- Sign-in and one's own account (any signed-in person, role or not)
    "ui:login": Expect(get={"*": MOVED, ANONYMOUS: OK}, post={"*": MOVED, ANONYMOUS: OK}),
    "ui:logout": Expect(get=POST_ONLY_GET, post={"*": LOGIN}),
    "ui:second_factor": Expect(get=signed_in(MOVED), post=signed_in(MOVED)),
    "ui:second_factor_setup": Expect(get=signed_in(), post=signed_in(BAD)),
    "ui:security": Expect(get=signed_in(), post=NO_POST),
    "ui:password_change": Expect(get=signed_in(), post=signed_in(BAD)),
    "ui:recovery_codes": Expect(get=signed_in(MOVED), post=signed_in(MOVED)),
    # --- Notifications: one's own only
    "notify:list": Expect(get=signed_in(), post=NO_POST),
    "notify:count": Expect(get=signed_in(), post=NO_POST),
    "notify:read_all": Expect(get=POST_ONLY_GET, post=signed_in(MOVED)),
    "notify:preferences": Expect(get=signed_in(), post=signed_in()),
    "notify:open": Expect(
        args=lambda ids: {"pk": ids["own_notification"]},
        get=POST_ONLY_GET,
        post=signed_in(MISSING, **{CREATOR: MOVED}),
    ),
    # --- Plh/Plt: role holders and admins appoint; a Plh holds no role of their own
    "accounts:delegations": Expect(get=members(), post=members(BAD, **{PLH: DENIED})),
    "accounts:revoke": Expect(
        args=lambda ids: {"pk": ids["revocable_delegation"]},
        get=POST_ONLY_GET,
        post=members(MOVED),
    ),
    # --- Deviations: one's own; supervisors see everyone's
    "workflow:deviations": Expect(get=members(**{CREATOR: MOVED}), post=NO_POST),
    "workflow:deviation": Expect(
        args=lambda ids: {"pk": ids["deviation"]},
        get=members(),
        # A post without an explanation is a review: refused to the executor (their own).
        post=members(BAD, **{CREATOR: DENIED}),
    ),
    "workflow:person": Expect(
        args=lambda ids: {"user_id": ids["other_user"]},
        get=members(**{CREATOR: DENIED}),
        post=NO_POST,
    ),
    # --- The newsroom
    "newsroom:inbox": Expect(get=members(), post=NO_POST),
    "newsroom:unit": Expect(
        get=members(DENIED, **dict.fromkeys(SUPERVISORS, OK)),
        post=NO_POST,
    ),
    "newsroom:item_new": Expect(get=members(), post=members(BAD)),
    "newsroom:item": Expect(args=ITEM, get=members(), post=NO_POST),
    "newsroom:item_edit": Expect(
        args=lambda ids: {"pk": ids["editable_item"]},
        get=members(MOVED, **{CREATOR: OK}),
        post=members(MOVED, **{CREATOR: BAD}),
    ),
    "newsroom:item_autosave": Expect(args=ITEM, get=POST_ONLY_GET, post=members(BAD)),
    "newsroom:item_action": Expect(args=ITEM, get=POST_ONLY_GET, post=members(BAD)),
    "newsroom:item_revisions": Expect(args=ITEM, get=members(), post=NO_POST),
    # The media of an item being edited: attach a finished upload, ask for the cards still
    # being processed, set a photo's focus point, choose a video's poster frame.
    "newsroom:item_media_add": Expect(args=ITEM, get=POST_ONLY_GET, post=members(MISSING)),
    "newsroom:item_media_status": Expect(args=ITEM, get=members(), post=NO_POST),
    "newsroom:item_media_focus": Expect(
        args=lambda ids: {"pk": ids["item"], "asset_id": ids["item_asset"]},
        get=POST_ONLY_GET,
        post=members(BAD),
    ),
    "newsroom:item_media_poster": Expect(
        args=lambda ids: {"pk": ids["item"], "asset_id": ids["item_asset"]},
        get=POST_ONLY_GET,
        post=members(MOVED),
    ),
    # A draft's original: whoever may see the item (every member), never a visitor.
    "newsroom:media_file": Expect(
        args=lambda ids: {"asset_id": ids["draft_asset"], "spec": "original"},
        get=members(),
        post=NO_POST,
    ),
    # Resumable uploads (tus): members only; a request without the protocol's Tus-Resumable
    # header (as sent here) is refused before anything else.
    "media:tus": Expect(get=members(TUS_VERSION_MISSING), post=members(TUS_VERSION_MISSING)),
    "media:tus_upload": Expect(
        args=lambda ids: {"upload_id": "00000000-0000-4000-8000-000000000000"},
        get=members(TUS_VERSION_MISSING),
        post=members(TUS_VERSION_MISSING),
    ),
    # --- Publishing. Channel accounts: administrators only (the second factor passed).
    "publishing:accounts": Expect(get=staff_only(), post=NO_POST),
    # Without a platform chosen (as sent here) both answer the choice of platform.
    "publishing:account_new": Expect(get=staff_only(), post=staff_only()),
    "publishing:account": Expect(
        args=lambda ids: {"pk": ids["channel_account"]},
        get=staff_only(),
        post=staff_only(BAD),
    ),
    # The website's account: its connection test asks no one outside, and it cannot be
    # deactivated (refused with a message on the account page).
    "publishing:account_test": Expect(
        args=lambda ids: {"pk": ids["website_account"]},
        get=POST_ONLY_GET,
        post=staff_only(MOVED),
    ),
    "publishing:account_deactivate": Expect(
        args=lambda ids: {"pk": ids["website_account"]},
        get=POST_ONLY_GET,
        post=staff_only(MOVED),
    ),
    # An item's channel texts: seen by whoever sees the item; written, while its case is
    # open, by the writers (the SOP's first role) and administrators, who get an empty post
    # (as sent here) back as the form.
    # The texts are edited with the item, by who may edit it (fixed once it is checked).
    "publishing:texts": Expect(
        args=lambda ids: {"pk": ids["editable_item"]},
        get=members(),
        # (its only channel is the website: nothing to save, back to the page)
        post=members(DENIED, **{CREATOR: MOVED}),
    ),
    "publishing:preview": Expect(args=PUBLISHING_ITEM, get=members(), post=NO_POST),
    "publishing:status": Expect(args=PUBLISHING_ITEM, get=members(), post=NO_POST),
    # Withdrawing a published item: the publishing step's role, the roles above it and
    # administrators; a post without a reason (as sent here) is refused with the status page.
    "publishing:withdraw": Expect(
        args=lambda ids: {"pk": ids["published_item"]},
        get=POST_ONLY_GET,
        post=members(DENIED, **PUBLISHERS_REFUSED, **{CHECKER: BAD, APPROVER: BAD, PLH: BAD}),
    ),
    # A correction of a published item: the role of the step its revision loop returns to.
    "publishing:correct": Expect(
        args=lambda ids: {"pk": ids["published_item"]},
        get=POST_ONLY_GET,
        post=members(DENIED, **{CREATOR: BAD}),
    ),
    # A publication of the item at its open publishing step (Instagram, waiting for the post's
    # address): the one who may act on that step, and administrators. Nothing sent, so each is
    # refused with the status page — an address is missing, a channel used by hand is not sent
    # again, and it is no removal to confirm — and nothing changes for the next person.
    "publishing:record": Expect(
        args=PUBLICATION, get=POST_ONLY_GET, post=members(DENIED, **PUBLISHERS_REFUSED)
    ),
    "publishing:retry": Expect(
        args=PUBLICATION, get=POST_ONLY_GET, post=members(DENIED, **PUBLISHERS_REFUSED)
    ),
    "publishing:confirm_removed": Expect(
        args=PUBLICATION, get=POST_ONLY_GET, post=members(DENIED, **PUBLISHERS_REFUSED)
    ),
    # --- The public website
    "site:index": Expect(get=EVERYONE, post=NO_POST),
    "site:article": Expect(args=lambda ids: {"slug": ids["slug"]}, get=EVERYONE, post=NO_POST),
    # A published rendition, by the hash of its bytes: public.
    "site:rendition": Expect(
        args=lambda ids: {"name": ids["rendition"]}, get=EVERYONE, post=NO_POST
    ),
    "site:rss": Expect(get=EVERYONE, post=NO_POST),
    "site:atom": Expect(get=EVERYONE, post=NO_POST),
    "site:sitemap": Expect(get=EVERYONE, post=NO_POST),
    # The world has fewer than eleven published items: no page 2, for anyone alike.
    "site:index_page": Expect(args=lambda ids: {"number": 2}, get={"*": MISSING}, post=NO_POST),
    "site:sitemap_home": Expect(get=EVERYONE, post=NO_POST),
    "site:sitemap_part": Expect(args=lambda ids: {"number": 1}, get=EVERYONE, post=NO_POST),
}

# The admin: only staff who passed the second factor; everyone else is sent to its sign-in.
ADMIN_SIGN_IN = {"admin:login", "admin:logout"}
# What even an administrator may not do there: the audit trail, the cases and their records
# are written only by Warta's services.
ADMIN_REFUSED = {
    "admin:audit_event_add",
    "admin:audit_event_delete",
    "admin:workflow_case_add",
    "admin:workflow_case_delete",
    "admin:workflow_deviation_add",
    "admin:workflow_deviation_delete",
    "admin:newsroom_newsitem_add",
    "admin:newsroom_newsitem_delete",
    "admin:notify_notification_add",
    "admin:notify_notification_delete",
    "admin:notify_outgoingmail_add",
    "admin:notify_outgoingmail_delete",
    # A lockout ends only through the audited unlock actions, never by deleting axes' records.
    "admin:axes_accessattempt_add",
    "admin:axes_accessattempt_delete",
    "admin:axes_accesslog_add",
    "admin:axes_accesslog_delete",
    "admin:axes_accessfailurelog_add",
    "admin:axes_accessfailurelog_delete",
}
ADMIN_READ_ONLY = {"admin:audit_event_change"}  # may be looked at, never saved


def admin_expect(key: str) -> Expect:
    if key == "admin:login":
        get = {"*": DENIED, ANONYMOUS: LOGIN, ADMIN: MOVED}
        return Expect(get=get, post=get)
    if key == "admin:logout":
        return Expect(get={"*": MOVED, ADMIN: NOT_ALLOWED}, post={"*": MOVED, ADMIN: LOGIN})
    outsiders = {"*": ADMIN_LOGIN}
    if key in ADMIN_REFUSED:
        return Expect(get={**outsiders, ADMIN: DENIED}, post={**outsiders, ADMIN: DENIED})
    if key in ADMIN_READ_ONLY:
        return Expect(get={**outsiders, ADMIN: OK}, post={**outsiders, ADMIN: DENIED})
    # Served to the administrator: a page, a redirect inside the admin, or 404/405/403 from
    # the admin's own per-model permissions; checked below not to be a sign-in redirect.
    return Expect(get={**outsiders, ADMIN: "served"}, post={**outsiders, ADMIN: "served"})


def expectation(key: str) -> Expect | None:
    if key in EXPECTATIONS:
        return EXPECTATIONS[key]
    if key.startswith("admin:"):
        return admin_expect(key)
    return None


def _admin_args(route) -> dict:
    """An existing object of the model the admin URL is for, when there is one."""
    from django.contrib import admin

    value = "1"
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        infix = f"/{model._meta.app_label}/{model._meta.model_name}/"
        if route.key.startswith(prefix) or infix in route.key:
            first = model._default_manager.order_by("pk").first()
            value = str(first.pk) if first is not None else value
            break
    return dict.fromkeys(route.converters, value)


def _outcome(response) -> str:
    if response.status_code in (301, 302, 303, 307, 308):
        target = urlsplit(response["Location"]).path
        if target == resolve_url(settings.LOGIN_URL):
            return LOGIN
        if target == reverse("admin:login"):
            return ADMIN_LOGIN
        return MOVED
    return str(response.status_code)


def _matches(expected: str, actual: str) -> bool:
    if expected == "served":
        return actual not in (LOGIN, ADMIN_LOGIN) and not actual.startswith("5")
    return expected == actual


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _add_a_person_without_a_role(world) -> None:
    from django.contrib.auth import get_user_model

    world.people[NO_ROLE] = get_user_model().objects.create_user(
        username="tamu", password="x-test-password"
    )


@pytest.fixture(scope="module")
def shared(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, built once for the module (``tests/shared_world.py``)."""
    media = tmp_path_factory.mktemp("world-media")
    with shared_world(django_db_blocker, media, extra=_add_a_person_without_a_role) as built:
        yield built


@pytest.fixture
def world(db, shared, settings, tmp_path):
    """The shared world in this test's savepoint, with its own copy of the media files."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return shared.for_test(settings.MEDIA_ROOT)


def test_every_url_name_has_a_declared_expectation():
    missing = [route.key for route in routes() if expectation(route.key) is None]
    assert not missing, f"declare who may use these URLs in EXPECTATIONS: {missing}"
    stale = set(EXPECTATIONS) - {route.key for route in routes()}
    assert not stale, f"expectations for URLs that no longer exist: {stale}"


@pytest.mark.django_db
def test_the_matrix(world):
    people = [ANONYMOUS, NO_ROLE, *world.role_ids, PLH, ADMIN]
    clients = {person: Client(raise_request_exception=False) for person in people}
    # Signed in once; again only after a page signed the person out (tests/urlwalk.py).
    sessions = {person: SignedIn(clients[person], world.people[person]) for person in people}
    wrong, undeclared = [], []
    for route in routes():
        expect = expectation(route.key)
        if expect is None:
            continue  # reported by the test above
        if route.key.startswith("admin:"):
            values = _admin_args(route)
        else:
            values = {name: str(value) for name, value in expect.args(world.ids).items()}
        path = route.build(values) if (route.converters or route.regex) else "/" + route.route
        if path is None:
            continue
        for person in people:
            sessions[person].before_route()
            for method in METHODS:
                wanted = expect.outcome(method, person)
                if wanted is None:
                    undeclared.append(f"{route.key} {method} as {person}")
                    continue
                client = clients[person]
                response = getattr(client, method.lower())(path)
                sessions[person].after_request()  # after signing out
                got = _outcome(response)
                if not _matches(wanted, got):
                    wrong.append(f"{method} {path} as {person}: expected {wanted}, got {got}")
    assert not undeclared, "no expectation declared for: " + "; ".join(undeclared[:20])
    assert not wrong, "\n".join(wrong[:80])

"""The URLconf as data, for the tests that visit every page: the crawl for 5xx
(``test_no_5xx``) and the authorisation matrix (``test_access_matrix``).

Every pattern is read from ``django.urls.get_resolver()`` recursively through the includes, so
a view added later is visited without anyone remembering to list it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter, PathConverter, SlugConverter, StringConverter

METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE")


@dataclass(frozen=True)
class Route:
    """One URL pattern: its full route text, its name (``namespace:name``, or the route text
    for an unnamed pattern) and the converters of its parameters."""

    route: str
    name: str
    converters: dict = field(hash=False, compare=False)
    regex: bool = False

    @property
    def key(self) -> str:
        return self.name or self.route

    def build(self, values: dict[str, str]) -> str | None:
        """The path with ``values`` in the parameters, or None when a regex part cannot be
        filled (a regex route is filled by its first alternative)."""
        if self.regex:
            return _fill_regex(self.route, values)
        path = self.route
        for name in self.converters:
            path = re.sub(r"<(?:\w+:)?" + name + ">", values[name], path)
        return "/" + path


def _fill_regex(route: str, values: dict[str, str]) -> str | None:
    text = route.replace("^", "").replace("$", "")

    def group(match: re.Match) -> str:
        name, body = match.group(1), match.group(2)
        if name in values:
            return values[name]
        first = body.split("|")[0]
        return "" if first in {".*", ".+"} else first

    text = re.sub(r"\(\?P<(\w+)>([^)]*)\)", group, text)
    if re.search(r"[()\[\]\\*+?]", text):
        return None
    return "/" + text


def _walk(patterns, prefix: str, namespace: str, converters: dict, regex: bool) -> Iterator[Route]:
    for pattern in patterns:
        text = str(pattern.pattern)
        is_regex = regex or type(pattern.pattern).__name__ == "RegexPattern"
        found = {**converters, **pattern.pattern.converters}
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + text, inner, found, is_regex)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            if not pattern.name and namespace:
                name = f"{namespace}:<{prefix + text}>"
            yield Route(route=prefix + text, name=name or "", converters=found, regex=is_regex)


def routes() -> list[Route]:
    """Every URL pattern of the project, in URLconf order."""
    return list(_walk(get_resolver().url_patterns, "", "", {}, False))


def odd_values(converter) -> list[str]:
    """Values no one should send, for a parameter with this converter."""
    if isinstance(converter, IntConverter):
        return ["0", str(10**20), "9223372036854775807", "2147483648"]
    if isinstance(converter, SlugConverter):
        return ["tidak-ada", "a" * 300, "0"]
    if isinstance(converter, PathConverter):
        return ["0", "-1", str(10**20), "tidak/ada", "%00", "a" * 300]
    if isinstance(converter, StringConverter):
        return ["0", "-1", str(10**20), "tidak-ada", "%00"]
    return ["0", "tidak-ada"]


ODD_QUERIES = (
    "",
    "?page=-1&q=%00&sort=zzz",
    f"?page={10**20}&a={10**20}&b=-1&start=0001-01-01&end=9999-99-99&step=%00&person=-1&kind=zzz",
    "?next=//evil.example/&q=" + "x" * 500 + "&page=abc",
)

# Form fields of every page, filled with values that must be refused politely.
ODD_POST = {
    "step_run": str(10**20),
    "action": "zzz",
    "assignee": "-1",
    "reason": "x" * 6000,
    "title": "\x00",
    "activity_name": "a" * 500,
    "activity_at": "0001-01-01 00:00",
    "place": "x",
    "covered_by": "x",
    "base_version": str(10**20),
    "cover": str(10**20),
    "remove_photo": [str(10**20), "-1"],
    "caption-99999999999999999999": "x",
    "starts_on": "0001-01-01",
    "ends_on": "9999-12-31",
    "kind": "zzz",
    "role": str(10**20),
    "acting": "-1",
    "principal": str(10**20),
    "language": "zz",
    "next": "//evil.example/",
    "explanation": "x" * 20000,
    "username": "\x00",
    "password": "x",
}


@dataclass
class World:
    """A database with the demo news in every stage, and one signed-in person per role."""

    people: dict  # role label -> user (None for the anonymous visitor)
    role_ids: list[str]  # the SOP roles of the shipped definition, in definition order
    ids: dict  # kind of object -> a real primary key


ANONYMOUS, PLH, ADMIN = "anonymous", "plh", "admin"


def build_world(sop) -> World:
    """The shipped SOP's roles each held by one demo person, a Plh acting in the last role (the
    one that grants permission) since today, an administrator, and the demo news."""
    import datetime as dt

    from django.contrib.auth import get_user_model

    from warta.accounts import selectors as accounts
    from warta.accounts.services import appoint_delegation
    from warta.demo import news as demo
    from warta.demo.people import create_demo_users
    from warta.media.models import Rendition
    from warta.newsroom.models import NewsItem, Photo
    from warta.notify.models import Notification
    from warta.workflow.models import Deviation, StepRun

    create_demo_users()
    items = demo.create_demo_news()
    assert items, "the demo news was not created"
    definition = sop.definition()
    role_ids = [role.id for role in definition.roles]
    user_model = get_user_model()
    people: dict = {ANONYMOUS: None}
    for role_id in role_ids:
        people[role_id] = accounts.users_in_role(role_id).order_by("pk").first()
        assert people[role_id] is not None, f"no demo person holds {role_id}"
    people[ADMIN] = user_model.objects.filter(is_superuser=True).order_by("pk").first()
    published = next(item for item in items if item.is_published)
    # Before the Plh below takes over the approving role: its holder still decides.
    publishing_ids = build_publishing(people, role_ids, items, keep=published)
    acting = user_model.objects.create_user(
        username="plh", password="x-test-password", first_name="Pelaksana", last_name="Harian"
    )
    today = accounts.local_date()
    appoint_delegation(
        role_code=role_ids[-1],
        acting=acting,
        principal=people[role_ids[-1]],
        starts_on=today,
        ends_on=today + dt.timedelta(days=2),
        kind="plh",
        reason="Dinas luar",
        appointed_by=people[ADMIN],
    )
    people[PLH] = acting
    # A second, upcoming appointment: the one the pages may revoke.
    upcoming = appoint_delegation(
        role_code=role_ids[1],
        acting=user_model.objects.create_user(username="plt", password="x-test-password"),
        principal=people[role_ids[1]],
        starts_on=today + dt.timedelta(days=7),
        ends_on=today + dt.timedelta(days=9),
        kind="plt",
        reason="Diklat",
        appointed_by=people[ADMIN],
    )
    creator = people[role_ids[0]]
    editing_steps = [step.id for step in definition.steps if step.uses == "newsroom.edit"]
    editable = next(
        item
        for item in items
        if item.case.step_runs.filter(
            finished_at__isnull=True, step_id__in=editing_steps, assignee=creator
        ).exists()
    )
    # The worker's renditions of the published item's media (what its article and the public
    # rendition URLs serve); the other items' media stay "processing", as without a worker.
    from warta.media.tasks import process_asset

    published_assets = [row.asset for row in published.photos.all()]
    published_assets += [row.asset for row in published.videos.all()]
    for asset in published_assets:
        process_asset.call(asset.pk, asset.generation)
    published_rendition = (
        Rendition.objects.filter(asset__news_photo__item=published, spec="web-jpeg")
        .order_by("pk")
        .first()
    )
    assert published_rendition is not None, "the worker made no rendition of the demo photos"
    ids = {
        "item": items[-1].pk,
        "published_item": published.pk,
        "photo": Photo.objects.filter(item=published).first().pk,
        # A photo asset of an item still being written (a draft's media) and a published
        # rendition's public name.
        "item_asset": Photo.objects.filter(item=items[-1]).order_by("pk").first().asset_id,
        "draft_asset": Photo.objects.filter(item__in=[i for i in items if not i.is_published])
        .order_by("pk")
        .first()
        .asset_id,
        "published_asset": published_rendition.asset_id,
        "rendition": PurePosixPath(published_rendition.file.name).name,
        "step_run": StepRun.objects.order_by("pk").first().pk,
        "deviation": getattr(Deviation.objects.order_by("pk").first(), "pk", 1),
        "notification": getattr(Notification.objects.order_by("pk").first(), "pk", 1),
        "user": people[role_ids[0]].pk,
        "slug": published.slug,
        "editable_item": editable.pk,
        "other_user": people[role_ids[1]].pk,
        "own_notification": Notification.objects.filter(recipient=creator).first().pk,
        "revocable_delegation": upcoming.pk,
        **publishing_ids,
    }
    assert NewsItem.objects.count() == len(items) + 1  # the demo's and the one being published
    return World(people=people, role_ids=role_ids, ids=ids)


LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


def offline_getaddrinfo(real):
    """``socket.getaddrinfo`` as on a machine without a network for every name but this
    machine's: the crawl tests channel accounts' connections (Instagram, X …), which must fail
    as they fail offline, never reach the real platforms."""
    import socket

    def lookup(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        if name is None or name in LOCAL_HOSTS:
            return real(host, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known (test: offline)")

    return lookup


# An account used through its API (the starting ones, except the website, are used by hand),
# for a publication that failed.
API_ACCOUNT = "x-otomatis"


def build_publishing(people: dict, role_ids: list[str], items: list, *, keep) -> dict:
    """The publishing records the channel pages show and act on, made through the services:

    - an item at the publishing step: the website is live, the accounts used by hand wait for
      their posts' addresses (``publication``), and the post through an API failed
      (``failed_publication``);
    - another published demo item (not ``keep``) withdrawn: the website is off at once, the
      posts made by hand wait for someone to confirm their removal (``removal``).

    Returns those ids, and the website's and an account's used by hand."""
    from warta.publishing import account_services
    from warta.publishing import services as publishing
    from warta.publishing.models import ChannelAccount, Publication

    admin = people[ADMIN]
    api_account = account_services.save_account(
        user=admin,
        values={"name": "X (otomatis)", "mode": ChannelAccount.Mode.API, "handle": "poltekim"},
        credentials={"access_token": "token-uji"},
        code=API_ACCOUNT,
        platform="x",
    )
    creator = people[role_ids[0]]
    item = _item_at_publishing(people, creator, ["website", "instagram", "facebook", API_ACCOUNT])
    run = item.case.step_runs.get(finished_at__isnull=True)
    publishing.publish(item_id=item.pk, step_run_id=run.pk, user=creator)
    failed = Publication.objects.get(item=item, account=api_account)
    assert publishing.claim(failed.pk) is not None, "the worker could not take the post"
    publishing.record_permanent(
        failed.pk, message="The token was refused.", advice="Connect the account again."
    )
    waiting = Publication.objects.get(item=item, channel="instagram")
    assert waiting.state == Publication.State.NEEDS_MANUAL, waiting.state
    withdrawn = next(one for one in reversed(items) if one.is_published and one.pk != keep.pk)
    removals = publishing.withdraw(
        item_id=withdrawn.pk, user=creator, reason="Data narasumber keliru."
    )
    removal = next(one for one in removals if one.state == Publication.State.NEEDS_MANUAL)
    return {
        "publishing_item": item.pk,
        "publication": waiting.pk,
        "failed_publication": failed.pk,
        "removal": removal.pk,
        "withdrawn_item": withdrawn.pk,
        "website_account": ChannelAccount.objects.get(code="website").pk,
        "channel_account": ChannelAccount.objects.get(code="instagram").pk,
    }


def _item_at_publishing(people: dict, creator, channels: list[str]):
    """A new item driven through the SOP (as the demo drives its stories: every decision
    approved, by the step's assignee or the role's person) up to the step that publishes."""
    import datetime as dt
    import tempfile
    from pathlib import Path

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from warta.demo.images import demo_photo
    from warta.demo.news import approving_branch, is_publish_step
    from warta.media.video import make_demo_video
    from warta.newsroom import services as newsroom
    from warta.workflow.models import StepRun

    with tempfile.TemporaryDirectory(prefix="warta-test-") as folder:
        video = Path(folder) / "video.mp4"
        make_demo_video(video, seconds=1.0, width=320, height=180)
        item = newsroom.create_item(
            user=creator,
            title="Penyuluhan Keimigrasian bagi Pelajar",
            activity_name="Penyuluhan keimigrasian",
            activity_at=timezone.now() - dt.timedelta(hours=2),
            place="Aula Politeknik Imigrasi",
            covered_by="Tim Humas",
            body="<p>Politeknik Imigrasi memberikan penyuluhan keimigrasian.</p>",
            photos=[SimpleUploadedFile("penyuluhan.jpg", demo_photo(7), "image/jpeg")],
            videos=[SimpleUploadedFile("penyuluhan.mp4", video.read_bytes(), "video/mp4")],
        )
    alt = {photo.asset_id: "Peserta penyuluhan di aula" for photo in item.photos.all()}
    newsroom.save_draft(
        item_id=item.pk,
        user=creator,
        base_version=item.edit_version,
        content={},
        channels=channels,
        captions=alt,
        alt_texts=alt,
    )
    definition = item.case.sop.definition()
    for _ in range(len(definition.steps) * 2):
        run = StepRun.objects.select_related("assignee").get(
            case=item.case, finished_at__isnull=True
        )
        step = definition.step(run.step_id)
        if is_publish_step(step):
            item.refresh_from_db()
            return item
        actor = run.assignee or people[run.role_id]
        if step.kind == "decision":
            branch = approving_branch(definition, step).id
            newsroom.decide(item_id=item.pk, step_run_id=run.pk, user=actor, branch=branch)
        else:
            newsroom.submit(item_id=item.pk, step_run_id=run.pk, user=actor)
    raise AssertionError("the item never reached the publishing step")


def plausible_post(ids: dict) -> dict:
    """Form data that looks right except for the ids, which belong to something else."""
    return {
        "step_run": str(ids["step_run"]),
        "action": "setuju",
        "assignee": str(ids["user"]),
        "reason": "Catatan singkat.",
        "title": "Judul berita",
        "activity_name": "Kegiatan",
        "activity_at": "0001-01-01T00:00",
        "place": "Aula",
        "covered_by": "Humas",
        "body": "<p>Isi</p>",
        "base_version": "0",
        "cover": str(ids["photo"]),
        "remove_photo": [str(ids["photo"])],
        "starts_on": "2026-12-01",
        "ends_on": "2026-11-01",
        "kind": "plh",
        "acting": str(ids["user"]),
        "principal": str(ids["user"]),
        "explanation": "Penjelasan.",
        "language": "en",
        "next": "/kerja/",
    }


class SignedIn:
    """Keeps ``user`` (None: a visitor, left alone) signed in on ``client`` through a crawl,
    signing in again only when something the crawl did ended or spoiled the session, instead
    of before every page.

    ``after_request`` costs no query: a sign-out, a second sign-in or a session ended by the
    middleware (idle, password changed) all replace or delete the session cookie.
    ``before_route`` also reads back the session and the account (password, active, staff,
    second-factor devices), which a crawled admin page may change without touching this
    client's cookie."""

    def __init__(self, client, user) -> None:
        self.client, self.user = client, user
        self.state: tuple | None = None
        self.sign_ins = 0
        if user is not None:
            self._sign_in()

    def after_request(self) -> None:
        if self.user is not None and self._cookie() != self.state[0]:
            self._sign_in()

    def before_route(self) -> None:
        if self.user is None:
            return
        from django.contrib.auth import SESSION_KEY

        held = self._cookie() == self.state[0] and self.client.session.get(SESSION_KEY)
        if held != str(self.user.pk) or self._state() != self.state:
            self._sign_in()

    def _sign_in(self) -> None:
        sign_in(self.client, self.user)
        self.state = self._state()
        self.sign_ins += 1

    def _cookie(self) -> str | None:
        from django.conf import settings

        morsel = self.client.cookies.get(settings.SESSION_COOKIE_NAME)
        return morsel.value if morsel is not None else None

    def _state(self) -> tuple:
        from django_otp import devices_for_user

        row = (
            type(self.user)
            ._default_manager.filter(pk=self.user.pk)
            .values_list("password", "is_active", "is_staff", "is_superuser")
            .first()
        )
        devices: tuple = ()
        if row is not None and row[2]:
            devices = tuple(sorted(device.persistent_id for device in devices_for_user(self.user)))
        return self._cookie(), row, devices


def sign_in(client, user) -> None:
    """Sign ``user`` in; staff also pass the second factor (a confirmed authenticator), as an
    administrator in production has."""
    client.force_login(user)
    if not user.is_staff:
        return
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()

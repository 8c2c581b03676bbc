"""The one interface every publishing platform implements.

A *platform* (WordPress, Instagram …) knows how to talk to one kind of service; a *channel
account* (``publishing.models.ChannelAccount``) is one account on it, with its credentials.
The worker builds a platform object for an account and calls it; nothing here touches the
database, so a connector can be tested against a fake server alone.

Errors say what happened in words Staf Humas can act on, and — most important — whether the
request may have been carried out:

- ``Transient``: nothing was created (connection refused, rate limited, server busy before it
  accepted anything); retrying later is safe.
- ``Permanent``: retrying will not help (token expired, media refused, account not allowed);
  a person must act, ``advice`` says what.
- ``Ambiguous``: the request was sent and the answer was lost (timeout, connection reset,
  a 5xx after a create). The post may exist: the worker never resends before ``find`` has
  looked for it (reconciliation).
- ``CannotCheck``: the platform offers no way to look for the post; a person confirms.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO, ClassVar

from django.utils.translation import gettext as _


class ChannelError(Exception):
    """A platform said no, or could not be reached. ``message`` is plain Indonesian (or the
    active language) for Staf Humas; ``advice`` what to do about it."""

    def __init__(self, message: str, *, advice: str = "", retry_after: float | None = None):
        super().__init__(message)
        self.message = message
        self.advice = advice
        self.retry_after = retry_after


class Transient(ChannelError):
    """Nothing was created; the same request may be sent again later (after ``retry_after``
    seconds when the platform said how long)."""


class Permanent(ChannelError):
    """Sending again will not help; a person must act first."""


class TokenExpired(Permanent):
    """The account's access token or password is no longer accepted: reconnect the account."""


class MediaRejected(Permanent):
    """The platform refused a photo or video (size, length, format, aspect ratio)."""


class NotSupported(Permanent):
    """The platform does not allow this (e.g. editing an Instagram post's photo)."""


class Ambiguous(ChannelError):
    """The request may have been carried out: look for the post before sending anything again."""


class CannotCheck(ChannelError):
    """The platform cannot tell whether the post exists; a person must confirm."""


@dataclass(frozen=True)
class MediaFile:
    """One rendition to send: a photo or the web video."""

    kind: str  # "photo" | "video"
    name: str  # the file name to announce (from Warta, never the uploader's name)
    content_type: str
    size: int
    open: Callable[[], BinaryIO]  # opens the bytes for reading
    public_url: str = ""  # where a platform that pulls media (Instagram, TikTok) fetches it
    alt_text: str = ""
    caption: str = ""
    width: int = 0
    height: int = 0
    duration: float | None = None  # seconds, videos only


@dataclass(frozen=True)
class Post:
    """What to publish on one account, prepared by Warta from the item and its per-channel text.

    ``key`` identifies the item on this account for good ("warta-12-3"): retries and
    corrections carry the same key, and reconciliation looks for it (WordPress keeps it as the
    post's slug suffix and meta; social platforms find the post by its caption instead)."""

    key: str
    title: str
    caption: str  # the text of a social post (within the platform's limit), or the excerpt
    body_html: str = ""  # the article (sanitised HTML) for the website and WordPress
    excerpt: str = ""
    link: str = ""  # the article on the institution's website
    photos: tuple[MediaFile, ...] = ()
    video: MediaFile | None = None
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    author: str = ""  # the writer's user name, for platforms that map authors
    revision: int = 1
    item_id: int = 0  # Warta's own id of the item (the built-in website needs it)


@dataclass(frozen=True)
class Remote:
    """A post as the platform knows it."""

    external_id: str
    url: str = ""
    state: str = "published"  # published | processing | withdrawn
    published_at: dt.datetime | None = None
    extra: dict = field(default_factory=dict)  # platform ids worth keeping (media ids …)


@dataclass(frozen=True)
class AccountConfig:
    """What a platform object needs of a channel account (the worker decrypts credentials)."""

    code: str
    name: str
    platform: str
    external_id: str = ""  # page id, Instagram user id, channel id, …
    handle: str = ""  # the public user name, for URLs and manual checks
    base_url: str = ""  # API root; empty = the platform's public one (tests point to fakes)
    credentials: dict[str, str] = field(default_factory=dict)
    options: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ConnectionInfo:
    """What "test connection" learnt: whose account it is and until when the token lives."""

    name: str
    expires_at: dt.datetime | None = None
    detail: str = ""


@dataclass(frozen=True)
class CredentialField:
    """One thing an administrator enters to connect an account."""

    name: str
    label: str
    secret: bool = True
    help: str = ""
    required: bool = True


class Platform:
    """Base class of the connectors. Subclasses set the class attributes and override the
    operations they support; the defaults raise ``NotSupported`` / ``CannotCheck``."""

    code: ClassVar[str] = ""
    name: ClassVar[str] = ""
    caption_limit: ClassVar[int] = 0  # 0 = the platform takes no short caption
    title_limit: ClassVar[int] = 0
    max_photos: ClassVar[int] = 0  # 0 = no photos
    takes_video: ClassVar[bool] = False
    can_update: ClassVar[bool] = False
    can_withdraw: ClassVar[bool] = False
    can_find: ClassVar[bool] = False
    needs_public_media: ClassVar[bool] = False  # media are pulled from ``MediaFile.public_url``
    url_hosts: ClassVar[tuple[str, ...]] = ()  # hosts of the platform's post URLs
    credential_fields: ClassVar[tuple[CredentialField, ...]] = ()
    docs: ClassVar[str] = ""  # the official documentation the connector follows

    def __init__(
        self,
        account: AccountConfig,
        *,
        timeout: float = 30.0,
        progress: Callable[[], None] | None = None,
        save_credentials: Callable[[dict[str, str], dt.datetime | None], None] | None = None,
    ) -> None:
        self.account = account
        self.timeout = timeout
        # Keeps renewed credentials (e.g. a refreshed OAuth token pair, whose old refresh token
        # stops working) with the account, encrypted, with the new expiry; None: not kept.
        self.save_credentials = save_credentials or (lambda credentials, expires_at: None)
        # Called now and then during long work (uploads, status polling) so the worker can
        # show it is alive; never required.
        self.progress = progress or (lambda: None)

    def caption_length(self, text: str) -> int:
        """How the platform counts a caption against ``caption_limit``."""
        return len(text)

    def test_connection(self) -> ConnectionInfo:
        raise NotSupported(self._say(_("%(platform)s has no connection test.")))

    def publish(self, post: Post) -> Remote:
        raise NotSupported(self._say(_("%(platform)s does not allow publishing from Warta.")))

    def update(self, remote: Remote, post: Post) -> Remote:
        raise NotSupported(
            self._say(_("%(platform)s does not allow editing a published post from Warta.")),
            advice=_("Correct the post by hand on the platform."),
        )

    def withdraw(self, remote: Remote) -> None:
        raise NotSupported(
            self._say(_("%(platform)s does not allow Warta to remove a post.")),
            advice=_("Remove the post by hand on the platform."),
        )

    def status(self, remote: Remote) -> Remote | None:
        """The post as the platform sees it now; ``None`` when it is gone."""
        raise CannotCheck(self._say(_("%(platform)s cannot tell Warta whether a post exists.")))

    def find(self, post: Post, since: dt.datetime) -> Remote | None:
        """Look for ``post`` made since ``since`` (reconciliation after an ambiguous outcome):
        the post, or ``None`` when the platform says it is not there."""
        raise CannotCheck(self._say(_("%(platform)s cannot tell Warta whether a post exists.")))

    def _say(self, message: str) -> str:
        return message % {"platform": self.name or self.code}

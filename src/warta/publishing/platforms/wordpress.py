"""WordPress through its REST API (``wp/v2``), signed in with an application password.

What Warta does on a WordPress site:

- **publish**: every photo is uploaded to the media library (the raw bytes with
  ``Content-Disposition``; ``alt_text`` and ``caption`` as arguments of the same request), the
  first one becomes the featured image, the others and the video are added after the article as
  image/video blocks (plain ``<figure><img>`` / ``<video controls>`` HTML that every theme shows).
  Categories and tags are found by name and created when missing. The post is created with
  status ``publish`` and a slug ending in ``Post.key`` ("judul-berita-warta-12-3"); the content
  also carries an invisible ``<!-- warta:KEY -->`` comment so the post can still be found when
  a person changes its slug.
- **update**: title, content, excerpt, featured image, categories and tags are replaced; only
  photos not uploaded before (by Warta's file name, kept in ``Remote.extra``) are uploaded.
  The slug is kept, so links already shared keep working.
- **withdraw**: the post goes to the trash (not deleted for good; a person can restore it).
- **find**: by slug among published, scheduled, draft, pending, private and trashed posts,
  then by searching for the key.

Media uploads are not treated as "creating" requests: until the post is created nothing is
public, and an upload whose answer was lost leaves at most an unused file in the media library;
only the request that creates the post is ``Ambiguous`` when its answer is lost.

Official documentation followed:
- https://developer.wordpress.org/rest-api/using-the-rest-api/discovery/ (the Link header,
  ``/wp-json/`` and ``?rest_route=`` roots)
- https://developer.wordpress.org/rest-api/using-the-rest-api/authentication/ and
  https://make.wordpress.org/core/2020/11/05/application-passwords-integration-guide/
- https://developer.wordpress.org/rest-api/reference/posts/
- https://developer.wordpress.org/rest-api/reference/media/ (create: raw body with
  ``Content-Disposition: attachment; filename=…``)
- https://developer.wordpress.org/rest-api/reference/categories/ and
  https://developer.wordpress.org/rest-api/reference/tags/
- https://developer.wordpress.org/rest-api/reference/users/ (``/wp/v2/users/me``)
- https://developer.wordpress.org/rest-api/using-the-rest-api/global-parameters/ (``context``)
"""

from __future__ import annotations

import datetime as dt
import html
import ipaddress
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from warta.publishing.platforms import http as wire
from warta.publishing.platforms.base import (
    Ambiguous,
    ChannelError,
    ConnectionInfo,
    CredentialField,
    MediaFile,
    MediaRejected,
    Permanent,
    Platform,
    Post,
    Remote,
    TokenExpired,
    Transient,
)

API_RELATION = "https://api.w.org/"
# Every status a post made by Warta can be in, short of being deleted for good.
LIVE_STATUSES = "publish,future,draft,pending,private"
SLUG_MAX = 180  # WordPress keeps 200; "__trashed" is appended when a post goes to the trash
ROLE_ADVICE = gettext_lazy(
    "Give the WordPress user the Editor role (Author is enough to publish, but not to create "
    "categories and tags or to publish as another author)."
)
PASSWORD_ADVICE = gettext_lazy(
    "Create a new application password for the WordPress user (Users → Profile → Application "
    "Passwords) and enter it in Channel accounts."
)


def marker(key: str) -> str:
    """The invisible comment that ties a WordPress post to Warta's key."""
    return f"<!-- warta:{key} -->"


def post_slug(post: Post) -> str:
    """The title as a slug, ending with the key ("judul-berita-warta-12-3")."""
    key = slugify(post.key)
    room = SLUG_MAX - len(key) - 1
    title = slugify(post.title)[:room].strip("-")
    return f"{title}-{key}" if title else key


def parse_authors(option: str) -> dict[str, int]:
    """The ``authors`` option, "warta_user=wp_user_id, …", as a mapping."""
    authors: dict[str, int] = {}
    for entry in option.split(","):
        if not entry.strip():
            continue
        name, sep, number = entry.partition("=")
        if not sep or not name.strip() or not number.strip().isdigit():
            raise Permanent(
                _("The WordPress author mapping has an invalid entry: “%(entry)s”.")
                % {"entry": entry.strip()},
                advice=_(
                    "Write the author mapping as warta_user=WordPress_user_id, separated by "
                    "commas, in the channel account's options."
                ),
            )
        authors[name.strip()] = int(number)
    return authors


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _file_name(name: str) -> str:
    """A file name safe inside a ``Content-Disposition`` header."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")
    return safe or "media"


def _published_at(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
    except ValueError:
        return None


@dataclass(frozen=True)
class ApiRoot:
    """Where the REST API of a site answers: ``https://site/wp-json/`` (pretty permalinks) or
    ``https://site/?rest_route=/`` (plain permalinks)."""

    url: str  # the root with a trailing slash, or the script that takes ``rest_route``
    query_form: bool

    @classmethod
    def from_link(cls, link: str) -> ApiRoot:
        parts = urlsplit(link)
        if "rest_route=" in parts.query:
            return cls(url=link.split("?", 1)[0], query_form=True)
        return cls(url=link if link.endswith("/") else link + "/", query_form=False)

    def target(self, route: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """The URL and query parameters of ``route`` ("/wp/v2/posts")."""
        if self.query_form:
            return self.url, {"rest_route": route, **params}
        return self.url + route.lstrip("/"), params


class WordPress(Platform):
    code = "wordpress"
    name = "WordPress"
    max_photos = 100
    takes_video = True
    can_update = True
    can_withdraw = True
    can_find = True
    credential_fields = (
        CredentialField(
            "username",
            gettext_lazy("WordPress user name"),
            secret=False,
            help=gettext_lazy("The login name of the WordPress user Warta publishes as."),
        ),
        CredentialField(
            "application_password",
            gettext_lazy("Application password"),
            help=gettext_lazy(
                "Created by that user in WordPress under Users → Profile → Application "
                "Passwords (not the login password). The site must use HTTPS."
            ),
        ),
    )
    docs = "https://developer.wordpress.org/rest-api/reference/posts/"

    _root: ApiRoot | None = None

    # --- the interface --------------------------------------------------------------------------
    def test_connection(self) -> ConnectionInfo:
        with self._client() as api:
            user = self._call(api, "GET", "/wp/v2/users/me", params={"context": "edit"})
        capabilities = user.get("capabilities") or {}
        if not (capabilities.get("publish_posts") and capabilities.get("upload_files")):
            raise Permanent(
                _("The WordPress user %(user)s may not publish posts or upload media.")
                % {"user": user.get("username") or self._username},
                advice=str(ROLE_ADVICE),
            )
        return ConnectionInfo(
            name=user.get("name") or user.get("username") or self._username,
            detail=_("WordPress user %(user)s (%(roles)s) at %(site)s.")
            % {
                "user": user.get("username") or self._username,
                "roles": ", ".join(user.get("roles") or ()),
                "site": self.account.base_url,
            },
        )

    def publish(self, post: Post) -> Remote:
        with self._client() as api:
            fields = self._post_fields(api, post)
            media = self._upload_photos(api, post.photos, {})
            video = self._upload_video(api, post.video, None)
            body = {
                **fields,
                "slug": post_slug(post),
                "status": "publish",
                "content": self._content(post, media, video),
                "featured_media": media[0]["id"] if media else 0,
            }
            created = self._call(api, "POST", "/wp/v2/posts", json=body, creates=True)
            self._attach(api, created["id"], media, video)
        return self._remote(created, self._extra(created, media, video))

    def update(self, remote: Remote, post: Post) -> Remote:
        known = dict(remote.extra.get("media") or {})
        with self._client() as api:
            fields = self._post_fields(api, post)
            media = self._upload_photos(api, post.photos, known)
            video = self._upload_video(api, post.video, remote.extra.get("video"))
            body = {
                **fields,
                "content": self._content(post, media, video),
                "featured_media": media[0]["id"] if media else 0,
            }
            updated = self._call(
                api, "POST", f"/wp/v2/posts/{int(remote.external_id)}", json=body, gone_ok=False
            )
            self._attach(api, updated["id"], media, video)
        return self._remote(updated, self._extra(updated, media, video, previous=known))

    def withdraw(self, remote: Remote) -> None:
        with self._client() as api:
            # To the trash, not deleted for good (no ``force``); already trashed or gone is done.
            self._call(api, "DELETE", f"/wp/v2/posts/{int(remote.external_id)}", gone_ok=True)

    def status(self, remote: Remote) -> Remote | None:
        with self._client() as api:
            data = self._call(
                api,
                "GET",
                f"/wp/v2/posts/{int(remote.external_id)}",
                params={"context": "edit"},
                gone_ok=True,
            )
        if not data or data.get("status") == "trash":
            return None
        return self._remote(data, remote.extra)

    def find(self, post: Post, since: dt.datetime) -> Remote | None:
        slug = post_slug(post)
        with self._client() as api:
            found = self._call(
                api,
                "GET",
                "/wp/v2/posts",
                params={
                    "slug": f"{slug},{slug}__trashed",
                    "status": LIVE_STATUSES + ",trash",
                    "context": "edit",
                },
            )
            if not found:
                # A person may have changed the slug: look for the key in the content.
                candidates = self._call(
                    api,
                    "GET",
                    "/wp/v2/posts",
                    params={
                        "search": post.key,
                        "status": LIVE_STATUSES + ",trash",
                        "context": "edit",
                        "per_page": 100,
                    },
                )
                found = [item for item in candidates if self._is_ours(item, post.key)]
        if not found:
            return None
        best = min(found, key=lambda item: (item.get("status") == "trash", item["id"]))
        return self._remote(best, {"slug": best.get("slug", "")})

    # --- building the post ----------------------------------------------------------------------
    def _post_fields(self, api: httpx.Client, post: Post) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "title": post.title,
            "excerpt": post.excerpt or post.caption,
            "categories": [self._term(api, "categories", name) for name in post.categories],
            "tags": [self._term(api, "tags", name) for name in post.tags],
        }
        author = parse_authors(self.account.options.get("authors", "")).get(post.author)
        if author:
            fields["author"] = author
        return fields

    def _content(self, post: Post, media: list[dict], video: dict | None) -> str:
        """The article, then the photos after the first (the featured image) and the video, as
        WordPress blocks whose HTML every theme shows, then the key marker."""
        parts = [post.body_html.strip()]
        for photo in media[1:]:
            caption = (
                f"<figcaption>{html.escape(photo['caption'])}</figcaption>"
                if photo.get("caption")
                else ""
            )
            parts.append(
                f'<!-- wp:image {{"id":{photo["id"]}}} -->\n'
                f'<figure class="wp-block-image"><img src="{html.escape(photo["url"])}" '
                f'alt="{html.escape(photo.get("alt", ""))}" class="wp-image-{photo["id"]}"/>'
                f"{caption}</figure>\n<!-- /wp:image -->"
            )
        if video:
            parts.append(
                f'<!-- wp:video {{"id":{video["id"]}}} -->\n'
                f'<figure class="wp-block-video"><video controls '
                f'src="{html.escape(video["url"])}"></video></figure>\n<!-- /wp:video -->'
            )
        parts.append(marker(post.key))
        return "\n\n".join(part for part in parts if part)

    def _term(self, api: httpx.Client, taxonomy: str, name: str) -> int:
        """The id of the category or tag called ``name``, created when missing."""
        name = name.strip()
        wanted = name.casefold()
        slug = slugify(name)
        found = self._call(
            api, "GET", f"/wp/v2/{taxonomy}", params={"search": name, "per_page": 100}
        )
        for term in found:
            if html.unescape(term.get("name", "")).casefold() == wanted or (
                slug and term.get("slug") == slug
            ):
                return int(term["id"])
        url, params = self._target(api, f"/wp/v2/{taxonomy}", {})
        response = wire.send(
            api, "POST", url, platform=self.name, creates=False, params=params, json={"name": name}
        )
        body = wire.json_or_empty(response)
        if body.get("code") == "term_exists" and isinstance(body.get("data"), dict):
            return int(body["data"]["term_id"])
        if response.status_code == 403:  # signed in, but not allowed (401: not signed in)
            if taxonomy == "categories":
                message = _("WordPress refused to create the category “%(name)s”: %(detail)s")
            else:
                message = _("WordPress refused to create the tag “%(name)s”: %(detail)s")
            raise Permanent(
                message % {"name": name, "detail": self._detail(response, body)},
                advice=_(
                    "Create it in WordPress by hand, or give the WordPress user the Editor role."
                ),
            )
        self._raise_for(response, creates=False)
        return int(body["id"])

    # --- media ----------------------------------------------------------------------------------
    def _upload_photos(
        self, api: httpx.Client, photos: tuple[MediaFile, ...], known: dict[str, dict]
    ) -> list[dict]:
        """Each photo as {id, url, alt, caption, name}; photos in ``known`` (by Warta's file
        name) are not uploaded again, only their alt text and caption brought up to date."""
        uploaded = []
        for photo in photos:
            before = known.get(photo.name)
            if before:
                if (before.get("alt"), before.get("caption")) != (photo.alt_text, photo.caption):
                    self._call(
                        api,
                        "POST",
                        f"/wp/v2/media/{int(before['id'])}",
                        json={"alt_text": photo.alt_text, "caption": photo.caption},
                    )
                uploaded.append({**before, "alt": photo.alt_text, "caption": photo.caption})
            else:
                uploaded.append(self._upload(api, photo))
            self.progress()
        return uploaded

    def _upload_video(
        self, api: httpx.Client, video: MediaFile | None, known: dict | None
    ) -> dict | None:
        if video is None:
            return None
        if known and known.get("name") == video.name:
            return known
        return self._upload(api, video)

    def _upload(self, api: httpx.Client, media: MediaFile) -> dict:
        with media.open() as stream:
            data = stream.read()
        params: dict[str, Any] = {}
        if media.alt_text:
            params["alt_text"] = media.alt_text
        if media.caption:
            params["caption"] = media.caption
        url, params = self._target(api, "/wp/v2/media", params)
        response = wire.send(
            api,
            "POST",
            url,
            platform=self.name,
            creates=False,
            params=params,
            content=data,
            headers={
                "Content-Type": media.content_type,
                "Content-Disposition": f'attachment; filename="{_file_name(media.name)}"',
            },
        )
        self._raise_for(response, creates=False, media=media)
        body = wire.json_or_empty(response)
        self.progress()
        return {
            "id": int(body["id"]),
            "url": body.get("source_url", ""),
            "alt": media.alt_text,
            "caption": media.caption,
            "name": media.name,
        }

    def _attach(
        self, api: httpx.Client, post_id: int, media: list[dict], video: dict | None
    ) -> None:
        """Mark the uploads as belonging to the post (the media library shows where a file is
        used). Best effort: the post exists already, so a failure here must not look like a
        failed publication."""
        for item in [*media, *([video] if video else [])]:
            if item.get("attached") == post_id:
                continue
            try:
                self._call(api, "POST", f"/wp/v2/media/{item['id']}", json={"post": post_id})
                item["attached"] = post_id
            except ChannelError:
                pass

    # --- results --------------------------------------------------------------------------------
    def _extra(
        self,
        data: dict,
        media: list[dict],
        video: dict | None,
        previous: dict[str, dict] | None = None,
    ) -> dict:
        kept = dict(previous or {})
        kept.update({item["name"]: item for item in media})
        return {
            "slug": data.get("slug", ""),
            "media": kept,
            "video": video,
            "featured_media": data.get("featured_media") or 0,
        }

    def _remote(self, data: dict, extra: dict) -> Remote:
        state = {"publish": "published", "future": "processing"}.get(
            data.get("status", ""), "withdrawn"
        )
        return Remote(
            external_id=str(data["id"]),
            url=data.get("link", ""),
            state=state,
            published_at=_published_at(data.get("date_gmt")),
            extra=extra,
        )

    @staticmethod
    def _is_ours(item: dict, key: str) -> bool:
        content = item.get("content") or {}
        raw = content.get("raw", "") if isinstance(content, dict) else ""
        slug = item.get("slug", "").removesuffix("__trashed")
        return marker(key) in raw or slug == slugify(key) or slug.endswith("-" + slugify(key))

    # --- the wire -------------------------------------------------------------------------------
    @property
    def _username(self) -> str:
        return self.account.credentials.get("username", "")

    def _client(self) -> httpx.Client:
        base = self.account.base_url.strip()
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise Permanent(
                _("The WordPress site address “%(url)s” is not a web address.") % {"url": base},
                advice=_("Enter the site's address, e.g. https://www.example.go.id."),
            )
        if (
            parts.scheme == "http"
            and not _is_loopback(parts.hostname)
            and self.account.options.get("allow_http") != "1"
        ):
            raise Permanent(
                _(
                    "The WordPress site address uses http://, so the password would travel "
                    "unencrypted."
                ),
                advice=_(
                    "Use the site's https:// address (WordPress requires HTTPS for "
                    "application passwords)."
                ),
            )
        api = wire.client(base, timeout=self.timeout, headers={"Accept": "application/json"})
        api.auth = httpx.BasicAuth(
            self._username, self.account.credentials.get("application_password", "")
        )
        return api

    def _target(
        self, api: httpx.Client, route: str, params: dict[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        if self._root is None:
            self._root = self._discover(api)
        return self._root.target(route, params)

    def _discover(self, api: httpx.Client) -> ApiRoot:
        """Find the REST API root: the documented Link header of the site's front page, else
        ``/wp-json/``, else ``?rest_route=/``. Discovery requests carry no password."""
        base = self.account.base_url.strip().rstrip("/")
        if "rest_route=" in base or base.endswith("/wp-json"):
            return ApiRoot.from_link(base)
        host = urlsplit(base).hostname
        response = wire.send(api, "HEAD", base + "/", platform=self.name, creates=False, auth=None)
        if response.is_redirect:
            raise Permanent(
                _("The WordPress site address redirects to %(location)s.")
                % {"location": response.headers.get("location", "?")},
                advice=_("Enter the address it redirects to in the channel account."),
            )
        link = response.links.get(API_RELATION, {}).get("url", "")
        if link and urlsplit(link).hostname == host:
            return ApiRoot.from_link(link)
        for candidate in (base + "/wp-json/", base + "/?rest_route=/"):
            response = wire.send(
                api, "GET", candidate, platform=self.name, creates=False, auth=None
            )
            if "wp/v2" in (wire.json_or_empty(response).get("namespaces") or ()):
                return ApiRoot.from_link(candidate)
        raise Permanent(
            _("No WordPress REST API answers at %(url)s.") % {"url": base},
            advice=_(
                "Check the site address; a security plugin may be blocking the REST API "
                "(/wp-json/)."
            ),
        )

    def _call(
        self,
        api: httpx.Client,
        method: str,
        route: str,
        *,
        params: dict[str, Any] | None = None,
        json: dict | None = None,
        creates: bool = False,
        gone_ok: bool | None = None,
    ) -> Any:
        """One JSON request; ``None`` when ``gone_ok`` and the post is gone (404/410)."""
        url, params = self._target(api, route, params or {})
        response = wire.send(
            api, method, url, platform=self.name, creates=creates, params=params, json=json
        )
        if gone_ok and response.status_code in (404, 410):
            return None
        if gone_ok is False and response.status_code == 404:
            raise Permanent(
                _("The post is no longer on WordPress (it was deleted there)."),
                advice=_("Publish the item to this channel again."),
            )
        self._raise_for(response, creates=creates)
        try:
            return response.json()
        except ValueError as exc:
            # A plugin printed something before the JSON: the request may have been carried out.
            error = Ambiguous if creates else Transient
            raise error(
                _("WordPress answered with something that is not JSON (HTTP %(status)s).")
                % {"status": response.status_code}
            ) from exc

    @staticmethod
    def _detail(response: httpx.Response, body: dict) -> str:
        message = html.unescape(str(body.get("message") or "")).strip()
        return message or f"HTTP {response.status_code}"

    def _raise_for(
        self, response: httpx.Response, *, creates: bool, media: MediaFile | None = None
    ) -> None:
        """Map a WordPress error answer to Warta's errors (nothing for a success)."""
        if response.is_success:
            return
        status = response.status_code
        body = wire.json_or_empty(response)
        code = str(body.get("code") or "")
        detail = self._detail(response, body)
        if status == 401 or code in (
            "incorrect_password",
            "invalid_username",
            "rest_not_logged_in",
        ):
            advice = str(PASSWORD_ADVICE)
            if code == "rest_not_logged_in":
                advice += " " + _(
                    "If the password is right, the web server in front of WordPress may be "
                    "dropping the Authorization header."
                )
            raise TokenExpired(
                _(
                    "WordPress did not accept the application password (%(detail)s): it was "
                    "revoked, or the user name is wrong."
                )
                % {"detail": detail},
                advice=advice,
            )
        if status == 413 or code.startswith("rest_upload_"):
            raise MediaRejected(
                _("WordPress refused the file %(file)s: %(detail)s")
                % {"file": media.name if media else "?", "detail": detail},
                advice=_(
                    "Check which file types and sizes the site accepts (the upload limit of "
                    "its PHP and web server, and its allowed file types)."
                ),
            )
        if status in (429, 503):
            raise Transient(
                _("WordPress is busy (HTTP %(status)s).") % {"status": status},
                retry_after=wire.retry_after(response),
            )
        if status >= 500 or status == 408:
            if creates:
                raise Ambiguous(
                    _(
                        "WordPress failed while creating the post (HTTP %(status)s); it may "
                        "have been created."
                    )
                    % {"status": status},
                    advice=_("Warta checks whether the post was made before sending it again."),
                )
            raise Transient(
                _("WordPress failed (HTTP %(status)s): %(detail)s")
                % {"status": status, "detail": detail},
                retry_after=wire.retry_after(response),
            )
        if status == 403 or code in ("rest_cannot_create", "rest_cannot_edit_others"):
            raise Permanent(
                _("WordPress does not allow the user %(user)s to do this: %(detail)s")
                % {"user": self._username, "detail": detail},
                advice=str(ROLE_ADVICE),
            )
        raise Permanent(
            _("WordPress refused the request: %(detail)s") % {"detail": detail},
            advice=_("Check the post and the channel account's settings, then try again."),
        )

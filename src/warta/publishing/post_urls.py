"""Is an address a post of this account? Checked before a post made by hand is recorded."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from warta.publishing.models import ChannelAccount
from warta.workflow.errors import WorkflowError

# Per platform: the hosts of its post addresses and the paths of a post. ``{handle}`` stands
# for the account's user name where the platform puts it in the address.
POST_URLS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "instagram": (("instagram.com", "www.instagram.com"), (r"/(p|reel|tv)/[\w-]+/?",)),
    "facebook": (
        ("facebook.com", "www.facebook.com", "m.facebook.com", "fb.watch"),
        (
            r"/{handle}/(posts|videos|photos)/.+",
            r"/permalink\.php",
            r"/photo/?",
            r"/watch/?",
            r"/share/.+",
            r"/reel/\d+/?",
            r"/\d+/(posts|videos)/.+",
            r"/[\w.-]+/?",
        ),
    ),
    "youtube": (
        ("youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be"),
        (r"/watch", r"/shorts/[\w-]+/?", r"/[\w-]{11}"),
    ),
    "x": (("x.com", "twitter.com", "www.x.com", "www.twitter.com"), (r"/{handle}/status/\d+/?",)),
    "tiktok": (
        ("tiktok.com", "www.tiktok.com", "vm.tiktok.com"),
        (r"/@{handle}/(video|photo)/\d+/?", r"/[\w]+/?"),
    ),
}


class InvalidPostUrl(WorkflowError):
    """An address given for a post made by hand is not a post of the account."""

    code = "invalid-post-url"


def check(account: ChannelAccount, url: str) -> str:
    """``url`` tidied when it is a post of ``account`` on its platform; ``InvalidPostUrl``
    saying what is wrong otherwise. Platforms Warta knows no address form of accept any
    https address."""
    url = url.strip()
    parts = urlsplit(url if "://" in url else f"https://{url}")
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise InvalidPostUrl(_("“%(url)s” is not a web address.") % {"url": url[:200]})
    known = POST_URLS.get(account.platform)
    if known is None:
        if account.base_url and parts.hostname != urlsplit(account.base_url).hostname:
            raise InvalidPostUrl(
                _("The address is not on %(account)s (%(host)s).")
                % {"account": account.name, "host": urlsplit(account.base_url).hostname}
            )
        return parts.geturl()
    hosts, paths = known
    if parts.hostname.lower() not in hosts:
        raise InvalidPostUrl(
            _("The address is not a %(account)s post: it should start with https://%(host)s/.")
            % {"account": account.name, "host": hosts[-1] if len(hosts) > 1 else hosts[0]}
        )
    handle = re.escape(account.handle.lstrip("@")) if account.handle else r"[\w.-]+"
    for pattern in paths:
        if re.fullmatch(pattern.replace("{handle}", handle), parts.path, flags=re.IGNORECASE):
            return parts._replace(scheme="https").geturl()
    if account.handle:
        raise InvalidPostUrl(
            _("The address is not a post of %(handle)s on %(account)s.")
            % {"handle": account.handle, "account": account.name}
        )
    raise InvalidPostUrl(_("The address is not a post on %(account)s.") % {"account": account.name})

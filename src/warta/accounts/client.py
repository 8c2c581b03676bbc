"""The client's address: the one place that decides who is on the other end of a request.

Behind a reverse proxy every request comes from the proxy's address; the proxy names the real
client in ``X-Forwarded-For``. That header is believed only when the request comes from a proxy
listed in ``WARTA_TRUSTED_PROXIES`` (addresses or CIDR networks); anyone else could write it
themselves. The audit trail, the sign-in lockout (django-axes) and the admin network check all
use :func:`client_ip`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from django.conf import settings
from django.http import HttpRequest
from ipware import get_client_ip

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: Iterable[str]) -> list[Network]:
    """``["10.0.0.0/8", "192.0.2.7"]`` as networks; a bad entry raises ``ValueError``."""
    return [ipaddress.ip_network(value.strip().strip("[]"), strict=False) for value in values]


def in_networks(address: str, networks: Iterable[Network]) -> bool:
    """Whether ``address`` (an IP as text, maybe bracketed) lies in one of ``networks``."""
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip.version == network.version and ip in network for network in networks)


def trusted_proxies() -> list[Network]:
    return parse_networks(settings.WARTA_TRUSTED_PROXIES)


def client_ip(request: HttpRequest) -> str:
    """The address of the person making ``request``.

    The peer itself unless it is a trusted proxy; then the right-most address in
    ``X-Forwarded-For`` that is not itself a trusted proxy (each proxy appends the address it
    saw, so entries further left were written by the client and are not believed)."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = trusted_proxies()
    if not proxies or not in_networks(remote, proxies):
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if not hops:
        return remote
    # Trusted proxies at the right end of the chain (a CDN in front of nginx, say) are skipped.
    skipped = 0
    while skipped < len(hops) - 1 and in_networks(hops[-1 - skipped], proxies):
        skipped += 1
    found, _routable = get_client_ip(
        request,
        proxy_order="left-most",
        proxy_count=skipped,
        request_header_order=["HTTP_X_FORWARDED_FOR"],
        strict=False,
    )
    return found or remote

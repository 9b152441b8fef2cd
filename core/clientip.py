"""The address of the person making a request, also behind our reverse proxies.

Behind nginx (or a load balancer) every request arrives from the proxy's address, so
``REMOTE_ADDR`` alone would make all visitors one client: one visitor's ten subscriptions would
lock out everyone, and an attacker's wrong passwords would lock out the front desk. The proxies
append the address they saw to ``X-Forwarded-For``. That header is only as trustworthy as whoever
wrote it, so we read it only when the request came from a proxy listed in ``TRUSTED_PROXIES``, and
walk it from the right, past every trusted proxy, to the first address no proxy of ours vouches
for. A client that talks to the app server directly cannot choose its address by sending the
header, and a client behind the proxy cannot either: anything it wrote stands left of the address
nginx appended.

(django-ipware counts proxies inside the header instead and never checks who sent it, which is
exactly the forgery this guards against, so the rule is written out here.)
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.5:443"
        value = value.split(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def client_ip(request: HttpRequest) -> str:
    """The client's address as a string ("unknown" when even the socket's address is unreadable)."""
    peer = _parse(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return "unknown"
    trusted = _networks(tuple(settings.TRUSTED_PROXIES))
    if not trusted or not any(peer in network for network in trusted):
        return str(peer)
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    client = peer
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            break  # a hop we cannot read was written by someone we do not trust: stop at the last good one
        client = address
        if not any(address in network for network in trusted):
            break
    return str(client)


def axes_client_ip(request: HttpRequest) -> str:
    """django-axes' AXES_CLIENT_IP_CALLABLE: login throttling keys on the same address as our rate limits."""
    return client_ip(request)

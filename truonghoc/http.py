"""The client's address, the one way every app reads it.

Behind a reverse proxy REMOTE_ADDR is the proxy's address, shared by every visitor: rate limits keyed
on it would lock out a whole school (or country) at once. The real address is in X-Forwarded-For,
but the client writes that header too, so only the entries appended by proxies we run can be
believed. Each trusted proxy appends the address it received the request from, so with N trusted
proxies the N-th entry from the right is the address the outermost one saw: the client's. Entries
further left are whatever the client sent and are never read.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(value: str) -> str:
    """`value` as a normalised IP address, or "" when it is not one. Some proxies add the port
    ("203.0.113.7:51234", "[2001:db8::1]:443"); the port is not part of the address."""
    value = value.strip()
    if value.startswith("[") and "]" in value:
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return ""


def client_ip(request: HttpRequest) -> str:
    """The address of the person making `request` ("" only if even REMOTE_ADDR is unusable).

    `settings.TRUSTED_PROXY_COUNT` says how many proxies in front of the site append to
    X-Forwarded-For. With 0 the header is ignored: anyone could send it. A header with fewer entries
    than that (a request that reached us around a proxy, or a misconfigured count) or an entry that is
    not an address falls back to REMOTE_ADDR, the peer we really talk to: a shared limit, never a
    spoofed one and never an error page.
    """
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = request.headers.get("X-Forwarded-For", "")
    entries = forwarded.split(",")
    if not forwarded.strip() or len(entries) < count:
        return remote
    return _address(entries[-count]) or remote

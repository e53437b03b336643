"""Limits per client address on the public Meldpunt pages (form and status lookup).

Each request counts in a window of one clock hour. The client address (as
:func:`regie.core.audit.client_address` sees it) never appears in a cache key or a log: the key
holds a keyed SHA-256 digest (HMAC with the site's secret key) of the scope and the address.
Counting uses Django's cache: ``add`` creates the counter, ``incr`` raises it atomically.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from regie.core.audit import client_address

WINDOW_SECONDS = 3600
#: Scope of the public form: ``REGIE_PUBLIC_FORM_PER_HOUR`` posts per address and hour.
FORM = "melden-form"
#: Scope of the status lookup: :data:`STATUS_PER_HOUR` lookups per address and hour.
STATUS = "melden-status"
STATUS_PER_HOUR = 20


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    #: Seconds until the window ends (for ``Retry-After``).
    retry_after: int


def limit_of(scope: str) -> int:
    if scope == FORM:
        return int(getattr(settings, "REGIE_PUBLIC_FORM_PER_HOUR", 5))
    return STATUS_PER_HOUR


def _bucket(address: str | None) -> str:
    """The client's address; an IPv6 client by its /64 (it holds the whole network)."""
    if not address:
        return "unknown"
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def client_digest(request: HttpRequest, scope: str) -> str:
    """A keyed digest of ``scope`` and the client's address: no address in keys or logs."""
    address = _bucket(client_address(request))
    key = hashlib.sha256(f"regie-ratelimit:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, f"{scope}:{address}".encode(), hashlib.sha256).hexdigest()


def hit(request: HttpRequest, scope: str, *, now: float | None = None) -> Verdict:
    """Count one request of this client in ``scope``; allowed while within the limit."""
    moment = time.time() if now is None else now
    window = int(moment // WINDOW_SECONDS)
    retry_after = max(1, WINDOW_SECONDS - int(moment % WINDOW_SECONDS))
    key = f"regie:ratelimit:{scope}:{window}:{client_digest(request, scope)}"
    cache.add(key, 0, timeout=WINDOW_SECONDS + 60)
    try:
        count = cache.incr(key)
    except ValueError:  # the counter expired between add and incr
        cache.add(key, 1, timeout=WINDOW_SECONDS + 60)
        count = 1
    return Verdict(allowed=count <= limit_of(scope), retry_after=retry_after)

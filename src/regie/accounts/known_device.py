"""The "known device" cookie: proof that this browser completed a login to an account before.

After a complete login (password and, where the account has one, the second factor) the browser
gets a signed, HttpOnly cookie naming the account, a random number for this device and a
fingerprint of the account's secrets (password hash and ``User.security_stamp``). A login attempt
for that account from a browser with a valid cookie skips the account's slow-down and the client
address's (ADR 0004): an attacker elsewhere cannot keep the owner out. Its failures count against a
small budget of its own (``REGIE_KNOWN_DEVICE_FAILURES``). A password change, a password reset and
a cleared second factor make every cookie of the account worthless.

One browser may hold cookies of a few accounts (a shared computer): the cookie is one signed list.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

COOKIE_NAME = "regie_apparaat"
_SALT = "regie.accounts.known-device"
#: At most this many accounts per browser; the oldest is dropped.
MAX_ACCOUNTS = 5


def days() -> int:
    return int(getattr(settings, "REGIE_KNOWN_DEVICE_DAYS", 90))


def failure_budget() -> int:
    return int(getattr(settings, "REGIE_KNOWN_DEVICE_FAILURES", 3))


def fingerprint(user: Any) -> str:
    """Changes with the password and with ``security_stamp`` (a cleared second factor)."""
    value = f"{user.pk}|{user.password}|{getattr(user, 'security_stamp', '')}"
    return salted_hmac(_SALT, value, algorithm="sha256").hexdigest()[:32]


def new_stamp() -> str:
    return secrets.token_hex(16)


@dataclass(frozen=True)
class Entry:
    user_id: int
    device: str
    fingerprint: str
    issued: int  # seconds since the epoch


def _entries(request: HttpRequest) -> list[Entry]:
    raw = request.COOKIES.get(COOKIE_NAME, "")
    if not raw or len(raw) > 4000:
        return []
    try:
        data = signing.loads(raw, salt=_SALT)
    except signing.BadSignature:
        return []
    entries: list[Entry] = []
    if not isinstance(data, list):
        return []
    for item in data[:MAX_ACCOUNTS]:
        try:
            entries.append(Entry(int(item["u"]), str(item["d"]), str(item["f"]), int(item["t"])))
        except (KeyError, TypeError, ValueError):
            continue
    return entries


def _fresh(entry: Entry, now: dt.datetime) -> bool:
    return now.timestamp() - entry.issued <= days() * 24 * 60 * 60


def device_for(request: HttpRequest | None, user: Any) -> str | None:
    """The device number of a valid cookie for ``user`` in ``request``, or None."""
    if request is None or user is None or user.pk is None:
        return None
    now = timezone.now()
    expected = fingerprint(user)
    for entry in _entries(request):
        if (
            entry.user_id == user.pk
            and _fresh(entry, now)
            and constant_time_compare(entry.fingerprint, expected)
        ):
            return entry.device
    return None


def remember(request: HttpRequest, response: HttpResponse, user: Any) -> None:
    """Give this browser (a new) cookie for ``user`` after a complete login."""
    now = timezone.now()
    device = device_for(request, user) or secrets.token_urlsafe(12)
    kept = [e for e in _entries(request) if e.user_id != user.pk and _fresh(e, now)]
    entries = [Entry(user.pk, device, fingerprint(user), int(now.timestamp())), *kept]
    value = signing.dumps(
        [
            {"u": e.user_id, "d": e.device, "f": e.fingerprint, "t": e.issued}
            for e in entries[:MAX_ACCOUNTS]
        ],
        salt=_SALT,
        compress=True,
    )
    response.set_cookie(
        COOKIE_NAME,
        value,
        max_age=days() * 24 * 60 * 60,
        httponly=True,
        secure=bool(settings.SESSION_COOKIE_SECURE or request.is_secure()),
        samesite="Lax",
    )

"""Slowing down password guessing without letting anyone keep the owner out (ADR 0004).

Each attempt runs in one lane, and a lane that had too many failures within
``REGIE_LOCKOUT_MINUTES`` makes each further attempt wait 2, 4, 8, … seconds (at most
``REGIE_LOGIN_MAX_DELAY_SECONDS``) after the previous one. An attempt during the wait is refused
without looking at the password; when it is let through, the next wait is taken at once (a burst
gets one try). The lanes:

- **device**: the browser has a valid known-device cookie for the account
  (:mod:`regie.accounts.known_device`). No wait at all; its failures count against a small budget
  of its own (``REGIE_KNOWN_DEVICE_FAILURES``), after which the cookie gives no way around.
- **known address**: the attempt comes from an address the account completed a login from
  before. A lane of its own per (account, address), so an attacker elsewhere cannot take its turn.
- **account**: every other attempt for the username, from any address, shares one lane: guessing
  goes no faster from a thousand addresses than from one. Kept per attempted username whether or
  not an account has it, so the behaviour says nothing about which names exist.

Apart from that, one client address with ``REGIE_LOCKOUT_ADDRESS_FAILURES`` failures over any
usernames is slowed down the same way (one source spraying many accounts); a valid known-device
cookie goes around that too, so colleagues behind the same NAT address keep logging in.

Time comes from :func:`now` so that tests can move the clock.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from regie.accounts import known_device
from regie.accounts.models import KnownAddress, LoginThrottle, ThrottleScope, User

#: Rows without an account behind them are forgotten after this long without failures.
FORGET_UNKNOWN_AFTER = dt.timedelta(days=1)


def now() -> dt.datetime:
    return timezone.now()


def key_for(username: str) -> str:
    """An attempted username as the throttle keeps it: a keyed hash of the case-folded name, never
    the typed text (people type passwords in the name field); '' for an empty name."""
    name = username.strip().casefold()
    if not name:
        return ""
    return salted_hmac("regie.accounts.throttle.name", name, algorithm="sha256").hexdigest()


def address_digest(address: str) -> str:
    """A client address as it is kept for the throttle: a keyed hash, never the address."""
    return salted_hmac("regie.accounts.throttle.address", address, algorithm="sha256").hexdigest()


def free_failures() -> int:
    return int(getattr(settings, "REGIE_LOCKOUT_FAILURES", 5))


def address_free_failures() -> int:
    return int(getattr(settings, "REGIE_LOCKOUT_ADDRESS_FAILURES", 30))


def window() -> dt.timedelta:
    return dt.timedelta(minutes=float(getattr(settings, "REGIE_LOCKOUT_MINUTES", 15)))


def max_delay() -> int:
    return int(getattr(settings, "REGIE_LOGIN_MAX_DELAY_SECONDS", 60))


def known_for() -> dt.timedelta:
    return dt.timedelta(days=known_device.days())


def delay_after(failures: int, free: int | None = None) -> int:
    """Seconds to wait after ``failures`` failures in the window: 0 until the free ones are used,
    then 2, 4, 8, … up to the maximum."""
    over = failures - (free_failures() if free is None else free)
    if over < 0:
        return 0
    return int(min(max_delay(), 2 ** min(over + 1, 30)))


def _free(scope: str) -> int:
    return address_free_failures() if scope == ThrottleScope.ADDRESS else free_failures()


def _fresh(row: LoginThrottle, at: dt.datetime) -> None:
    """Start a new window when the last failure is older than the window."""
    if row.last_failure_at is not None and at - row.last_failure_at > window():
        row.failures = 0
        row.next_attempt_at = None
        row.refusal_logged_at = None


def _locked(scope: str, key: str) -> LoginThrottle | None:
    return LoginThrottle.objects.select_for_update().filter(scope=scope, key=key).first()


def _wait(row: LoginThrottle | None, at: dt.datetime) -> int:
    if row is None or row.next_attempt_at is None or at >= row.next_attempt_at:
        return 0
    return max(1, math.ceil((row.next_attempt_at - at).total_seconds()))


def _take_turn(row: LoginThrottle | None, at: dt.datetime) -> None:
    """Let this attempt through and take the next wait at once, as if it fails."""
    if row is None:
        return
    wait = delay_after(row.failures + 1, _free(row.scope))
    row.next_attempt_at = at + dt.timedelta(seconds=wait) if wait else None
    row.save(update_fields=["failures", "next_attempt_at", "refusal_logged_at"])


@dataclass(frozen=True)
class Attempt:
    """One password attempt: the lane it ran in, or the wait that refused it."""

    username: str
    account_id: int | None = None
    lane: str = ThrottleScope.ACCOUNT
    lane_key: str = ""
    address_key: str | None = None
    wait: int = 0
    #: The scope whose slow-down refused the attempt ("" when it was let through).
    refused_by: str = ""
    #: Whether this refusal is the first of its window (recorded once in the audit log).
    first_refusal: bool = False


def _refuse(row: LoginThrottle, attempt: Attempt, at: dt.datetime) -> Attempt:
    first = row.refusal_logged_at is None or at - row.refusal_logged_at > window()
    if first:
        row.refusal_logged_at = at
        row.save(update_fields=["refusal_logged_at"])
    return Attempt(
        username=attempt.username,
        account_id=attempt.account_id,
        lane=attempt.lane,
        lane_key=attempt.lane_key,
        address_key=attempt.address_key,
        wait=_wait(row, at),
        refused_by=row.scope,
        first_refusal=first,
    )


def _device_lane(account: User, device: str, at: dt.datetime) -> str | None:
    """The device lane's key while its budget lasts, else None."""
    key = f"{account.pk}:{device}"
    row = _locked(ThrottleScope.DEVICE, key)
    if row is not None:
        _fresh(row, at)
        if row.failures >= known_device.failure_budget():
            return None
    return key


def _is_known(account: User, digest: str, at: dt.datetime) -> bool:
    return KnownAddress.objects.filter(
        user=account, digest=digest, last_login_at__gte=at - known_for()
    ).exists()


@transaction.atomic
def reserve_attempt(
    username: str, *, address: str | None = None, request: HttpRequest | None = None
) -> Attempt:
    """Decide whether an attempt for ``username`` may check its password now.

    ``attempt.wait`` is 0 to go ahead (the attempt's turn is taken), else the seconds still to
    wait. ``request`` carries the known-device cookie.
    """
    key = key_for(username)
    account = User.objects.filter(username__iexact=username.strip()).first() if key else None
    digest = address_digest(address) if address else None
    base = Attempt(username=username, account_id=account.pk if account else None)
    if not key:
        return base
    at = now()
    device = known_device.device_for(request, account) if account is not None else None
    if account is not None and device is not None:
        lane_key = _device_lane(account, device, at)
        if lane_key is not None:
            return Attempt(
                username=username,
                account_id=account.pk,
                lane=ThrottleScope.DEVICE,
                lane_key=lane_key,
                address_key=digest,
            )
    # Rows are locked in one order (address, then lane) so that attempts cannot deadlock.
    address_row = _locked(ThrottleScope.ADDRESS, digest) if digest else None
    if account is not None and digest and _is_known(account, digest, at):
        lane, lane_key = ThrottleScope.KNOWN_ADDRESS, f"{account.pk}:{digest}"
    else:
        lane, lane_key = ThrottleScope.ACCOUNT, key
    attempt = Attempt(
        username=username,
        account_id=base.account_id,
        lane=lane,
        lane_key=lane_key,
        address_key=digest,
    )
    if address_row is not None:
        _fresh(address_row, at)
        if _wait(address_row, at):
            return _refuse(address_row, attempt, at)
    row = _locked(lane, lane_key)
    if row is not None:
        _fresh(row, at)
        if _wait(row, at):
            return _refuse(row, attempt, at)
    _take_turn(row, at)
    _take_turn(address_row, at)
    return attempt


def lane_open_for_device(request: HttpRequest | None, username: str) -> bool:
    """Whether ``request`` has a valid known-device cookie for ``username`` with budget left
    (django-axes' lock-out per address and username lets such an attempt through)."""
    if request is None or not username:
        return False
    account = User.objects.filter(username__iexact=str(username).strip()).first()
    if account is None:
        return False
    device = known_device.device_for(request, account)
    if device is None:
        return False
    row = LoginThrottle.objects.filter(
        scope=ThrottleScope.DEVICE, key=f"{account.pk}:{device}"
    ).first()
    if row is None:
        return True
    _fresh(row, now())
    return row.failures < known_device.failure_budget()


@dataclass(frozen=True)
class Failure:
    """What a failed attempt changed."""

    user: User | None
    failures: int
    #: The account's shared lane just reached its slow-down.
    slowed_down: bool
    #: The client address just reached its slow-down (too many failures over any usernames).
    address_slowed_down: bool
    notify_owner: bool


def _count(
    scope: str, key: str, at: dt.datetime, *, user: User | None, schedule: bool
) -> LoginThrottle:
    row = _locked(scope, key)
    if row is None:
        row, _created = LoginThrottle.objects.select_for_update().get_or_create(
            scope=scope, key=key, defaults={"user": user}
        )
    _fresh(row, at)
    row.failures += 1
    row.last_failure_at = at
    wait = delay_after(row.failures, _free(scope)) if schedule else 0
    if wait:
        row.next_attempt_at = max(row.next_attempt_at or at, at + dt.timedelta(seconds=wait))
    return row


@transaction.atomic
def record_failure(username: str, attempt: Attempt | None = None) -> Failure | None:
    """Count a wrong password for ``username`` in the account, the attempt's lane and the
    client address."""
    key = key_for(username)
    if not key:
        return None
    attempt = attempt or Attempt(username=username)
    at = now()
    account = User.objects.filter(pk=attempt.account_id).first() if attempt.account_id else None
    if account is None and attempt.account_id is None:
        account = User.objects.filter(username__iexact=username.strip()).first()
    address_slowed = False
    if attempt.address_key:
        address_row = _count(
            ThrottleScope.ADDRESS, attempt.address_key, at, user=None, schedule=True
        )
        address_row.save()
        address_slowed = address_row.failures == address_free_failures()
    row = _count(
        ThrottleScope.ACCOUNT,
        key,
        at,
        user=account,
        schedule=attempt.lane == ThrottleScope.ACCOUNT,
    )
    if attempt.lane != ThrottleScope.ACCOUNT and attempt.lane_key:
        lane_row = _count(
            attempt.lane,
            attempt.lane_key,
            at,
            user=account,
            schedule=attempt.lane == ThrottleScope.KNOWN_ADDRESS,
        )
        lane_row.save()
    row.unseen_failures += 1
    if row.unseen_since is None:
        row.unseen_since = at
    slowed_down = row.failures == free_failures()
    notify = (
        row.failures >= free_failures()
        and row.user is not None
        and bool(row.user.email)
        and (row.notified_at is None or at - row.notified_at > window())
    )
    if notify:
        row.notified_at = at
    row.save()
    LoginThrottle.objects.filter(last_failure_at__lt=at - FORGET_UNKNOWN_AFTER).exclude(
        scope=ThrottleScope.ACCOUNT, user__isnull=False
    ).delete()
    return Failure(row.user, row.failures, slowed_down, address_slowed, notify)


@dataclass(frozen=True)
class Unseen:
    """Failed attempts since the previous successful login, for the notice after login."""

    count: int
    since: dt.datetime


@transaction.atomic
def record_success(user: User, attempt: Attempt | None = None) -> Unseen | None:
    """A correct password for ``user``: end the slow-down of the lane it came through and return
    the failures the owner has not been told about.

    A login through the account's shared lane clears the account's slow-down. A login through a
    known device or address leaves the shared lane slowed down (an attacker there keeps waiting).
    """
    lane = attempt.lane if attempt is not None else ThrottleScope.ACCOUNT
    if attempt is not None and lane != ThrottleScope.ACCOUNT and attempt.lane_key:
        LoginThrottle.objects.filter(scope=lane, key=attempt.lane_key).delete()
    row = _locked(ThrottleScope.ACCOUNT, key_for(user.get_username()))
    if row is None:
        return None
    unseen = Unseen(row.unseen_failures, row.unseen_since) if row.unseen_since else None
    if lane == ThrottleScope.ACCOUNT:
        row.delete()
    else:
        row.unseen_failures = 0
        row.unseen_since = None
        row.save(update_fields=["unseen_failures", "unseen_since"])
    return unseen if unseen is not None and unseen.count else None


@transaction.atomic
def remember_address(user: User, address: str | None) -> None:
    """``user`` completed a login from ``address``: it gets a lane of its own there."""
    if not address:
        return
    at = now()
    KnownAddress.objects.update_or_create(
        user=user, digest=address_digest(address), defaults={"last_login_at": at}
    )
    KnownAddress.objects.filter(last_login_at__lt=at - known_for()).delete()


def axes_username(request: HttpRequest, credentials: dict[str, object] | None) -> str:
    """The username as django-axes counts and stores it: the throttle's keyed hash of the
    case-folded name, so its tables hold no typed text (AXES_USERNAME_CALLABLE)."""
    username = (credentials or {}).get("username")
    if username is None and request is not None:
        username = request.POST.get("username", "")
    return key_for(str(username or ""))


def axes_whitelisted(request: HttpRequest, credentials: dict[str, object] | None) -> bool:
    """django-axes skips an attempt with a valid known-device cookie (AXES_WHITELIST_CALLABLE):
    its failures count against the device's own budget instead."""
    username = str((credentials or {}).get("username") or "")
    return lane_open_for_device(request, username)

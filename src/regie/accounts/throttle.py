"""Slowing down password guessing per account, from any address (ADR 0004).

After ``REGIE_LOCKOUT_FAILURES`` failed passwords for one username within
``REGIE_LOCKOUT_MINUTES``, each further attempt for that username has to wait 2, 4, 8, … seconds
(at most ``REGIE_LOGIN_MAX_DELAY_SECONDS``) after the previous one. An attempt during the wait is
refused without looking at the password, so guessing goes no faster from a thousand addresses than
from one. The owner is never locked out: a correct password after the wait always gets in. The
owner gets one e-mail per window when the slow-down starts, and a notice after the next login.

One source that tries many accounts is stopped separately, by django-axes' lock-out per client
address. Time comes from :func:`now` so that tests can move the clock.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from regie.accounts.models import LoginThrottle, User

#: A throttle row of a name that is no account is forgotten after this long without failures.
FORGET_UNKNOWN_AFTER = dt.timedelta(days=1)


def now() -> dt.datetime:
    return timezone.now()


def key_for(username: str) -> str:
    return username.strip().casefold()[:150]


def free_failures() -> int:
    return int(getattr(settings, "REGIE_LOCKOUT_FAILURES", 5))


def window() -> dt.timedelta:
    return dt.timedelta(minutes=float(getattr(settings, "REGIE_LOCKOUT_MINUTES", 15)))


def max_delay() -> int:
    return int(getattr(settings, "REGIE_LOGIN_MAX_DELAY_SECONDS", 60))


def delay_after(failures: int) -> int:
    """Seconds to wait after ``failures`` failures in the window: 0 until the free ones are used,
    then 2, 4, 8, … up to the maximum."""
    over = failures - free_failures()
    if over < 0:
        return 0
    return int(min(max_delay(), 2 ** min(over + 1, 30)))


def _fresh(row: LoginThrottle, at: dt.datetime) -> None:
    """Start a new window when the last failure is older than the window."""
    if row.last_failure_at is not None and at - row.last_failure_at > window():
        row.failures = 0
        row.next_attempt_at = None


@transaction.atomic
def reserve_attempt(username: str) -> int:
    """Seconds the caller must still wait before trying ``username`` (0: go ahead).

    When the account is slowed down and the wait is over, the next wait is taken at once, as if
    this attempt fails (a success clears it): of many attempts sent at the same moment only one
    gets through.
    """
    key = key_for(username)
    if not key:
        return 0
    row = LoginThrottle.objects.select_for_update().filter(key=key).first()
    if row is None:
        return 0
    at = now()
    _fresh(row, at)
    if row.next_attempt_at is not None and at < row.next_attempt_at:
        return max(1, math.ceil((row.next_attempt_at - at).total_seconds()))
    wait = delay_after(row.failures + 1)
    row.next_attempt_at = at + dt.timedelta(seconds=wait) if wait else None
    row.save(update_fields=["failures", "next_attempt_at"])
    return 0


@dataclass(frozen=True)
class Failure:
    """What a failed attempt changed: whether the slow-down just started for this account."""

    user: User | None
    failures: int
    slowed_down: bool
    notify_owner: bool


@transaction.atomic
def record_failure(username: str) -> Failure | None:
    key = key_for(username)
    if not key:
        return None
    at = now()
    row = LoginThrottle.objects.select_for_update().filter(key=key).first()
    if row is None:
        account = User.objects.filter(username__iexact=username.strip()).first()
        row, _created = LoginThrottle.objects.select_for_update().get_or_create(
            key=key, defaults={"user": account}
        )
    _fresh(row, at)
    row.failures += 1
    row.last_failure_at = at
    row.unseen_failures += 1
    if row.unseen_since is None:
        row.unseen_since = at
    wait = delay_after(row.failures)
    if wait:
        row.next_attempt_at = max(row.next_attempt_at or at, at + dt.timedelta(seconds=wait))
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
    LoginThrottle.objects.filter(
        user__isnull=True, last_failure_at__lt=at - FORGET_UNKNOWN_AFTER
    ).delete()
    return Failure(row.user, row.failures, slowed_down, notify)


@dataclass(frozen=True)
class Unseen:
    """Failed attempts since the previous successful login, for the notice after login."""

    count: int
    since: dt.datetime


@transaction.atomic
def record_success(user: User) -> Unseen | None:
    """Clear the slow-down of ``user``; return the failures the owner has not been told about."""
    row = LoginThrottle.objects.select_for_update().filter(key=key_for(user.get_username())).first()
    if row is None:
        return None
    unseen = Unseen(row.unseen_failures, row.unseen_since) if row.unseen_since else None
    row.delete()
    return unseen if unseen is not None and unseen.count else None

"""Asking for the current password again, through the same throttle and audit as the login.

The forms of *Mijn account* that change credentials (e-mail address, password, authenticator
apps) ask for the current password. Each check goes through Django's ``authenticate()``, so it
passes django-axes, the login throttle (:mod:`regie.accounts.throttle`) and the audit of failures
exactly as a login does: a stolen session cannot guess the password faster there (ADR 0004).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from regie.accounts import throttle

#: The session key of the moment the password was last given in this session.
PASSWORD_AT = "regie_password_at"  # noqa: S105 - a session key, no password
#: A password given this recently in the session counts as given for the first app's enrolment.
RECENT = dt.timedelta(minutes=10)


def mark_password_given(request: HttpRequest) -> None:
    request.session[PASSWORD_AT] = int(timezone.now().timestamp())


def password_given_recently(request: HttpRequest) -> bool:
    at = request.session.get(PASSWORD_AT)
    if not isinstance(at, int):
        return False
    return 0 <= timezone.now().timestamp() - at <= RECENT.total_seconds()


def throttled_message() -> str:
    """What a refused attempt is told: no exact wait (that would tell an attacker when to take
    the next turn), and the way around that the owner has."""
    minutes = max(1, math.ceil(throttle.max_delay() / 60))
    return ngettext(
        "Logging in is slowed down for a while after too many failed attempts. Try again in "
        "%(minutes)d minute. On a computer or phone on which you logged in to this account "
        "before, you can log in straight away.",
        "Logging in is slowed down for a while after too many failed attempts. Try again in "
        "%(minutes)d minutes. On a computer or phone on which you logged in to this account "
        "before, you can log in straight away.",
        minutes,
    ) % {"minutes": minutes}


def check_password(request: HttpRequest, user: Any, password: str, *, purpose: str) -> str:
    """Check ``user``'s current password; '' when correct, else what to tell the user.

    ``purpose`` goes into the audit entry of a failure.
    """
    request.regie_password_purpose = purpose  # type: ignore[attr-defined]
    found = authenticate(request, username=user.get_username(), password=password)
    if found is not None and found.pk == user.pk:
        return ""
    if getattr(request, "regie_login_wait", None):
        return throttled_message()
    return _("The current password is not correct.")

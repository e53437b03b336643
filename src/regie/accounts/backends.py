"""The login slow-down per account as an authentication backend (before ModelBackend).

Every password login, whatever view it comes through, passes here. During a wait the attempt is
refused before the password is looked at: the backend raises PermissionDenied, which makes
Django stop and report a failed login; ``request.regie_login_wait`` tells the login form how long
to wait. Otherwise it marks the request as checked (a failure then counts) and lets the next
backend check the password. It has no ``get_user``: it never logs anyone in (and so Django's
test client's ``force_login`` does not pick it).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from regie.accounts import throttle


class LoginThrottleBackend:
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if username is None or password is None:
            return None
        wait = throttle.reserve_attempt(username)
        if wait:
            if request is not None:
                request.regie_login_wait = wait  # type: ignore[attr-defined]
            raise PermissionDenied
        if request is not None:
            request.regie_password_checked = True  # type: ignore[attr-defined]
        return None

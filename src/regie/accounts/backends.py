"""The login slow-down per account as an authentication backend (before ModelBackend).

Every password check, whatever view it comes through (the login, and the current password on
the forms of Mijn account), passes here. During a wait the attempt is refused before the password
is looked at: the backend raises PermissionDenied, which makes Django stop and report a failed
login; ``request.regie_login_wait`` tells the form that it was a wait. Otherwise it keeps the
attempt on the request (``request.regie_login_attempt``: a failure then counts in its lane) and
lets the next backend check the password. It has no ``get_user``: it never logs anyone in (and
so Django's test client's ``force_login`` does not pick it).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from regie.accounts import throttle
from regie.core.audit import client_address


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
        attempt = throttle.reserve_attempt(
            username,
            address=client_address(request) if request is not None else None,
            request=request,
        )
        if request is not None:
            request.regie_login_attempt = attempt  # type: ignore[attr-defined]
        if attempt.wait:
            if request is not None:
                request.regie_login_wait = attempt.wait  # type: ignore[attr-defined]
            raise PermissionDenied
        if request is not None:
            request.regie_password_checked = True  # type: ignore[attr-defined]
        return None

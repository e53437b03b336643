"""Login, logout and failed logins go into the audit log (not into the application log)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from regie.core.models import AuditAction
from regie.core.services import record_event


def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record_event(action=AuditAction.LOGIN, user=user, label=user.get_username())


def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record_event(action=AuditAction.LOGOUT, user=user, label=user.get_username())


def _login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username", ""))[:150]
    record_event(action=AuditAction.LOGIN_FAILED, user=None, label=username or "onbekend")


def connect() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="regie-audit-login")
    user_logged_out.connect(_logged_out, dispatch_uid="regie-audit-logout")
    user_login_failed.connect(_login_failed, dispatch_uid="regie-audit-login-failed")

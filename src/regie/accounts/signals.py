"""Logins, logouts, failures and lock-outs go into the audit log (never the application log),
and feed the per-account slow-down (:mod:`regie.accounts.throttle`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from regie.accounts import events, mail, throttle
from regie.accounts.models import User
from regie.accounts.selectors import invitations_for_account
from regie.core.models import AuditAction


def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    events.record(AuditAction.LOGIN, account=user, actor=user)
    if not isinstance(user, User):
        return
    unseen = throttle.record_success(user)
    if request is not None and invitations_for_account(user).exists():
        messages.info(
            request,
            _("You have been invited to an organisation. Accept or decline it under My account."),
            fail_silently=True,
        )
    if unseen is not None and request is not None:
        since = formats.date_format(timezone.localtime(unseen.since), "DATETIME_FORMAT")
        messages.warning(
            request,
            ngettext(
                "There was %(count)d failed attempt to log in to your account since %(since)s. "
                "Was that not you? Then change your password.",
                "There were %(count)d failed attempts to log in to your account since "
                "%(since)s. Were those not you? Then change your password.",
                unseen.count,
            )
            % {"count": unseen.count, "since": since},
            fail_silently=True,
        )


def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        events.record(AuditAction.LOGOUT, account=user, actor=user)


def _login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username") or "")
    label = events.attempted_name(username)
    account = User.objects.filter(username__iexact=username.strip()).first() if username else None
    if request is not None and getattr(request, "regie_login_wait", None):
        events.record(
            AuditAction.LOCKOUT,
            account=account,
            actor_label=label,
            description=_("attempt refused: the account is slowed down"),
        )
        return
    if request is not None and not getattr(request, "regie_password_checked", False):
        return  # refused by the lock-out per address (recorded by _locked_out)
    events.record(AuditAction.LOGIN_FAILED, account=account, actor_label=label)
    failure = throttle.record_failure(username)
    if failure is None:
        return
    if failure.slowed_down:
        events.record(
            AuditAction.LOCKOUT,
            account=account,
            actor_label=label,
            description=_("account slowed down after %(count)d failed attempts")
            % {"count": failure.failures},
        )
    if failure.notify_owner and failure.user is not None:
        mail.send(
            "login_failures",
            to=failure.user.email,
            context={"user": failure.user, "count": failure.failures},
        )


def _locked_out(sender: Any, request: Any = None, username: Any = None, **kwargs: Any) -> None:
    """django-axes locked the client address out (too many failures from there)."""
    events.record(
        AuditAction.LOCKOUT,
        account=None,
        actor_label=events.attempted_name(username),
        description=_("client address locked out after too many failed logins"),
    )


def connect() -> None:
    from axes.signals import user_locked_out

    user_logged_in.connect(_logged_in, dispatch_uid="regie-audit-login")
    user_logged_out.connect(_logged_out, dispatch_uid="regie-audit-logout")
    user_login_failed.connect(_login_failed, dispatch_uid="regie-audit-login-failed")
    user_locked_out.connect(_locked_out, dispatch_uid="regie-audit-locked-out")

"""Accounts: creation, and the changes only the account itself or installation beheer make."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from regie.accounts import events, mail, sessions, tokens
from regie.accounts.models import EmailChange, User
from regie.core.errors import ServiceError
from regie.core.models import AuditAction

#: How long the confirmation link for a new e-mail address is valid.
EMAIL_CHANGE_VALIDITY = dt.timedelta(days=1)


def now() -> dt.datetime:
    return timezone.now()


@transaction.atomic
def create_user(
    *,
    username: str,
    email: str,
    first_name: str = "",
    last_name: str = "",
    password: str | None = None,
    is_superuser: bool = False,
) -> User:
    """Create a user. Without a password the account can only be activated by a reset link."""
    username = username.strip()
    if not username:
        raise ServiceError(_("A username is required."))
    if User.objects.filter(username__iexact=username).exists():
        raise ServiceError(
            _("The username %(username)r is already in use.") % {"username": username}
        )
    user = User(
        username=username,
        email=email.strip(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        is_superuser=is_superuser,
        is_staff=is_superuser,
    )
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ServiceError(" ".join(exc.messages)) from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def change_own_name(*, user: User, first_name: str, last_name: str) -> User:
    """The account's owner changes the name (shown to every organisation the account is in)."""
    user.first_name = first_name.strip()
    user.last_name = last_name.strip()
    user.save(update_fields=["first_name", "last_name"])
    return user


def _clean_email(email: str) -> str:
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ServiceError(_("Enter a valid email address.")) from exc
    return email


@transaction.atomic
def request_email_change(*, user: User, new_email: str, base_url: str) -> None:
    """Send a confirmation link to ``new_email``; the address changes when it is opened.

    The form has checked the current password (through the login throttle) so that an unattended
    session cannot move the account, and with it password resets and invitations, to another
    mailbox. The link carries a random token whose hash is stored: it shows neither address.
    An earlier pending request of the account is void.
    """
    new_email = _clean_email(new_email)
    if new_email.casefold() == user.email.casefold():
        raise ServiceError(_("This is already the email address of your account."))
    at = now()
    EmailChange.objects.filter(user=user, used_at__isnull=True, expires_at__gt=at).update(
        expires_at=at
    )
    token = tokens.new_token()
    EmailChange.objects.create(
        user=user,
        new_email=new_email,
        old_email=user.email,
        token_hash=tokens.token_hash(token),
        expires_at=at + EMAIL_CHANGE_VALIDITY,
    )
    link = base_url + reverse("accounts:email_confirm", kwargs={"token": token})
    mail.send("email_change_confirm", to=new_email, context={"user": user, "link": link})


@transaction.atomic
def confirm_email_change(*, user: User, token: str, current_session: str | None = None) -> str:
    """Apply the change that ``token`` (from the confirmation mail) opens; the new address.

    Only for the account that asked, within a day, once, and while its address is still the one
    it had then. The account's other sessions end.
    """
    invalid = _("This link is not valid (any more). Request the change again.")
    if not token or len(token) > 100:
        raise ServiceError(invalid)
    change = (
        EmailChange.objects.select_for_update()
        .filter(token_hash=tokens.token_hash(token), used_at__isnull=True, expires_at__gt=now())
        .first()
    )
    if change is None or change.user_id != user.pk:
        raise ServiceError(invalid)
    fresh = User.objects.select_for_update().get(pk=user.pk)
    if change.old_email != fresh.email:
        raise ServiceError(invalid)
    change.used_at = now()
    change.save(update_fields=["used_at"])
    _set_email(fresh, change.new_email, keep_session=current_session)
    user.email = fresh.email
    return fresh.email


def _set_email(user: User, email: str, *, keep_session: str | None = None) -> None:
    """Change the address, record it, tell the old address and end the account's other
    sessions (the one home of this rule)."""
    old = user.email
    if old == email:
        return
    user.email = email
    user.save(update_fields=["email"])
    ended = sessions.end_sessions(user, keep=keep_session)
    events.record(
        AuditAction.EMAIL_CHANGE,
        account=user,
        description=_("other sessions ended: %(count)d") % {"count": ended},
    )
    mail.send("email_changed", to=old, context={"user": user, "new_email": email})


@transaction.atomic
def change_account(
    *,
    account: User,
    first_name: str,
    last_name: str,
    email: str,
    current_session: str | None = None,
) -> User:
    """Installation beheer changes an account's name or address (e.g. after a name change).

    A new address ends the account's sessions (but the acting session, when beheer changes its
    own account)."""
    email = _clean_email(email)
    account.first_name = first_name.strip()
    account.last_name = last_name.strip()
    account.save(update_fields=["first_name", "last_name"])
    _set_email(account, email, keep_session=current_session)
    return account


def user_label(user: Any) -> str:
    return str(user.get_username()) if user is not None else "systeem"


def remove_finished_email_changes(*, dry_run: bool = False) -> int:
    """Remove e-mail change requests that were used or have expired: they hold two addresses of a
    person for no purpose any more (``regie cleanup``). Returns how many (would) go."""
    finished = EmailChange.objects.filter(Q(used_at__isnull=False) | Q(expires_at__lte=now()))
    count = finished.count()
    if not dry_run:
        finished.delete()
    return count

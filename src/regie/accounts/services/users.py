"""Accounts: creation, and the changes only the account itself or installation beheer make."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from regie.accounts import events, mail
from regie.accounts.models import User
from regie.core.errors import ServiceError
from regie.core.models import AuditAction

_EMAIL_CHANGE_SALT = "regie.accounts.email-change"
#: How long the confirmation link for a new e-mail address is valid.
EMAIL_CHANGE_MAX_AGE = 24 * 60 * 60


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


def request_email_change(*, user: User, new_email: str, password: str, base_url: str) -> None:
    """Send a confirmation link to ``new_email``; the address changes when it is opened.

    The current password is asked so that an unattended session cannot move the account (and
    with it password resets and invitations) to another mailbox.
    """
    new_email = _clean_email(new_email)
    if not user.check_password(password):
        raise ServiceError(_("The current password is not correct."))
    if new_email.casefold() == user.email.casefold():
        raise ServiceError(_("This is already the email address of your account."))
    token = signing.dumps(
        {"u": user.pk, "e": new_email, "o": user.email}, salt=_EMAIL_CHANGE_SALT, compress=True
    )
    link = base_url + reverse("accounts:email_confirm", kwargs={"token": token})
    mail.send("email_change_confirm", to=new_email, context={"user": user, "link": link})


@transaction.atomic
def confirm_email_change(*, user: User, token: str) -> str:
    """Apply the change that ``token`` (from the confirmation mail) describes; the new address."""
    try:
        data: dict[str, Any] = signing.loads(
            token, salt=_EMAIL_CHANGE_SALT, max_age=EMAIL_CHANGE_MAX_AGE
        )
    except signing.BadSignature as exc:
        raise ServiceError(
            _("This link is not valid (any more). Request the change again.")
        ) from exc
    fresh = User.objects.select_for_update().get(pk=user.pk)
    if data.get("u") != fresh.pk or data.get("o") != fresh.email:
        raise ServiceError(_("This link is not valid (any more). Request the change again."))
    _set_email(fresh, str(data["e"]))
    user.email = fresh.email
    return fresh.email


def _set_email(user: User, email: str) -> None:
    """Change the address, record it and tell the old address (the one home of this rule)."""
    old = user.email
    if old == email:
        return
    user.email = email
    user.save(update_fields=["email"])
    events.record(AuditAction.EMAIL_CHANGE, account=user)
    mail.send("email_changed", to=old, context={"user": user, "new_email": email})


@transaction.atomic
def change_account(*, account: User, first_name: str, last_name: str, email: str) -> User:
    """Installation beheer changes an account's name or address (e.g. after a name change)."""
    email = _clean_email(email)
    account.first_name = first_name.strip()
    account.last_name = last_name.strip()
    account.save(update_fields=["first_name", "last_name"])
    _set_email(account, email)
    return account


def user_label(user: Any) -> str:
    return str(user.get_username()) if user is not None else "systeem"

"""Use cases for users, roles and 2FA devices. Views and commands call these, never .save()."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from regie.accounts.models import Membership, Role, User
from regie.core.models import Organisation
from regie.core.services import ServiceError


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
def set_role(*, user: User, organisation: Organisation, role: str) -> Membership:
    """Give ``user`` ``role`` in ``organisation`` (creating or changing the membership)."""
    if role not in Role.values:
        raise ServiceError(_("Unknown role: %(role)r.") % {"role": role})
    membership = Membership.objects.filter(user=user, organisation=organisation).first()
    if membership is None:
        membership = Membership(user=user, organisation=organisation, role=role)
        membership.save()
    elif membership.role != role:
        _guard_last_beheerder(membership, new_role=role)
        membership.role = role
        membership.save()
    return membership


@transaction.atomic
def remove_membership(*, membership: Membership) -> None:
    _guard_last_beheerder(membership, new_role=None)
    membership.delete()


def _guard_last_beheerder(membership: Membership, *, new_role: str | None) -> None:
    if membership.role != Role.BEHEERDER or new_role == Role.BEHEERDER:
        return
    others = (
        Membership.objects.select_for_update()
        .filter(organisation=membership.organisation, role=Role.BEHEERDER, user__is_active=True)
        .exclude(pk=membership.pk)
    )
    if not others.exists():
        raise ServiceError(
            _("This is the last beheerder of the organisation. First make someone else beheerder.")
        )


@transaction.atomic
def update_user_details(*, user: User, first_name: str, last_name: str, email: str) -> User:
    user.first_name = first_name.strip()
    user.last_name = last_name.strip()
    user.email = email.strip()
    user.save()
    return user


@transaction.atomic
def reset_two_factor(*, user: User) -> int:
    """Remove the user's TOTP devices; they enrol again at the next login. Returns the count."""
    count, _per_model = TOTPDevice.objects.filter(user=user).delete()
    return int(count)


def start_totp_enrolment(*, user: User) -> TOTPDevice:
    """The user's unconfirmed TOTP device, created when missing."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator-app", confirmed=False)
    return device


@transaction.atomic
def confirm_totp_enrolment(*, device: TOTPDevice, token: str) -> bool:
    if not device.verify_token(token.strip()):
        return False
    device.confirmed = True
    device.save()
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    return True


def user_label(user: Any) -> str:
    return str(user.get_username()) if user is not None else "systeem"

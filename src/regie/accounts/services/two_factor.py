"""Second-factor devices (TOTP authenticator apps) of an account."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from regie.accounts import events
from regie.accounts.models import User
from regie.accounts.permissions import requires_two_factor
from regie.core.errors import ServiceError
from regie.core.models import AuditAction

DEVICE_NAME = "Authenticator-app"


def start_totp_enrolment(*, user: User) -> TOTPDevice:
    """The user's unconfirmed TOTP device, created when missing.

    Callers make sure the session may enrol: a first device after the password, any further
    device only in a session that passed the second factor (``views.setup_2fa``).
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        count = TOTPDevice.objects.filter(user=user, confirmed=True).count()
        name = DEVICE_NAME if count == 0 else f"{DEVICE_NAME} {count + 1}"
        device = TOTPDevice.objects.create(user=user, name=name, confirmed=False)
    return device


@transaction.atomic
def confirm_totp_enrolment(*, device: TOTPDevice, token: str) -> bool:
    if not device.verify_token(token.strip()):
        return False
    device.confirmed = True
    device.save()
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    events.record(AuditAction.DEVICE_ADDED, account=device.user, description=device.name)
    return True


@transaction.atomic
def remove_device(*, user: User, device_id: int) -> TOTPDevice:
    """The owner removes one of their own devices (not the last one while 2FA is required)."""
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, pk=device_id, confirmed=True)
        .first()
    )
    if device is None:
        raise ServiceError(_("This device does not exist (any more)."))
    others = TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk)
    if not others.exists() and requires_two_factor(user):
        raise ServiceError(
            _(
                "This is your only authenticator app and your role requires one. Add another "
                "app first, then remove this one."
            )
        )
    device.delete()
    events.record(AuditAction.DEVICE_REMOVED, account=user, description=device.name)
    return device


@transaction.atomic
def reset_two_factor(*, user: User) -> int:
    """Installation beheer removes all devices of ``user`` (a lost phone, after checking who
    asks). The user enrols a new app at the next login. Returns the count."""
    count, _per_model = TOTPDevice.objects.filter(user=user).delete()
    events.record(
        AuditAction.DEVICE_REMOVED,
        account=user,
        description=_("second factor cleared by installation beheer"),
    )
    return int(count)

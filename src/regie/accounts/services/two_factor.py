"""Second-factor devices (TOTP authenticator apps) of an account.

Enrolment keeps the new key in the enrolling session only (:func:`new_enrolment_key`); the device
row is created when the first code from the app confirms it, so no pending key is shared between
sessions or left for someone else to copy. Adding a further app or removing one asks for the
current password and a code of an app the account already has (the forms check those); the owner
gets an e-mail each time. After installation beheer cleared the second factor, an app is
enrolled only with the one-time enrolment code that installation beheer handed over (ADR 0011).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from regie.accounts import events, known_device, mail, sessions
from regie.accounts.models import EnrolmentCode, User
from regie.accounts.permissions import requires_two_factor
from regie.accounts.services.api_tokens import revoke_personal_tokens
from regie.core.errors import ServiceError
from regie.core.models import AuditAction

DEVICE_NAME = "Authenticator-app"
#: After this many wrong enrolment codes the code is void and installation beheer makes a new one.
ENROLMENT_CODE_ATTEMPTS = 5
#: Characters of an enrolment code: no 0/O, 1/I/L, read out over the phone without doubt.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_CODE_LENGTH = 16


def now() -> dt.datetime:
    return timezone.now()


def new_enrolment_key() -> str:
    """A fresh TOTP key (hex) for one enrolment, kept in that session only."""
    return str(default_key())


def unsaved_device(*, user: User, key: str) -> TOTPDevice:
    """The device an enrolment would create (for its QR code and key); not saved."""
    count = TOTPDevice.objects.filter(user=user, confirmed=True).count()
    name = DEVICE_NAME if count == 0 else f"{DEVICE_NAME} {count + 1}"
    return TOTPDevice(user=user, name=name, key=key, confirmed=False)


def _code_hash(code: str) -> str:
    normalised = "".join(code.split()).replace("-", "").upper()
    return hashlib.sha256(normalised.encode()).hexdigest()


def enrolment_code_validity() -> dt.timedelta:
    return dt.timedelta(hours=int(getattr(settings, "REGIE_ENROLMENT_CODE_HOURS", 72)))


def needs_enrolment_code(user: User) -> bool:
    """Whether installation beheer cleared this account's second factor and an enrolment code
    is asked before a new app is enrolled."""
    return EnrolmentCode.objects.filter(user=user).exists()


def verify_current_code(*, user: User, token: str) -> bool:
    """Whether ``token`` is a current code of one of the account's apps (django-otp throttles)."""
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if device.verify_is_allowed()[0] and device.verify_token(token.strip()):
            return True
    return False


@dataclass(frozen=True)
class _Checked:
    error: str = ""


@transaction.atomic
def _check_enrolment_code(user: User, code: str) -> _Checked:
    """Check (and on success use up) the account's enrolment code; wrong codes are counted."""
    row = EnrolmentCode.objects.select_for_update().filter(user=user).first()
    if row is None:
        return _Checked()
    ask_again = _("Ask the installation's beheer for a new enrolment code.")
    if row.expires_at <= now():
        return _Checked(_("This enrolment code has expired.") + " " + ask_again)
    if not code or not secrets.compare_digest(row.code_hash, _code_hash(code)):
        row.failures += 1
        if row.failures >= ENROLMENT_CODE_ATTEMPTS:
            row.expires_at = now()
            row.save(update_fields=["failures", "expires_at"])
            return _Checked(_("Too many wrong enrolment codes.") + " " + ask_again)
        row.save(update_fields=["failures"])
        return _Checked(_("This enrolment code is not correct."))
    row.delete()
    return _Checked()


def _verify_new_key(key: str, token: str) -> TOTP | None:
    try:
        value = int(token.strip())
        totp = TOTP(bytes.fromhex(key), step=30, t0=0, digits=6)
    except ValueError:
        return None
    totp.time = time.time()
    return totp if totp.verify(value, tolerance=1) else None


def confirm_totp_enrolment(
    *, user: User, key: str, token: str, enrolment_code: str = ""
) -> TOTPDevice | None:
    """Create the device of an enrolment once a first code from the app confirms ``key``.

    None when the code is wrong. A ServiceError when an enrolment code is required and missing,
    wrong or expired. Callers make sure the session may enrol (``views.setup_2fa``) and asked the
    password and, for a further app, a code of an existing one.
    """
    totp = _verify_new_key(key, token)
    if totp is None:
        return None
    checked = _check_enrolment_code(user, enrolment_code)
    if checked.error:
        raise ServiceError(checked.error)
    with transaction.atomic():
        # Pending devices of the old enrolment (a key shared by every session) go.
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = unsaved_device(user=user, key=key)
        device.confirmed = True
        device.last_t = totp.t()
        device.drift = totp.drift
        device.save()
        events.record(AuditAction.DEVICE_ADDED, account=user, description=device.name)
    mail.send(
        "device_added",
        to=user.email,
        context={"user": user, "device": device, "at": timezone.localtime(now())},
    )
    return device


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
    mail.send(
        "device_removed",
        to=user.email,
        context={"user": user, "device": device, "at": timezone.localtime(now())},
    )
    return device


def _new_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, _CODE_LENGTH, 4))


@dataclass(frozen=True)
class TwoFactorReset:
    devices: int
    sessions: int
    #: The enrolment code, shown once to installation beheer; only its hash is stored.
    code: str
    expires_at: dt.datetime


@transaction.atomic
def reset_two_factor(*, user: User, by: Any | None = None) -> TwoFactorReset:
    """Installation beheer removes all devices of ``user`` (a lost phone, after checking who
    asks), ends all the account's sessions and makes its known-device cookies worthless.

    A new app is then enrolled only with the returned one-time enrolment code, which installation
    beheer hands over outside the application; so the password alone cannot enrol one.
    """
    count, _per_model = TOTPDevice.objects.filter(user=user).delete()
    user.security_stamp = known_device.new_stamp()
    user.save(update_fields=["security_stamp"])
    code = _new_code()
    expires_at = now() + enrolment_code_validity()
    EnrolmentCode.objects.filter(user=user).delete()
    EnrolmentCode.objects.create(
        user=user,
        code_hash=_code_hash(code),
        expires_at=expires_at,
        created_by=by if isinstance(by, User) else None,
    )
    ended = sessions.end_sessions(user)
    revoke_personal_tokens(user=user, revoked_by=by if isinstance(by, User) else None)
    events.record(
        AuditAction.DEVICE_REMOVED,
        account=user,
        description=ngettext(
            "second factor cleared by installation beheer; %(count)d session ended; "
            "enrolment code issued",
            "second factor cleared by installation beheer; %(count)d sessions ended; "
            "enrolment code issued",
            ended,
        )
        % {"count": ended},
    )
    mail.send("two_factor_reset", to=user.email, context={"user": user})
    return TwoFactorReset(devices=int(count), sessions=ended, code=code, expires_at=expires_at)

"""Invitations: how a person gets a role in an organisation with their own consent (ADR 0011).

A beheerder never looks accounts up. The invitation goes to an e-mail address; whoever holds that
mailbox accepts with an account of their own (logging in, or creating one from the link), or an
account whose address it is sees it on its profile page. The beheerder's page says the same
whether or not an account with that address exists anywhere.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from regie.accounts import events, mail, navigation, tokens
from regie.accounts.models import Invitation, Membership, Role, User
from regie.accounts.services.memberships import set_role
from regie.accounts.services.users import _clean_email, create_user
from regie.core import audit
from regie.core.errors import ServiceError
from regie.core.models import AuditAction, Organisation

#: Who declined, as the inviting organisation's log names it (not the account).
INVITEE = "genodigde"


def validity() -> dt.timedelta:
    return dt.timedelta(days=int(getattr(settings, "REGIE_INVITATION_DAYS", 7)))


#: Invitations one organisation may send within an hour: each is a mail to an address the
#: beheerder typed, so without a bound the installation could be used to send mail in bulk.
INVITATIONS_PER_HOUR = 20


@transaction.atomic
def invite(
    *, organisation: Organisation, email: str, role: str, invited_by: User, base_url: str
) -> Invitation:
    """Send an invitation for ``role`` in ``organisation`` to ``email``.

    An earlier pending invitation of the same organisation to the same address is cancelled.
    """
    email = _clean_email(email)
    if role not in Role.values:
        raise ServiceError(_("Unknown role: %(role)r.") % {"role": role})
    now = timezone.now()
    sent = Invitation.objects.filter(
        organisation=organisation, created_at__gte=now - dt.timedelta(hours=1)
    ).count()
    if sent >= INVITATIONS_PER_HOUR:
        raise ServiceError(
            _(
                "%(n)s invitations have been sent for this organisation in the last hour, the "
                "most that is accepted. Try again later."
            )
            % {"n": sent}
        )
    for old in Invitation.objects.pending(now).filter(
        organisation=organisation, email__iexact=email
    ):
        old.cancelled_at = now
        old.save(update_fields=["cancelled_at"])
    token = tokens.new_token()
    invitation = Invitation.objects.create(
        organisation=organisation,
        role=role,
        email=email,
        token_hash=tokens.token_hash(token),
        expires_at=now + validity(),
        invited_by=invited_by,
    )
    events.record(
        AuditAction.INVITATION,
        account=None,
        organisation=organisation,
        description=_("invitation to %(email)s as %(role)s")
        % {"email": email, "role": invitation.get_role_display()},
    )
    link = base_url + reverse("accounts:invitation", kwargs={"token": token})
    mail.send(
        "invitation",
        to=email,
        context={
            "invitation": invitation,
            "link": link,
            "days": validity().days,
            "role_summary": navigation.role_summary(invitation.role, organisation),
        },
    )
    return invitation


def invitation_by_token(token: str) -> Invitation | None:
    """The pending invitation that ``token`` (from the mail) opens, or None."""
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.pending()
        .select_related("organisation")
        .filter(token_hash=tokens.token_hash(token), organisation__is_active=True)
        .first()
    )


@transaction.atomic
def cancel_invitation(*, invitation: Invitation) -> None:
    fresh = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not fresh.is_pending:
        raise ServiceError(_("This invitation has already been answered, cancelled or expired."))
    fresh.cancelled_at = timezone.now()
    fresh.save(update_fields=["cancelled_at"])
    events.record(
        AuditAction.INVITATION,
        account=None,
        organisation=fresh.organisation,
        description=_("invitation to %(email)s cancelled") % {"email": fresh.email},
    )


def _answerable(invitation: Invitation) -> Invitation:
    fresh = (
        Invitation.objects.select_for_update().select_related("organisation").get(pk=invitation.pk)
    )
    if not fresh.is_pending or not fresh.organisation.is_active:
        raise ServiceError(_("This invitation has already been answered, cancelled or expired."))
    return fresh


def is_for_account(invitation: Invitation, user: User) -> bool:
    """Whether ``invitation`` went to the e-mail address of ``user`` (case-insensitive)."""
    return bool(user.email) and user.email.casefold() == invitation.email.casefold()


def wrong_address_message() -> str:
    return _(
        "This invitation was sent to another email address than the one of your account. "
        "Ask the beheerder of the organisation to invite the email address of your account. "
        "You can see that address under My account."
    )


@transaction.atomic
def accept_invitation(*, invitation: Invitation, user: User) -> Membership:
    """``user`` (logged in: the consent of the account itself) takes the invited role.

    Only an account whose e-mail address the invitation went to: a forwarded or intercepted link
    gives no role to another account.
    """
    fresh = _answerable(invitation)
    if not is_for_account(fresh, user):
        raise ServiceError(wrong_address_message())
    membership = set_role(user=user, organisation=fresh.organisation, role=fresh.role)
    fresh.accepted_at = timezone.now()
    fresh.accepted_by = user
    fresh.save(update_fields=["accepted_at", "accepted_by"])
    events.record(
        AuditAction.LINK_CONSENT,
        account=user,
        organisation=fresh.organisation,
        description=_("accepted the invitation as %(role)s") % {"role": fresh.get_role_display()},
    )
    return membership


@transaction.atomic
def decline_invitation(*, invitation: Invitation, user: User | None) -> None:
    """Decline ``invitation``. The organisation learns that its invitation to that address was
    declined, not which account (if any) declined it."""
    fresh = _answerable(invitation)
    if user is not None and not is_for_account(fresh, user):
        raise ServiceError(wrong_address_message())
    fresh.declined_at = timezone.now()
    # Neither the change nor the event names the account or its client address, and they are
    # not linked (one group) to anything else the account's request writes.
    with (
        audit.grouped(separate=True),
        audit.acting_as(None, label=INVITEE),
        audit.from_address(None),
    ):
        fresh.save(update_fields=["declined_at"])
        events.record(
            AuditAction.INVITATION,
            account=None,
            organisation=fresh.organisation,
            actor_label=INVITEE,
            description=_("invitation to %(email)s declined") % {"email": fresh.email},
        )


@transaction.atomic
def create_account_from_invitation(
    *,
    invitation: Invitation,
    username: str,
    first_name: str,
    last_name: str,
    password: str,
) -> User:
    """A new account for the invited person, with the invitation's (proven) e-mail address."""
    fresh = _answerable(invitation)
    if User.objects.filter(email__iexact=fresh.email, is_active=True).exists():
        raise ServiceError(
            _(
                "There already is an account with this email address. Log in with it to "
                "accept the invitation."
            )
        )
    user = create_user(
        username=username,
        email=fresh.email,
        first_name=first_name,
        last_name=last_name,
        password=password,
    )
    accept_invitation(invitation=fresh, user=user)
    return user

"""Reads of the accounts app: members, invitations, accounts, and the audit log per audience."""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Cast

from regie.accounts.events import EVENT
from regie.accounts.models import Invitation, Membership, User
from regie.core import selectors as core_selectors
from regie.core.models import SECURITY_ACTIONS, AuditEntry, Organisation


def members(organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__username")
    )


def pending_invitations(organisation: Organisation) -> QuerySet[Invitation]:
    return (
        Invitation.objects.pending()
        .filter(organisation=organisation)
        .select_related("invited_by")
        .order_by("email")
    )


def invitations_for_account(user: Any) -> QuerySet[Invitation]:
    """Pending invitations to the address of ``user`` (shown on the profile page).

    An account's address changes only after a link sent to the new address was opened, so the
    address is one the account's owner holds.
    """
    email = str(getattr(user, "email", "") or "")
    if not email:
        return Invitation.objects.none()
    return (
        Invitation.objects.pending()
        .filter(email__iexact=email, organisation__is_active=True)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def invitation_for_account(user: Any, invitation_id: int) -> Invitation | None:
    return invitations_for_account(user).filter(pk=invitation_id).first()


def accounts(query: str = "") -> QuerySet[User]:
    """All accounts of the installation (installation beheer), optionally searched."""
    qs = User.objects.order_by("username")
    query = query.strip()
    if query:
        qs = qs.filter(
            Q(username__icontains=query)
            | Q(email__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
        )
    return qs


def _subject_member_then(organisation: Organisation) -> Exists:
    """Whether the account an event is about was a member of ``organisation`` at that time."""
    return Exists(
        Membership.objects.filter(organisation=organisation, created_at__lte=OuterRef("timestamp"))
        .annotate(user_text=Cast("user_id", output_field=CharField()))
        .filter(user_text=OuterRef("object_id"))
    )


def organisation_audit_entries(
    *, organisation: Organisation, **filters: Any
) -> QuerySet[AuditEntry]:
    """What an organisation's beheerders see: the organisation's own entries, and the security
    events (logins, password and device changes, …) about accounts while they are members there.

    Events of other organisations (a role elsewhere) and events from before the account joined
    stay out of view.
    """
    qs = core_selectors.audit_entries(organisation=None, **filters)
    account_events = Q(
        organisation__isnull=True,
        action__in=SECURITY_ACTIONS,
        object_type=EVENT,
        subject_member=True,
    )
    return qs.alias(subject_member=_subject_member_then(organisation)).filter(
        Q(organisation=organisation) | account_events
    )


def installation_audit_entries(**filters: Any) -> QuerySet[AuditEntry]:
    """What the installation's beheer sees: everything not held by one organisation (accounts,
    organisations, logins) and the security events of every organisation (roles, invitations).
    An organisation's own data changes stay with that organisation."""
    qs = core_selectors.audit_entries(organisation=None, **filters)
    return qs.filter(Q(organisation__isnull=True) | Q(action__in=SECURITY_ACTIONS))


def audit_filters(data: dict[str, Any]) -> dict[str, Any]:
    """The cleaned data of the audit filter form as keyword arguments of the selectors."""
    return {
        "actor": data.get("actor") or "",
        "action": data.get("action") or "",
        "object_type": data.get("object_type") or "",
        "date_from": data.get("date_from"),
        "date_to": data.get("date_to"),
    }

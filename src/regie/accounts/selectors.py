"""Reads of the accounts app: members, invitations, accounts, and the audit log per audience."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat

from regie.accounts.events import EVENT
from regie.accounts.models import ApiToken, Invitation, Membership, User
from regie.core import selectors as core_selectors
from regie.core.models import SECURITY_ACTIONS, AuditAction, AuditEntry, Organisation


def members(organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__username")
    )


def api_tokens(organisation: Organisation) -> QuerySet[ApiToken]:
    """The organisation's API tokens, newest first, revoked and expired ones included."""
    return ApiToken.objects.filter(organisation=organisation).select_related(
        "organisation", "user", "created_by", "revoked_by"
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


def audit_group_key() -> Any:
    """The group of an entry as text: its ``group``, or the entry itself when it has none."""
    return Case(
        # "n" is no hex digit, so the key of an entry never looks like a group's.
        When(group__isnull=True, then=Concat(Value("n"), Cast("id", output_field=CharField()))),
        default=Cast("group", output_field=CharField()),
        output_field=CharField(),
    )


def audit_groups(entries: QuerySet[AuditEntry]) -> QuerySet[Any]:
    """One row per action (``key``, its newest ``last`` time and ``size``) of ``entries``,
    newest first: the audit pages page through these."""
    return (
        entries.order_by()
        .annotate(key=audit_group_key())
        .values("key")
        .annotate(last=Max("timestamp"), last_id=Max("id"), size=Count("id"))
        .order_by("-last", "-last_id")
    )


@dataclass
class AuditGroupRows:
    """What a log page shows of one action: its first entries (at most ``limit`` + 1, oldest
    first, plus the entry that says what the action was) and how many entries of each
    (action, object type) it holds — counted in the database, so a huge action costs little."""

    entries: list[AuditEntry]
    counts: Counter[tuple[str, str]]


def audit_group_rows(
    entries: QuerySet[AuditEntry], keys: list[str], *, limit: int
) -> dict[str, AuditGroupRows]:
    """The actions ``keys`` (of :func:`audit_groups`) of ``entries``, each bounded by ``limit``."""
    result: dict[str, AuditGroupRows] = {}
    single = {int(key[1:]): key for key in keys if key.startswith("n")}
    for entry in entries.filter(pk__in=list(single)):
        result[single[entry.pk]] = AuditGroupRows(
            [entry], Counter({(entry.action, entry.object_type): 1})
        )
    grouped = {uuid.UUID(key): key for key in keys if not key.startswith("n")}
    if not grouped:
        return result
    counts: dict[uuid.UUID, Counter[tuple[str, str]]] = {}
    for row in (
        entries.filter(group__in=list(grouped))
        .order_by()
        .values("group", "action", "object_type")
        .annotate(n=Count("id"))
    ):
        counts.setdefault(row["group"], Counter())[(row["action"], row["object_type"])] = row["n"]
    for group, key in grouped.items():
        members = entries.filter(group=group).order_by("timestamp", "id")
        first = list(members[: limit + 1])
        if first and all(e.action == AuditAction.READ for e in first):
            change = members.exclude(action=AuditAction.READ).first()
            if change is not None:
                first.append(change)
        result[key] = AuditGroupRows(first, counts.get(group, Counter()))
    return result

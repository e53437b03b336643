"""Who sees which signal (need-to-know), and the reads the pages and API share.

One home for the access rule (:func:`visible_signals`):

- gemeente staff with the role *beheerder* or *adviseur* see the signals of the category
  families they hold a grant for (:class:`AccessGrant`);
- a *handhaver* of the gemeente sees the signals they registered and those shared with them;
- members of a partner organisation (*ketenpartner*) see the signals their organisation reported
  and those shared with it, in any gemeente;
- nobody else sees any signal (raadpleger, privacy officer: their own pages).

The reporter's contact details need their own grant (``melder_contact``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet

from regie.accounts.models import Role
from regie.cases.models import AccessGrant, Category, Grant, Signal, SignalShare, SubjectKey
from regie.core.models import Organisation

#: Gemeente roles that see signals by family grant.
FAMILY_ROLES = frozenset({Role.BEHEERDER, Role.ADVISEUR})
#: Roles that may register a signal with the professional form.
REPORTING_ROLES = frozenset({Role.BEHEERDER, Role.ADVISEUR, Role.HANDHAVER, Role.KETENPARTNER})


def grants_of(user: Any, organisation: Organisation) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False) or getattr(user, "pk", None) is None:
        return frozenset()
    cache: dict[int, frozenset[str]] = getattr(user, "_regie_case_grants", None) or {}
    if organisation.pk not in cache:
        cache[organisation.pk] = frozenset(
            AccessGrant.objects.filter(organisation=organisation, user=user).values_list(
                "grant", flat=True
            )
        )
        user._regie_case_grants = cache
    return cache[organisation.pk]


def families_of(user: Any, organisation: Organisation, role: str | None) -> frozenset[str]:
    if role not in FAMILY_ROLES:
        return frozenset()
    return grants_of(user, organisation) - {Grant.REPORTER_CONTACT.value}


def may_see_contact(user: Any, organisation: Organisation, role: str | None) -> bool:
    return role in FAMILY_ROLES and Grant.REPORTER_CONTACT in grants_of(user, organisation)


def _shared_with(q_target: Q) -> QuerySet[SignalShare]:
    return SignalShare.objects.filter(q_target, revoked_at__isnull=True)


def visible_signals(user: Any, organisation: Organisation, role: str | None) -> QuerySet[Signal]:
    """The signals ``user`` may see from ``organisation`` (where they have ``role``)."""
    none = Signal.objects.none()
    if role is None or not getattr(user, "is_authenticated", False):
        return none
    if organisation.is_gemeente:
        if role in FAMILY_ROLES:
            return Signal.objects.filter(
                organisation=organisation, family__in=sorted(families_of(user, organisation, role))
            )
        if role == Role.HANDHAVER:
            shared = _shared_with(Q(user=user)).values("signal_id")
            return Signal.objects.filter(organisation=organisation).filter(
                Q(created_by=user) | Q(pk__in=shared)
            )
        return none
    if role == Role.KETENPARTNER:
        shared = _shared_with(Q(organisation=organisation)).values("signal_id")
        return Signal.objects.filter(Q(reporting_organisation=organisation) | Q(pk__in=shared))
    return none


def signal_for(
    user: Any, organisation: Organisation, role: str | None, reference: str
) -> Signal | None:
    return visible_signals(user, organisation, role).filter(reference=reference).first()


def categories(organisation: Organisation, *, active_only: bool = True) -> list[Category]:
    rows = Category.objects.filter(organisation=organisation).select_related("parent")
    if active_only:
        rows = rows.filter(is_active=True)
    return list(rows.order_by("parent__order", "parent__name", "order", "name"))


def category_choices(organisation: Organisation) -> list[tuple[str, list[tuple[int, str]]]]:
    """Main categories with their subcategories, for a grouped select (main ones included)."""
    rows = categories(organisation)
    mains = [c for c in rows if c.parent_id is None]
    groups = []
    for main in mains:
        subs = [(c.pk, c.name) for c in rows if c.parent_id == main.pk]
        groups.append((main.name, [(main.pk, main.name), *subs]))
    return groups


@dataclass(frozen=True)
class Hit:
    """Earlier (or later) signals sharing an identifier kind with this one."""

    kind: str
    count: int
    references: tuple[str, ...]


def hermeldingen(signal: Signal) -> list[Hit]:
    """Per identifier kind of this signal: the other signals of the gemeente within the window
    that share it (now, not at intake). Only references: who may open them is checked apart."""
    window = dt.timedelta(days=settings.REGIE_HERMELDING_WINDOW_DAYS)
    own = list(SubjectKey.objects.filter(signal=signal).values_list("kind", "digest"))
    hits: list[Hit] = []
    for kind in sorted({k for k, _ in own}):
        digests = sorted({d for k, d in own if k == kind})
        refs = (
            SubjectKey.objects.filter(
                organisation_id=signal.organisation_id,
                digest__in=digests,
                received_at__gte=signal.received_at - window,
                received_at__lte=signal.received_at + window,
            )
            .exclude(signal_id=signal.pk)
            .values_list("signal__reference", flat=True)
            .distinct()
        )
        found = tuple(sorted(set(refs)))
        hits.append(Hit(kind=kind, count=len(found), references=found))
    return hits

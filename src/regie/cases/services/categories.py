"""The beheer of a gemeente's Meldpunt: its category tree, its teams and who holds which access
grant.

The tree has two levels: main categories carry a family; a subcategory inherits the family of its
main category (and follows it when that changes). A name is unique among the categories of one
parent (case-insensitive). A category that signals use is never deleted, only taken out of use;
taking a main category out of use takes its subcategories with it.

Access grants (a category family, or the reporters' contact details) are given per member with
the role beheerder or adviseur, only by a beheerder of that gemeente. Every write is audited by
the models' registration (:mod:`regie.core.audit`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from regie.accounts.models import Membership, Role
from regie.cases.models import AccessGrant, Category, Family, Grant, RetentionRule, Signal, Team
from regie.core.concurrency import claim
from regie.core.errors import ServiceError
from regie.core.models import Organisation

MAX_NAME = 100
#: The roles that can hold an access grant (they see signals by family).
GRANTABLE_ROLES = frozenset({Role.BEHEERDER, Role.ADVISEUR})


def _check_gemeente(organisation: Organisation) -> None:
    if not organisation.is_gemeente:
        raise ServiceError(_("Only a gemeente has a Meldpunt Veiligheid."))


def _clean_name(name: str) -> str:
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise ServiceError(_("Enter a name."))
    if len(cleaned) > MAX_NAME:
        raise ServiceError(_("A name has at most %(max)s characters.") % {"max": MAX_NAME})
    return cleaned


def _check_unique(
    organisation: Organisation, parent: Category | None, name: str, exclude: int | None = None
) -> None:
    siblings = Category.objects.filter(organisation=organisation, parent=parent, name__iexact=name)
    if exclude is not None:
        siblings = siblings.exclude(pk=exclude)
    if siblings.exists():
        raise ServiceError(
            _("There already is a category “%(name)s” at this place in the tree.") % {"name": name}
        )


def _fresh(parent: Category | None) -> Category | None:
    """The main category as stored now (the caller's copy may be older)."""
    return None if parent is None else Category.objects.filter(pk=parent.pk).first()


def _check_parent(organisation: Organisation, parent: Category | None) -> None:
    if parent is None:
        return
    if parent.organisation_id != organisation.pk:
        raise ServiceError(_("Choose a main category of this gemeente."))
    if parent.parent_id is not None:
        raise ServiceError(
            _("A subcategory cannot have subcategories of its own: the tree has two levels.")
        )


def _check_team(organisation: Organisation, team: Team | None) -> None:
    if team is not None and team.organisation_id != organisation.pk:
        raise ServiceError(_("Choose a team of this gemeente."))


def _check_family(family: str) -> None:
    if family not in Family.values:
        raise ServiceError(_("Choose the family of the main category."))


def _next_order(organisation: Organisation, parent: Category | None) -> int:
    last = Category.objects.filter(organisation=organisation, parent=parent).aggregate(
        m=Max("order")
    )["m"]
    return 0 if last is None else int(last) + 1


@transaction.atomic
def create_category(
    organisation: Organisation,
    *,
    name: str,
    family: str = "",
    parent: Category | None = None,
    team: Team | None = None,
) -> Category:
    """Add a main category (with ``family``) or a subcategory of ``parent`` (its family)."""
    _check_gemeente(organisation)
    name = _clean_name(name)
    parent = _fresh(parent)
    _check_parent(organisation, parent)
    _check_team(organisation, team)
    if parent is None:
        _check_family(family)
    elif not parent.is_active:
        raise ServiceError(_("The main category is not in use; put it in use first."))
    _check_unique(organisation, parent, name)
    return Category.objects.create(
        organisation=organisation,
        parent=parent,
        name=name,
        family=parent.family if parent else family,
        team=team,
        order=_next_order(organisation, parent),
    )


@dataclass(frozen=True)
class CategoryChange:
    """What the edit form of one category sends: everything a beheerder can change."""

    name: str
    parent: Category | None
    family: str
    team: Team | None
    is_active: bool


def _check_move(category: Category, change: CategoryChange) -> None:
    parent = change.parent
    if parent is None:
        _check_family(change.family)
        return
    if parent.pk == category.pk:
        raise ServiceError(_("A category cannot be its own main category."))
    if category.children.exists():
        raise ServiceError(
            _(
                "This main category has subcategories, so it cannot become a subcategory itself: "
                "the tree has two levels."
            )
        )
    if change.is_active and not parent.is_active:
        raise ServiceError(_("The main category is not in use; put it in use first."))


def _follow_main(main: Category) -> None:
    """Subcategories take the family of their main category, and leave use with it."""
    for child in main.children.all():
        active = child.is_active and main.is_active
        if child.family != main.family or child.is_active != active:
            child.family, child.is_active = main.family, active
            child.save()


@transaction.atomic
def change_category(category: Category, change: CategoryChange, *, version: Any) -> Category:
    """Rename, move, change the family or team of, or (de)activate ``category``; refused as a
    stale edit when it changed since ``version`` was shown."""
    organisation = category.organisation
    claim(category, version)
    change = replace(change, parent=_fresh(change.parent))
    name = _clean_name(change.name)
    _check_parent(organisation, change.parent)
    _check_team(organisation, change.team)
    _check_move(category, change)
    _check_unique(organisation, change.parent, name, exclude=category.pk)
    if category.parent_id != _pk(change.parent):
        category.order = _next_order(organisation, change.parent)
    category.name, category.parent, category.team = name, change.parent, change.team
    category.family = change.parent.family if change.parent else change.family
    category.is_active = change.is_active
    category.save()
    if category.parent_id is None:
        _follow_main(category)
    _signals_follow(category)
    return category


def _signals_follow(category: Category) -> None:
    """Need-to-know follows the category: the signals of the category (and of its
    subcategories) take its family, each change audited."""
    tree = [category.pk, *category.children.values_list("pk", flat=True)]
    for signal in Signal.objects.filter(category_id__in=tree).exclude(family=category.family):
        signal.family = category.family
        signal.save(update_fields=["family", "lock_version"])


def _pk(obj: Any) -> int | None:
    return None if obj is None else int(obj.pk)


def in_use(category: Category) -> bool:
    """Whether any signal has this category."""
    return Signal.objects.filter(category=category).exists()


@transaction.atomic
def delete_category(category: Category, *, version: Any) -> None:
    """Remove a category nobody used; one in use is taken out of use instead."""
    claim(category, version)
    if in_use(category):
        raise ServiceError(
            _("Signals have this category, so it cannot be removed; take it out of use instead.")
        )
    if category.children.exists():
        raise ServiceError(_("Remove or move the subcategories first."))
    if RetentionRule.objects.filter(category=category).exists():
        raise ServiceError(_("A retention rule names this category, so it cannot be removed."))
    category.delete()


@transaction.atomic
def create_team(organisation: Organisation, *, name: str) -> Team:
    """Add a team that handles the signals of the categories assigned to it."""
    _check_gemeente(organisation)
    name = _clean_name(name)
    if Team.objects.filter(organisation=organisation, name__iexact=name).exists():
        raise ServiceError(_("There already is a team “%(name)s”.") % {"name": name})
    return Team.objects.create(organisation=organisation, name=name)


# --- access grants ------------------------------------------------------------------------------


def _role(user: Any, organisation: Organisation) -> str | None:
    if user is None or getattr(user, "pk", None) is None:
        return None
    role: str | None = (
        Membership.objects.filter(user=user, organisation=organisation)
        .values_list("role", flat=True)
        .first()
    )
    return role


def _check_grant_input(
    organisation: Organisation, user: Any, grants: Iterable[str], by: Any
) -> set[str]:
    _check_gemeente(organisation)
    if _role(by, organisation) != Role.BEHEERDER:
        raise ServiceError(_("Only a beheerder of this gemeente gives access."))
    if _role(user, organisation) not in GRANTABLE_ROLES:
        raise ServiceError(_("Access is given only to beheerders and adviseurs of this gemeente."))
    wanted = set(grants)
    if not wanted <= set(Grant.values):
        raise ServiceError(_("Unknown access."))
    return wanted


@transaction.atomic
def set_grants(
    organisation: Organisation, user: Any, grants: Iterable[str], *, by: Any
) -> tuple[set[str], set[str]]:
    """Give ``user`` exactly ``grants`` in ``organisation``; the grants (added, removed)."""
    wanted = _check_grant_input(organisation, user, grants, by)
    current = {g.grant: g for g in AccessGrant.objects.filter(organisation=organisation, user=user)}
    added = wanted - set(current)
    removed = set(current) - wanted
    for code in sorted(removed):
        current[code].delete()  # one by one: each removal is audited
    for code in sorted(added):
        AccessGrant.objects.create(organisation=organisation, user=user, grant=code)
    if hasattr(user, "_regie_case_grants"):
        del user._regie_case_grants
    return added, removed


@transaction.atomic
def save_grants(
    organisation: Organisation,
    table: Mapping[Any, Iterable[str]],
    *,
    by: Any,
    shown: Mapping[Any, Iterable[str] | None] | None = None,
) -> int:
    """:func:`set_grants` for every user of ``table``, all or nothing; the number of changes.

    With ``shown`` (the grants as the page showed them) only the rows the user changed are
    saved, and a row someone else changed meanwhile is refused, never overwritten.
    """
    changes = 0
    for user, grants in table.items():
        if shown is not None:
            before = shown.get(user)
            if before is None or set(grants) == set(before):
                continue  # not on the page then, or not changed here
            current = set(
                AccessGrant.objects.filter(organisation=organisation, user=user).values_list(
                    "grant", flat=True
                )
            )
            if current != set(before):
                raise ServiceError(
                    _(
                        "The access of %(name)s was changed by someone else meanwhile; "
                        "check it and save again."
                    )
                    % {"name": user.get_full_name() or user.get_username()}
                )
        added, removed = set_grants(organisation, user, grants, by=by)
        changes += len(added) + len(removed)
    return changes

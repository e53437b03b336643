"""Roles in an organisation: what an organisation's beheerder may change."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from regie.accounts import events
from regie.accounts.models import Membership, Role, User
from regie.core import services as core_services
from regie.core.concurrency import StaleEditError, claim
from regie.core.errors import ServiceError
from regie.core.models import AuditAction, Organisation


@transaction.atomic
def set_role(
    *, user: User, organisation: Organisation, role: str, token: str | None = None
) -> Membership:
    """Give ``user`` ``role`` in ``organisation`` (creating or changing the membership).

    ``token`` is the membership's version that the edit form showed: the change is refused
    (StaleEditError) when someone else changed or removed the membership since. Only the
    installation (CLI, demo, an accepted invitation) creates memberships; a beheerder's form
    always names an existing one.
    """
    if role not in Role.values:
        raise ServiceError(_("Unknown role: %(role)r.") % {"role": role})
    membership = (
        Membership.objects.select_for_update().filter(user=user, organisation=organisation).first()
    )
    if membership is None:
        if token is not None:
            raise StaleEditError  # removed since the form was shown
        membership = Membership(user=user, organisation=organisation, role=role)
        membership.save()
        return membership
    if token is not None:
        claim(membership, token)
    if membership.role != role:
        _guard_last_beheerder(membership, new_role=role)
        old = membership.get_role_display()
        membership.role = role
        membership.save()
        events.record(
            AuditAction.ROLE_CHANGE,
            account=user,
            organisation=organisation,
            description=f"{old} → {membership.get_role_display()}",
        )
    return membership


@transaction.atomic
def remove_membership(*, membership: Membership, token: str | None = None) -> None:
    """Revoke the role; the account itself stays (it may have roles elsewhere)."""
    if token is not None:
        claim(membership, token)
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
def rename_organisation(*, organisation: Organisation, name: str, token: str) -> Organisation:
    """The beheerder renames the organisation; refused when someone else saved it meanwhile."""
    claim(organisation, token)
    return core_services.update_organisation(
        organisation=organisation, name=name, is_active=organisation.is_active
    )

"""Public facade of the core app: organisations and audit services other apps may call."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from regie.core import audit
from regie.core.errors import ServiceError as ServiceError  # re-exported: the public facade
from regie.core.models import (
    AuditAction,
    AuditEntry,
    Installation,
    Organisation,
    OrganisationKind,
)

#: Top-level URL segments that an organisation's slug may not take.
RESERVED_SLUGS = frozenset(
    {"account", "admin", "beheer", "gebieden", "i18n", "static", "api", "media", "health", "melden"}
)


def record_read(
    *,
    user: Any,
    organisation: Organisation | None,
    subject: models.Model | str,
    purpose: str,
) -> AuditEntry:
    """Record that ``user`` looked at personal data ``subject`` for ``purpose`` (AVG logging).

    ``subject`` is a model instance or a short description that identifies what was read without
    repeating the personal data itself (e.g. "Signaal 2024-0031").
    """
    if not purpose.strip():
        raise ServiceError(_("A purpose is required when viewing personal data."))
    actor = audit.Actor(user=user, label=user.get_username())
    if isinstance(subject, models.Model):
        return audit.write_entry(
            action=AuditAction.READ,
            obj=subject,
            organisation=organisation,
            purpose=purpose,
            actor=actor,
        )
    return audit.write_entry(
        action=AuditAction.READ,
        object_type="text",
        object_repr=subject,
        organisation=organisation,
        purpose=purpose,
        actor=actor,
    )


def record_event(
    *,
    action: str,
    user: Any | None,
    label: str,
    organisation: Organisation | None = None,
    description: str = "",
) -> AuditEntry:
    """Record a non-model event such as a login, logout or a bulk import.

    The client address of the current request is added by :func:`regie.core.audit.write_entry`.
    """
    actor = audit.Actor(user=user, label=label)
    return audit.write_entry(
        action=action,
        object_type="event",
        object_repr=description,
        organisation=organisation,
        actor=actor,
    )


@transaction.atomic
def create_organisation(*, name: str, slug: str, kind: str, cbs_code: str = "") -> Organisation:
    if kind == OrganisationKind.GEMEENTE and not cbs_code:
        raise ServiceError(_("A gemeente needs a CBS area code (for example GM0556)."))
    if kind != OrganisationKind.GEMEENTE and cbs_code:
        raise ServiceError(_("Only a gemeente has a CBS area code."))
    if slug in RESERVED_SLUGS:
        raise ServiceError(
            _("The short name %(slug)r is reserved; choose another one.") % {"slug": slug}
        )
    if Organisation.objects.filter(slug=slug).exists():
        raise ServiceError(_("The short name %(slug)r is already in use.") % {"slug": slug})
    org = Organisation(name=name, slug=slug, kind=kind, cbs_code=cbs_code)
    org.full_clean()
    org.save()
    return org


@transaction.atomic
def update_organisation(*, organisation: Organisation, name: str, is_active: bool) -> Organisation:
    organisation.name = name
    organisation.is_active = is_active
    organisation.full_clean()
    organisation.save()
    return organisation


def is_demo_installation() -> bool:
    """Whether ``regie demo`` built this database from empty (only then may it be erased)."""
    return Installation.objects.filter(is_demo=True).exists()


@transaction.atomic
def mark_demo_installation() -> None:
    """Record that this database is a demo; called by ``regie demo`` on an empty database."""
    if not is_demo_installation():
        Installation.objects.create(is_demo=True)


@transaction.atomic
def end_demo_installation() -> None:
    """This database now holds more than the demo: it may never be erased again (for good)."""
    for installation in Installation.objects.select_for_update().filter(is_demo=True):
        installation.is_demo = False
        installation.save()

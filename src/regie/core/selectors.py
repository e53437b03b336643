from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from regie.core.models import AuditEntry, Organisation


def audit_entries(
    *,
    organisation: Organisation | None,
    actor: str = "",
    action: str = "",
    object_type: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    """Audit entries of one organisation (or of the whole installation when None), filtered."""
    qs = AuditEntry.objects.all()
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    if actor:
        qs = qs.filter(actor_label__icontains=actor)
    if action:
        qs = qs.filter(action=action)
    if object_type:
        qs = qs.filter(object_type__icontains=object_type)
    if date_from:
        qs = qs.filter(timestamp__date__gte=date_from)
    if date_to:
        qs = qs.filter(timestamp__date__lte=date_to)
    return qs.order_by("-timestamp", "-id")

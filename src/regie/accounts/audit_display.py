"""How audit entries read on the audit pages: labels of kinds and fields instead of raw names.

Times are shown by the templates in the site's time zone (Europe/Amsterdam).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from regie.core import audit
from regie.core.models import AuditEntry

#: ``object_type`` of events (logins, imports, …) and of reads described in words.
EVENT = "event"
TEXT = "text"


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def type_label(object_type: str) -> str:
    """The kind of object an entry is about, as people call it ("Rol in organisatie")."""
    if object_type == EVENT:
        return _("Event")
    if object_type == TEXT:
        return _("Data")
    model = _model(object_type)
    if model is None:
        return object_type
    return str(capfirst(model._meta.verbose_name))


def type_choices() -> list[tuple[str, str]]:
    """The kinds for the filter of the audit pages (value: the stored type, label: its name)."""
    choices = [(m._meta.label, type_label(m._meta.label)) for m in audit.registered_models()]
    choices.append((EVENT, type_label(EVENT)))
    return sorted(choices, key=lambda choice: choice[1].casefold())


@dataclass(frozen=True)
class Change:
    label: str
    before: str | None
    after: str | None


def _display(field: models.Field[Any, Any] | None, value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def changes(entry: AuditEntry) -> list[Change]:
    """The changed fields of ``entry`` with the fields' own names (verbose_name)."""
    model = _model(entry.object_type)
    result = []
    for name, old, new in entry.changes:
        field: Any = None
        if model is not None:
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                field = None
        label = str(capfirst(field.verbose_name)) if field is not None else name
        result.append(Change(label, _display(field, old), _display(field, new)))
    return result


@dataclass(frozen=True)
class Row:
    entry: AuditEntry
    kind: str
    url: str


def rows(entries: Any, url_for: Any) -> list[Row]:
    """Table rows for a page of entries; ``url_for(entry)`` gives the link to its detail page."""
    return [Row(e, type_label(e.object_type), url_for(e)) for e in entries]

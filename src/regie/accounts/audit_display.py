"""How audit entries read on the audit pages: a sentence in words (who did what to which thing),
field names as people know them, values in Dutch notation and times in the site's time zone
(Europe/Amsterdam), and the entries of one action as one group.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from regie.core import audit
from regie.core.models import AuditAction, AuditEntry

#: ``object_type`` of events (logins, imports, …) and of reads described in words.
EVENT = "event"
TEXT = "text"
#: Entries of one group listed on the log page; the rest are counted.
GROUP_LIST_LIMIT = 100


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


#: Kinds whose own verbose name is a library's English one.
_KIND_NAMES = {"otp_totp.TOTPDevice": gettext_lazy("authenticator app")}


def _kind(object_type: str, model: Any) -> str:
    if object_type in _KIND_NAMES:
        return str(_KIND_NAMES[object_type])
    return str(model._meta.verbose_name) if model is not None else object_type


def type_label(object_type: str) -> str:
    """The kind of object an entry is about, as people call it ("Rol in organisatie")."""
    if object_type == EVENT:
        return _("Event")
    if object_type == TEXT:
        return _("Data")
    model = _model(object_type)
    if model is None and object_type not in _KIND_NAMES:
        return object_type
    return str(capfirst(_kind(object_type, model)))


def _plural_label(object_type: str, count: int) -> str:
    model = _model(object_type)
    if model is None or count == 1:
        return type_label(object_type)
    return str(capfirst(model._meta.verbose_name_plural))


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


def _datetime_text(value: str) -> str | None:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if timezone.is_naive(moment):
        return formats.date_format(moment, "j F Y H:i")
    return formats.date_format(timezone.localtime(moment), "j F Y H:i")


def _display(field: Any, value: Any) -> str | None:
    """A stored snapshot value as people read it: labels of choices, yes/no, Dutch numbers,
    dates and times in the site's time zone."""
    if value is None:
        return None
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field is not None and getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        return _datetime_text(value) or value
    if isinstance(field, models.DateField) and isinstance(value, str):
        try:
            return formats.date_format(dt.date.fromisoformat(value), "j F Y")
        except ValueError:
            return value
    if isinstance(field, models.DecimalField | models.FloatField) and value != "":
        return _decimal_text(value)
    if isinstance(field, models.IntegerField | models.ForeignKey) and isinstance(value, int):
        return _whole_text(field, value)
    if isinstance(value, dict | list):
        return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return str(value)


def _decimal_text(value: Any) -> str:
    try:
        return formats.number_format(decimal.Decimal(str(value)), use_l10n=True)
    except (decimal.InvalidOperation, ValueError):
        return str(value)


def _whole_text(field: Any, value: int) -> str:
    if isinstance(field, models.ForeignKey):
        return _related_text(field, value)
    if "year" in field.name:
        return str(value)  # years are never grouped (2.025)
    return formats.number_format(value, use_l10n=True, force_grouping=True)


def _related_text(field: models.ForeignKey[Any, Any], pk: int) -> str:
    related = field.related_model
    if isinstance(related, str):
        return str(pk)
    obj = related._default_manager.filter(pk=pk).first()
    return str(obj) if obj is not None else _("no. %(id)s") % {"id": pk}


def _field(model: type[models.Model] | None, name: str) -> Any:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def changes(entry: AuditEntry) -> list[Change]:
    """The changed fields of ``entry`` with the fields' own names (verbose_name)."""
    model = _model(entry.object_type)
    result = []
    for name, old, new in entry.changes:
        field_ = _field(model, name)
        if field_ is not None and getattr(field_, "auto_now", False):
            continue  # "changed at" moves with every save: no change of its own
        label = str(capfirst(field_.verbose_name)) if field_ is not None else name
        result.append(Change(label, _display(field_, old), _display(field_, new)))
    return result


def _thing(entry: AuditEntry) -> str:
    """The object an entry is about: its kind and its description (“Plan “IVP 2023–2026””)."""
    if entry.object_type in (TEXT, EVENT):
        return entry.object_repr or type_label(entry.object_type)
    model = _model(entry.object_type)
    # within a sentence the kind keeps its own case ("rol in organisatie")
    kind = _kind(entry.object_type, model)
    if not entry.object_repr:
        return kind
    return _("%(kind)s “%(object)s”") % {"kind": kind, "object": entry.object_repr}


#: What each action says, with the actor and the thing it was about.
_SENTENCES: dict[str, Any] = {
    AuditAction.CREATE: gettext_lazy("%(actor)s created %(thing)s."),
    AuditAction.UPDATE: gettext_lazy("%(actor)s changed %(thing)s."),
    AuditAction.DELETE: gettext_lazy("%(actor)s deleted %(thing)s."),
    AuditAction.READ: gettext_lazy("%(actor)s viewed %(thing)s."),
    AuditAction.IMPORT: gettext_lazy("%(actor)s imported %(thing)s."),
    AuditAction.LOGIN: gettext_lazy("%(actor)s logged in."),
    AuditAction.LOGOUT: gettext_lazy("%(actor)s logged out."),
    AuditAction.LOGIN_FAILED: gettext_lazy("Logging in as %(actor)s failed."),
    AuditAction.VERIFIED: gettext_lazy("%(actor)s passed the second login step."),
    AuditAction.VERIFY_FAILED: gettext_lazy(
        "%(actor)s gave a wrong code at the second login step."
    ),
}


def sentence(entry: AuditEntry) -> str:
    """Who did what to which thing, in one sentence."""
    values = {"actor": entry.actor_label, "thing": _thing(entry)}
    template = _SENTENCES.get(entry.action)
    if template is not None:
        return str(template) % values
    return _("%(actor)s: %(action)s (%(thing)s).") % {
        **values,
        "action": entry.get_action_display(),
    }


def changes_text(entry: AuditEntry) -> str:
    """The changes of an update in one line: “Rol: Raadpleger → Adviseur (OOV)”."""
    if entry.action != AuditAction.UPDATE:
        return ""
    parts = []
    for change in changes(entry):
        before = change.before if change.before not in (None, "") else "–"
        after = change.after if change.after not in (None, "") else "–"
        parts.append(f"{change.label}: {before} → {after}")
    return "; ".join(parts)


@dataclass(frozen=True)
class Line:
    """One entry inside a group."""

    entry: AuditEntry
    text: str
    url: str


@dataclass
class Group:
    """The entries of one action (one request, command or service call) as one log entry."""

    main: AuditEntry
    url: str
    text: str
    detail: str
    count: int
    summary: str = ""
    lines: list[Line] = field(default_factory=list)
    hidden: int = 0

    @property
    def timestamp(self) -> dt.datetime:
        return self.main.timestamp


def _main_entry(entries: list[AuditEntry]) -> AuditEntry:
    """The entry that says what the action was: the first change, else the first entry."""
    for entry in entries:
        if entry.action != AuditAction.READ:
            return entry
    return entries[0]


def _summary(counts: Counter[tuple[str, str]]) -> str:
    parts = []
    for (action, object_type), count in sorted(
        counts.items(), key=lambda item: (-item[1], item[0])
    ):
        parts.append(
            _("%(count)s × %(kind)s %(action)s")
            % {
                "count": formats.number_format(count, force_grouping=True),
                "kind": _plural_label(object_type, count).lower(),
                "action": AuditAction(action).label,
            }
        )
    return "; ".join(parts)


def groups(
    keys: Iterable[str],
    rows: Mapping[str, Any],
    url_for: Callable[[AuditEntry], str],
) -> list[Group]:
    """The log page's entries: one :class:`Group` per key (in the order of ``keys``), from
    ``rows[key]`` (``accounts.selectors.AuditGroupRows``: the action's first entries, oldest
    first, and its counts per action and object type)."""
    result = []
    for key in keys:
        found = rows.get(key)
        if found is None or not found.entries:
            continue
        members = sorted(found.entries, key=lambda e: (e.timestamp, e.pk))
        main = _main_entry(members)
        total = sum(found.counts.values())
        group = Group(
            main=main,
            url=url_for(main),
            text=sentence(main),
            detail=changes_text(main),
            count=total,
        )
        if total > 1:
            others = [e for e in members if e is not main]
            rest = Counter(found.counts)
            rest[(main.action, main.object_type)] -= 1
            rest = +rest  # drop what is zero
            group.summary = ngettext(
                "and %(count)s more change in the same action: %(list)s.",
                "and %(count)s more changes in the same action: %(list)s.",
                total - 1,
            ) % {
                "count": formats.number_format(total - 1, force_grouping=True),
                "list": _summary(rest),
            }
            group.lines = [Line(e, sentence(e), url_for(e)) for e in others[:GROUP_LIST_LIMIT]]
            group.hidden = max(0, total - 1 - len(group.lines))
        result.append(group)
    return result

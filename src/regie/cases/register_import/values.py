"""Reading the values a register or a partner system writes: Dutch dates and times, channels,
kinds of reporter and categories by name. Shared by the import and the signals API.

Every reader returns the value or raises :class:`ValueProblem` with a Dutch message (fit to show
next to the row and column, or the field path, where the value was typed).
"""

from __future__ import annotations

import datetime as dt
import re

from django.db.models import TextChoices
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from regie.cases.models import Category, Channel, ReporterType
from regie.core.models import Organisation
from regie.privacy import normalise

#: A time after the date: ``14:30``, ``14.30``, ``14:30:15`` (separated by a space or ``T``).
_TIME = re.compile(r"^(?P<date>.+?)[ T]+(?P<h>\d{1,2})[:.](?P<m>\d{2})(?:[:.](?P<s>\d{2}))?$")
#: The separators of "Hoofd > Sub" and of the pages' notation (U+203A, as Category.__str__).
_PATH = re.compile("\\s*[>\u203a]\\s*")
#: At most this far in the future (clocks differ a little).
FUTURE_SLACK = dt.timedelta(minutes=5)


class ValueProblem(ValueError):
    """A value that cannot be read; the message is Dutch and fit to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _aware(moment: dt.datetime) -> dt.datetime:
    if timezone.is_aware(moment):
        return moment
    return timezone.make_aware(moment, timezone.get_default_timezone())


def _checked(moment: dt.datetime) -> dt.datetime:
    moment = _aware(moment)
    if moment > timezone.now() + FUTURE_SLACK:
        raise ValueProblem(_("This date is in the future."))
    if moment.year < 1900:
        raise ValueProblem(_("This date is too long ago."))
    return moment


def _from_text(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        pass
    match = _TIME.match(text)
    date_text, clock = (match.group("date"), match) if match else (text, None)
    day = normalise.birth_date(date_text)
    if day is None:
        return None
    if clock is None:
        return dt.datetime.combine(day, dt.time())
    try:
        return dt.datetime.combine(
            day, dt.time(int(clock.group("h")), int(clock.group("m")), int(clock.group("s") or 0))
        )
    except ValueError:
        return None


def received_at(value: object) -> dt.datetime:
    """A date or date-time of receipt: an Excel date cell, ``3-2-2024``, ``03-02-2024 14:30``,
    ``3 februari 2024``, ISO ``2024-02-03`` or ``2024-02-03T14:30``; Dutch time unless the value
    carries its own offset. Not in the future."""
    if isinstance(value, dt.datetime):
        return _checked(value)
    if isinstance(value, dt.date):
        return _checked(dt.datetime.combine(value, dt.time()))
    text = str(value).strip()
    moment = _from_text(text) if text else None
    if moment is None:
        raise ValueProblem(_("This is not a date; write it as 3-2-2024 or 03-02-2024 14:30."))
    return _checked(moment)


def birth_date(value: object) -> dt.date:
    """A date of birth: an Excel date cell or the Dutch notations of :mod:`normalise`."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        found = normalise.birth_date(value)
    else:
        found = normalise.birth_date(str(value).strip())
    if found is None:
        raise ValueProblem(_("This is not a date of birth; write it as 3-2-1980."))
    if found > timezone.localdate():
        raise ValueProblem(_("This date is in the future."))
    return found


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def _aliases(choices: type[TextChoices]) -> dict[str, str]:
    """Value → value, and the label (Dutch, the active language and English) → value."""
    found: dict[str, str] = {}
    for language in ("en", translation.get_language() or "nl", "nl"):
        with translation.override(language):
            for value, label in choices.choices:
                found[_key(str(label))] = value
    for value in choices.values:
        found[_key(value)] = value
    return found


def _choice(choices: type[TextChoices], value: str, message: str) -> str:
    found = _aliases(choices).get(_key(value))
    if found is None:
        allowed = ", ".join(choices.values)
        raise ValueProblem(message % {"allowed": allowed})
    return found


def channel(value: str) -> str:
    """A channel by its code (``mma``) or its label; empty is the import's own channel."""
    if not value.strip():
        return Channel.IMPORT.value
    return _choice(Channel, value, _("Unknown channel; choose one of: %(allowed)s."))


def reporter_type(value: str) -> str:
    """A kind of reporter by its code (``inwoner``) or its label; empty is anonymous."""
    if not value.strip():
        return ReporterType.ANONYMOUS.value
    return _choice(ReporterType, value, _("Unknown kind of reporter; choose one of: %(allowed)s."))


class CategoryFinder:
    """A gemeente's categories by name: a subcategory or main category (case-insensitive), or
    ``Hoofd > Sub`` (or with the sign the pages show, U+203A). When a name is both a main
    category and a subcategory the main category is meant; a subcategory name under several
    main categories needs the path."""

    def __init__(self, organisation: Organisation) -> None:
        rows = list(Category.objects.filter(organisation=organisation).select_related("parent"))
        self.by_pk = {c.pk: c for c in rows}
        self.by_path: dict[str, Category] = {}
        self.mains: dict[str, Category] = {}
        self.subs: dict[str, list[Category]] = {}
        for item in rows:
            if item.parent is None:
                self.mains[_key(item.name)] = item
                self.by_path[_key(item.name)] = item
            else:
                self.subs.setdefault(_key(item.name), []).append(item)
                self.by_path[f"{_key(item.parent.name)}>{_key(item.name)}"] = item

    def _lookup(self, text: str) -> Category:
        parts = [p for p in _PATH.split(text.strip()) if p]
        if len(parts) == 2:
            found = self.by_path.get(f"{_key(parts[0])}>{_key(parts[1])}")
            if found is not None:
                return found
            raise ValueProblem(_("Unknown category of this gemeente."))
        key = _key(text)
        if key in self.mains:
            return self.mains[key]
        subs = self.subs.get(key, [])
        if len(subs) == 1:
            return subs[0]
        if subs:
            raise ValueProblem(
                _("Several categories have this name; write one of: %(names)s.")
                % {"names": "; ".join(sorted(f"{c.parent} > {c.name}" for c in subs))}
            )
        raise ValueProblem(_("Unknown category of this gemeente."))

    def find(self, value: object) -> Category:
        """The category named (or numbered, for the API) by ``value``; only one in use."""
        if isinstance(value, int) and not isinstance(value, bool):
            found = self.by_pk.get(value)
            if found is None:
                raise ValueProblem(_("Unknown category of this gemeente."))
        else:
            found = self._lookup(str(value))
        if not found.is_active or (found.parent is not None and not found.parent.is_active):
            raise ValueProblem(_("This category is no longer in use."))
        return found

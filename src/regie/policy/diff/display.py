"""How values are shown in a difference: numbers, money, dates and kinds in the active language."""

from __future__ import annotations

import datetime as dt
import textwrap
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from regie.core import formats
from regie.core.formats import num

NOTHING = "—"
"""How an empty value is shown."""


def _decimals(value: Any) -> int:
    try:
        exponent = Decimal(str(value)).normalize().as_tuple().exponent
    except InvalidOperation:
        return 0
    return max(0, -exponent) if isinstance(exponent, int) else 0


def show_number(value: Any) -> str:
    """A number as written (every decimal it has), in the active language's format."""
    if value is None or value == "":
        return NOTHING
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return num(number, _decimals(value))


def show_money(value: Any) -> str:
    """An amount in euros: "€ 1.785.000", "€ 1.234,50"."""
    if value is None or value == "":
        return NOTHING
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return formats.money(number)


def show_text(value: Any) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return NOTHING
    return str(value)


def _year(value: Any) -> str:
    return NOTHING if value is None else str(value)


def _yes_no(value: Any) -> str:
    return _("yes") if value else _("no")


def _date(value: Any) -> str:
    if not value:
        return NOTHING
    try:
        return formats.date(dt.date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def _codes(value: Any) -> str:
    return ", ".join(str(code) for code in value) if value else NOTHING


def _period(value: Any) -> str:
    start, end = value
    return f"{_year(start)}–{_year(end)}"


def _priority_kind(value: Any) -> str:
    from regie.policy.models import PriorityKind

    try:
        return str(PriorityKind(value).label)
    except ValueError:
        return show_text(value)


def _target_kind(value: Any) -> str:
    from regie.policy.models import Indicator

    field = Indicator._meta.get_field("target_kind")
    labels = {str(v): str(label) for v, label in getattr(field, "choices", None) or []}
    return labels.get(str(value), show_text(value))


def _short(text: Any, width: int = 80) -> str:
    return textwrap.shorten(str(text or ""), width=width, placeholder=" …") or NOTHING

"""Numbers, money, percentages, procentpunten and dates for people, in the active language's
format (Django's l10n: ``1.245`` and ``36,5`` in Dutch, ``1,245`` and ``36.5`` in English); no
models, so pure modules can use it. Every page, export and command formats through here."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import date_format, get_format, number_format
from django.utils.translation import gettext as _

#: The minus sign (U+2212) of every negative number on a page, never a hyphen: one home, so a
#: sentence never mixes the minus sign with a hyphen.
MINUS = "\u2212"


def num(value: float | None, decimals: int | None = None) -> str:
    """A number in the active language's format (1.245 · 36,5), a negative one with the minus
    sign :data:`MINUS`; "–" when not published."""
    if value is None:
        return "–"
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 1
    rounded = half_up(value, decimals)
    text = number_format(abs(rounded), decimals, use_l10n=True, force_grouping=True)
    return f"{MINUS}{text}" if rounded < 0 else text


def half_up(value: float, decimals: int) -> Decimal:
    """``value`` rounded half up at ``decimals`` as written (7.25 → 7.3, not 7.2): from the
    shortest decimal text of the float, so 7.25 is not taken as 7.2499999…, where Python's
    ``round()`` rounds half to even on the binary value. Never "-0". Display only: values are
    judged unrounded."""
    exponent = Decimal(1).scaleb(-decimals)
    rounded = Decimal(repr(float(value))).quantize(exponent, rounding=ROUND_HALF_UP)
    return abs(rounded) if rounded == 0 else rounded


def json_number(value: float | None) -> float | int | None:
    """A value for JSON and commands: whole numbers as int (1245, not 1245.0), others as they
    are, None when not published."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _grouped(value: Decimal, places: int) -> str:
    return number_format(value, places, use_l10n=True, force_grouping=True)


def money(amount: Decimal | float | int | None) -> str:
    """An amount in euros: "€ 200.000", "€ 1.234,50", "€ \u22124.500" in Dutch (whole euros
    unless there are cents), "€ 200,000" in English; "–" when there is none."""
    if amount is None:
        return "–"
    cents = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = _grouped(abs(cents), 2 if cents % 1 else 0)
    return f"€ {MINUS}{text}" if cents < 0 else f"€ {text}"


def fte(value: Decimal | float) -> str:
    """Capacity: "1,5 fte", "3 fte", "0,25 fte" (as many decimals as the value has)."""
    exact = Decimal(str(value))
    text = f"{abs(exact):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    shown = _grouped(Decimal(text), len(text.partition(".")[2]))
    sign = MINUS if exact < 0 and Decimal(text) != 0 else ""
    return f"{sign}{shown} fte"


def percent(value: float | None, decimals: int | None = None) -> str:
    """A percentage: "36,5 %"; "–" when not published."""
    return "–" if value is None else f"{num(value, decimals)} %"


def points(text: str) -> str:
    """A change of a percentage in procentpunten ("+2,5 procentpunt"), never in "%": ``text``
    is the change as written (signed, rounded) by the caller."""
    return _("%(difference)s percentage points") % {"difference": text}


def date(value: dt.date | dt.datetime | None) -> str:
    """A day as Dutch government texts write it, 06-12-2026, in every language (an unambiguous
    order; the English pages of a Dutch gemeente cite the same dates); "–" if none."""
    if value is None:
        return "–"
    return date_format(value, "d-m-Y")


def decimal_text(value: float | Decimal | str) -> str:
    """A number (or its plain text, 1234.5) with the active language's decimal sign and no
    grouping: CSV cells."""
    return str(value).replace(".", str(get_format("DECIMAL_SEPARATOR")))

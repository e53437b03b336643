"""Numbers for people, in the active language's format; no models, so pure modules can use it."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format

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

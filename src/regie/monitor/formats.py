"""Numbers for people, in the active language's format; no models, so pure modules can use it."""

from __future__ import annotations

from django.utils.formats import number_format


def num(value: float | None, decimals: int | None = None) -> str:
    """A number in the active language's format (1.245 · 36,5); "–" when not published."""
    if value is None:
        return "–"
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 1
    rounded = round(value, decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    return number_format(rounded, decimals, use_l10n=True, force_grouping=True)

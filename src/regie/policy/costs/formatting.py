"""Amounts and fte the Dutch way ("€ 1.234,50", "1,5 fte") and month names in sentences."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils.dates import MONTHS

from regie.core import formats


def euro(amount: Decimal) -> str:
    """Dutch money: "€ 200.000", "€ 1.234,50" (:func:`regie.core.formats.money`)."""
    return formats.money(amount)


def format_fte(value: Decimal) -> str:
    """Dutch fte: "1,5 fte", "3 fte", "0,25 fte" (:func:`regie.core.formats.fte`)."""
    return formats.fte(value)


def _month_name(start: date) -> str:
    return str(MONTHS[start.month])

"""core.formats: one home for numbers, money, percentages, procentpunten and dates on pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from regie.core import formats


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nl", ("€ 1.234,50", "€ 200.000", "1,5 fte", "36,5 %", "+2,5 procentpunt", "1.245")),
        ("en", ("€ 1,234.50", "€ 200,000", "1.5 fte", "36.5 %", "+2.5 percentage points", "1,245")),
    ],
)
def test_numbers_follow_the_active_language(language: str, expected: tuple[str, ...]) -> None:
    with translation.override(language):
        got = (
            formats.money(Decimal("1234.5")),
            formats.money(200000),
            formats.fte(Decimal("1.50")),
            formats.percent(36.5),
            formats.points("+" + formats.num(2.5)),
            formats.num(1245),
        )
    assert got == expected


def test_negative_amounts_use_the_minus_sign_and_missing_values_a_dash() -> None:
    with translation.override("nl"):
        assert formats.money(-4500) == "€ \u22124.500"
        assert formats.money(None) == "–"
        assert formats.percent(None) == "–"
        assert formats.date(None) == "–"


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_day_is_written_day_month_year(language: str) -> None:
    with translation.override(language):
        assert formats.date(dt.date(2026, 12, 6)) == "06-12-2026"


@pytest.mark.parametrize(("language", "expected"), [("nl", "1234,5"), ("en", "1234.5")])
def test_csv_numbers_have_the_languages_decimal_sign_and_no_grouping(
    language: str, expected: str
) -> None:
    with translation.override(language):
        assert formats.decimal_text(1234.5) == expected

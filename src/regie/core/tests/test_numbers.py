"""Dutch number input (:mod:`regie.core.numbers`): parse, format, the form field and widget."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django import forms
from hypothesis import given
from hypothesis import strategies as st

from regie.core.numbers import NumberError, NumberField, NumberInput, format_number, parse


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("44000,50", Decimal("44000.50")),
        ("44.000,50", Decimal("44000.50")),
        ("1.000.000", Decimal("1000000")),
        ("1.000", Decimal("1000")),
        ("7,5", Decimal("7.5")),
        ("0,125", Decimal("0.125")),
        ("-3", Decimal("-3")),
        ("\u22123", Decimal("-3")),
        ("€ 44.000,50", Decimal("44000.50")),
        ("€\u00a01.234", Decimal("1234")),
        ("7,5 %", Decimal("7.5")),
        ("75%", Decimal("75")),
        ("1 000 000", Decimal("1000000")),
        ("  12  ", Decimal("12")),
        ("+4", Decimal("4")),
    ],
)
def test_dutch_notation_is_read_as_dutch(typed: str, expected: Decimal) -> None:
    assert parse(typed) == expected


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("1.5", "1,5"),  # English decimals
        ("1.00", "1,5"),
        ("12.5", "1,5"),
        ("10.00.000", "1,5"),  # dots not in groups of three
        ("1,000", "1.000"),  # one, or a thousand?
        ("25,500", "1.000"),
        ("1,000.50", "1.000,50"),
        ("1,000,5", "1.000,5"),
        ("abc", "7,5"),
        ("", "7,5"),
        ("1,", "7,5"),
        ("--1", "7,5"),
    ],
)
def test_ambiguous_or_malformed_input_is_refused_naming_what_was_typed(
    typed: str, hint: str
) -> None:
    with pytest.raises(NumberError) as refused:
        parse(typed)
    message = str(refused.value)
    assert f"{typed}”" in message  # the typed text is named (quoted)
    assert hint in message


def test_formatting_is_dutch_and_years_are_never_grouped() -> None:
    assert format_number(7.3) == "7,3"
    assert format_number(75.0) == "75"
    assert format_number(Decimal("44000.50")) == "44.000,50"
    assert format_number(Decimal("44000.00")) == "44.000"
    assert format_number(1234567) == "1.234.567"
    assert format_number(-1234.5) == "-1.234,5"
    assert format_number(2025, grouping=False) == "2025"
    assert format_number(Decimal("1.005"), places=2) == "1,01"  # half up, as every display


@given(
    st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False),
    st.booleans(),
)
def test_format_then_parse_gives_the_same_decimal(value: Decimal, grouping: bool) -> None:
    assert parse(format_number(value, grouping=grouping)) == value


@given(
    st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False).filter(
        # Tinier floats print as more than MAX_TYPED characters, which a form refuses.
        lambda v: v == 0 or abs(v) >= 1e-12
    )
)
def test_format_then_parse_gives_the_same_float(value: float) -> None:
    assert float(parse(format_number(value))) == value


class _Form(forms.Form):
    amount = NumberField(max_digits=12, decimal_places=2, required=False)
    target = NumberField(kind="float", required=False, min_value=0)
    year = NumberField(kind="int", grouping=False, required=False)


def test_the_field_returns_the_kind_asked_for_and_checks_decimals() -> None:
    form = _Form({"amount": "44000,50", "target": "7,5", "year": "2025"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"amount": Decimal("44000.50"), "target": 7.5, "year": 2025}
    too_precise = _Form({"amount": "12,3456", "year": "2025,5"})
    assert not too_precise.is_valid()
    assert "12,3456”" in too_precise.errors["amount"][0]
    assert "2" in too_precise.errors["amount"][0]
    assert "2025,5”" in too_precise.errors["year"][0]
    too_large = _Form({"amount": "10.000.000.000"})
    assert not too_large.is_valid()
    assert "9.999.999.999" in too_large.errors["amount"][0]
    negative = _Form({"target": "-3"})
    assert not negative.is_valid()
    assert "target" in negative.errors


def test_the_widget_is_a_text_input_with_a_decimal_keyboard_showing_dutch_values() -> None:
    form = _Form(initial={"amount": Decimal("44000.50"), "target": 7.3, "year": 2025})
    html = str(form["amount"]) + str(form["target"]) + str(form["year"])
    assert 'type="text"' in html
    assert 'type="number"' not in html
    assert 'inputmode="decimal"' in html
    assert 'value="44.000,50"' in html
    assert 'value="7,3"' in html
    assert 'value="2025"' in html
    # what the user typed is shown as typed when it is refused
    bound = _Form({"amount": "1.5"})
    assert not bound.is_valid()
    assert 'value="1.5"' in str(bound["amount"])
    assert isinstance(bound.fields["amount"].widget, NumberInput)


@pytest.mark.parametrize("typed", ["1" + "0" * 5000, "1.000" * 60_000, "9" * 101])
def test_a_very_long_number_is_refused_before_any_arithmetic(typed: str) -> None:
    # Thousands of digits would cost seconds of CPU (and a 500 beyond 4,300 digits).
    form = _Form(data={"amount": typed})
    assert not form.is_valid()
    assert "too long" in form.errors["amount"][0] or "te lang" in form.errors["amount"][0]
    assert len(form.errors["amount"][0]) < 200  # the input is not echoed back whole


def test_decimals_beyond_the_context_precision_are_not_rounded_away() -> None:
    form = _Form(data={"amount": "1,00000000000000000000000000001"})
    assert not form.is_valid()
    assert "amount" in form.errors
    assert parse("-" + "1" * 35) == Decimal("-" + "1" * 35)


def test_a_sign_is_read_only_where_it_belongs() -> None:
    class Signs(forms.Form):
        amount = NumberField(max_digits=12, decimal_places=2, signs="€", required=False)
        target = NumberField(kind="float", signs="%", required=False)

    form = Signs(data={"amount": "€ 44.000,50", "target": "58 %"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"amount": Decimal("44000.50"), "target": 58.0}
    wrong = Signs(data={"amount": "7,5 %", "target": "€ 7,5"})
    assert not wrong.is_valid()
    assert "%" in wrong.errors["amount"][0]  # never stored as € 7,50
    assert "€" in wrong.errors["target"][0]

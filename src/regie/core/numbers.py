"""Numbers as a Dutch user types and reads them: one home for the rule (issue 15).

A comma is the decimal separator; a dot separates thousands, and only in groups of three
(``1.000.000``, ``44.000,50``). A euro or percent sign, spaces and non-breaking spaces are
ignored; a leading minus sign may be a hyphen or the true minus (U+2212). Anything that could be
read two ways is refused with a message that names what was typed: ``1.5`` (English decimals),
``1,000`` (one, or a thousand?), ``1.00``, ``1,000.50``, ``1,000,5``.

:func:`parse` reads text into an exact :class:`~decimal.Decimal`; :func:`format_number` writes a
number the way :func:`parse` reads it back (``7,3``, ``44.000,50``, a year without grouping).
:class:`NumberField` is the form field every number, amount and percentage field of the product
uses, with :class:`NumberInput` (a text input with ``inputmode="decimal"``: a ``type="number"``
input would refuse a comma in some browsers and show ``7.3`` in others).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import Any

from django import forms
from django.core import validators
from django.utils.translation import gettext as _

__all__ = [
    "NumberError",
    "NumberField",
    "NumberInput",
    "format_number",
    "parse",
]

#: Characters that carry no meaning in a typed number: currency and percent signs, spaces of
#: every width (a copied amount often holds a non-breaking or narrow space).
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f\u2009]+")
#: The signs a number may carry; a field says which of them fit it (``signs``).
SIGNS = "€%"
_MINUS = ("-", "\u2212", "\u2013")
_DUTCH = re.compile(r"^(?P<whole>\d+|\d{1,3}(?:\.\d{3})+)(?:,(?P<fraction>\d+))?$")
#: "1,000" or "25,500": a comma before exactly three digits, a whole part an English reader
#: would take for thousands.
_COMMA_THOUSANDS = re.compile(r"^[1-9]\d{0,2}(?:,\d{3})+$")
_ENGLISH = re.compile(r"^\d{1,3}(?:,\d{3})*\.\d+$")
_DOT_DECIMALS = re.compile(r"^\d+(?:\.\d+)+$")


#: Beyond this a number without ``max_digits`` is refused: no target or figure is that large,
#: and a float would lose its digits (or become infinite).
_LARGEST = Decimal(10) ** 15


class NumberError(ValueError):
    """Text that is not a number in Dutch notation; ``str(error)`` is the user's message."""


def _strip(text: str, signs: str = SIGNS) -> tuple[bool, str]:
    """(negative, the digits and separators) with spaces and the allowed ``signs`` removed."""
    ignored = re.compile(_SPACES.pattern + ("|[" + re.escape(signs) + "]" if signs else ""))
    body = ignored.sub("", text)
    negative = False
    if body.startswith(_MINUS):
        negative, body = True, body[1:]
    elif body.startswith("+"):
        body = body[1:]
    body = ignored.sub("", body)
    return negative, body


def _problem(typed: str, body: str) -> str:
    """The message for text that does not match Dutch notation, naming what was typed."""
    if body.count(",") > 1 and not _COMMA_THOUSANDS.match(body):
        return _(
            "“%(value)s” has more than one comma. A number has at most one comma, before the "
            "decimals, for example 1.000,5."
        ) % {"value": typed}
    if _COMMA_THOUSANDS.match(body):
        return _(
            "“%(value)s” can be read two ways. Use a dot for thousands (1.000 is a thousand) "
            "and a comma for decimals, for example 1,5."
        ) % {"value": typed}
    if _ENGLISH.match(body) and "," in body:
        return _(
            "“%(value)s” is written the English way. Use a dot for thousands and a comma for "
            "decimals, for example 1.000,50."
        ) % {"value": typed}
    if _DOT_DECIMALS.match(body):
        return _(
            "“%(value)s” is not clear: a dot separates thousands in groups of three. Use a comma "
            "for decimals, for example 1,5."
        ) % {"value": typed}
    return _(
        "“%(value)s” is not a number. Type digits with a comma for decimals, for example 1.250 "
        "or 7,5."
    ) % {"value": typed}


#: The longest text read as a number (far beyond any amount; thousands of digits cost seconds).
MAX_TYPED = 100


def parse(text: str, *, signs: str = SIGNS) -> Decimal:
    """The exact number ``text`` means in Dutch notation; :class:`NumberError` if unclear.

    ``"44000,50"`` → 44000.50, ``"1.000.000"`` → 1000000, ``"€ 1.234,5"`` → 1234.5,
    ``"7,5 %"`` → 7.5, ``"-3"`` → -3. ``"1.5"``, ``"1,000"``, ``"1.00"`` and ``"1,000,5"`` are
    refused.
    """
    typed = text.strip()
    if len(typed) > MAX_TYPED:
        # Refused before any arithmetic: converting a number of thousands of digits costs
        # seconds of CPU (and Python refuses it as text beyond 4,300 digits).
        raise NumberError(
            _("“%(value)s…” is too long for a number: at most %(length)s characters.")
            % {"value": typed[:20], "length": MAX_TYPED}
        )
    negative, body = _strip(typed, signs)
    wrong = [sign for sign in SIGNS if sign not in signs and sign in body]
    if wrong:
        raise NumberError(
            _("“%(value)s”: the sign %(sign)s does not belong to this field; type the number only.")
            % {"value": typed, "sign": wrong[0]}
        )
    found = _DUTCH.match(body)
    if found is None:
        raise NumberError(_problem(typed, body))
    if _COMMA_THOUSANDS.match(body):
        raise NumberError(_problem(typed, body))
    whole = found.group("whole").replace(".", "")
    fraction = found.group("fraction")
    try:
        number = Decimal(f"{whole}.{fraction}" if fraction is not None else whole)
    except InvalidOperation as error:  # pragma: no cover - the pattern admits digits only
        raise NumberError(_problem(typed, body)) from error
    return number.copy_negate() if negative else number


def _group(digits: str) -> str:
    head = len(digits) % 3 or 3
    return ".".join([digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)])


def format_number(
    value: Decimal | float | int, *, places: int | None = None, grouping: bool = True
) -> str:
    """``value`` in Dutch notation, read back by :func:`parse` to the same number.

    ``places`` rounds to that many decimals; otherwise a float shows its shortest exact form
    (7.3 → ``7,3``) and a Decimal its stored digits (``44.000,50``), but whole numbers without
    ``,00``. ``grouping=False`` is for years and other codes (``2025``, never ``2.025``).
    """
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    number = value if isinstance(value, Decimal) else Decimal(repr(value))
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{abs(number):f}"
    whole, _dot, fraction = text.partition(".")
    if places is None and not fraction.strip("0"):
        fraction = ""
    whole = _group(whole) if grouping else whole
    sign = "-" if number < 0 and (whole.strip("0.") or fraction.strip("0")) else ""
    return f"{sign}{whole},{fraction}" if fraction else f"{sign}{whole}"


class NumberInput(forms.TextInput):
    """A text input for a number: the keyboard with a comma, the value shown the Dutch way.

    A value typed by the user (a string) is shown as typed, so a refused input stays visible.
    """

    def __init__(
        self,
        attrs: dict[str, Any] | None = None,
        *,
        grouping: bool = True,
        places: int | None = None,
        integer: bool = False,
    ) -> None:
        defaults = {"inputmode": "numeric" if integer else "decimal", "autocomplete": "off"}
        super().__init__({**defaults, **(attrs or {})})
        self.grouping = grouping
        self.places = places

    def format_value(self, value: Any) -> str | None:
        if value is None or value == "":
            return None
        if isinstance(value, Decimal | float | int) and not isinstance(value, bool):
            try:
                return format_number(value, grouping=self.grouping)
            except ValueError:
                return str(value)
        return str(value)


class NumberField(forms.Field):
    """A number typed in Dutch notation (see :func:`parse`).

    ``decimal_places`` limits the decimals (None: any), ``max_digits`` the digits in all (as a
    model's DecimalField). ``kind`` is what :meth:`to_python` returns: ``"decimal"`` (exact,
    for money and fte), ``"float"`` (targets and figures) or ``"int"`` (years, counts, order:
    no decimals). ``grouping=False`` shows a year as ``2025``. ``signs`` are the signs the
    value may carry ("€" for an amount, "%" for a figure that may be a percentage); any other
    sign is refused, so "7,5 %" is never stored as € 7,50.
    """

    widget = NumberInput
    default_error_messages = {"invalid": "%(message)s"}

    def __init__(
        self,
        *,
        kind: str = "decimal",
        decimal_places: int | None = None,
        max_digits: int | None = None,
        min_value: Decimal | float | int | None = None,
        max_value: Decimal | float | int | None = None,
        grouping: bool = True,
        signs: str = "",
        **kwargs: Any,
    ) -> None:
        if kind not in ("decimal", "float", "int"):
            raise ValueError(f"unknown kind {kind!r}")
        self.kind = kind
        self.decimal_places = 0 if kind == "int" else decimal_places
        self.max_digits = max_digits
        self.min_value, self.max_value = min_value, max_value
        self.grouping = grouping
        self.signs = signs
        kwargs.setdefault("widget", NumberInput(grouping=grouping, integer=kind == "int"))
        super().__init__(**kwargs)
        if min_value is not None:
            self.validators.append(validators.MinValueValidator(min_value))
        if max_value is not None:
            self.validators.append(validators.MaxValueValidator(max_value))

    def to_python(self, value: Any) -> Decimal | float | int | None:
        if value in self.empty_values:
            return None
        if isinstance(value, bool):
            raise forms.ValidationError(_("A yes or no is not a number."), code="invalid")
        if isinstance(value, Decimal | float | int):
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
            if not number.is_finite():
                raise forms.ValidationError(
                    _("“%(value)s” is not a number.") % {"value": value}, code="invalid"
                )
            typed = format_number(number, grouping=self.grouping)
        else:
            typed = str(value).strip()
            try:
                number = parse(typed, signs=self.signs)
            except NumberError as error:
                raise forms.ValidationError(str(error), code="invalid") from error
        self._check_digits(number, typed)
        if self.max_digits is None and abs(number) >= _LARGEST:
            raise forms.ValidationError(
                _("“%(value)s” is too large: at most %(largest)s.")
                % {"value": typed, "largest": format_number(_LARGEST - 1)},
                code="max_digits",
            )
        if self.kind == "int":
            return int(number)
        if self.kind == "float":
            return float(number)
        return number

    def _check_digits(self, number: Decimal, typed: str) -> None:
        exponent = number.as_tuple().exponent
        decimals = max(0, -exponent) if isinstance(exponent, int) else 0
        # "44.000,50" and "44.000,5" are the same amount; only digits that matter count.
        with localcontext() as exact:
            exact.prec = 2 * MAX_TYPED  # normalize() must not round what was typed
            significant = number.normalize().as_tuple().exponent
        needed = max(0, -significant) if isinstance(significant, int) else decimals
        if self.decimal_places is not None and needed > self.decimal_places:
            if self.decimal_places == 0:
                message = _("“%(value)s” is not a whole number; type it without decimals.")
            else:
                message = _(
                    "“%(value)s” has too many decimals: at most %(places)s after the comma."
                )
            raise forms.ValidationError(
                message % {"value": typed, "places": self.decimal_places}, code="max_decimal_places"
            )
        if self.max_digits is not None:
            whole_digits = number.adjusted() + 1 if abs(number) >= 1 else 0
            allowed = self.max_digits - (self.decimal_places or 0)
            if whole_digits > allowed:
                largest = format_number(Decimal(10) ** allowed - 1)
                raise forms.ValidationError(
                    _("“%(value)s” is too large: at most %(largest)s.")
                    % {"value": typed, "largest": largest},
                    code="max_digits",
                )

    def prepare_value(self, value: Any) -> Any:
        """A stored number as the form shows it (``7,3``); typed text stays as typed."""
        if isinstance(value, Decimal | float | int) and not isinstance(value, bool):
            try:
                return format_number(value, grouping=self.grouping)
            except ValueError:
                return str(value)
        return value

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs

"""What the Beleid forms share: the concurrency check, the token-less create form, common fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from regie.core.concurrency import CheckedForm
from regie.core.numbers import NumberField
from regie.policy.models import SafetyTheme

#: The concurrency check and the token-less create form live in core (every app's forms).
_Checked = CheckedForm


def _key_field() -> forms.SlugField:
    return forms.SlugField(
        label=_("Key"),
        max_length=60,
        required=False,
        help_text=_(
            "Short name used in the plan file and the API (letters, digits, hyphens). Left "
            "empty, it is made from the title."
        ),
    )


def _year_field(label: Any, *, required: bool = True) -> NumberField:
    """A year: a whole number shown without a thousands dot (2025, never 2.025)."""
    return NumberField(
        kind="int", label=label, min_value=2000, max_value=2100, grouping=False, required=required
    )


def _amount_field(label: Any, *, required: bool = True, **kwargs: Any) -> NumberField:
    """Euros with cents, typed the Dutch way (44.000,50)."""
    return NumberField(
        label=label, max_digits=12, decimal_places=2, required=required, signs="€", **kwargs
    )


def _position_field() -> NumberField:
    return NumberField(
        kind="int",
        grouping=False,
        label=_("Order"),
        min_value=0,
        max_value=32767,
        required=False,
        help_text=_("Lower numbers come first. Left empty: at the end."),
    )


def _safety_themes_field() -> forms.ModelMultipleChoiceField:  # type: ignore[type-arg]
    return forms.ModelMultipleChoiceField(
        label=_("KBV themes"),
        queryset=SafetyTheme.objects.select_related("field").order_by(
            "field__position", "position"
        ),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("The themes of the Kernbeleid Veiligheid this item belongs to (optional)."),
    )

"""What the Beleid forms share: the concurrency check, the token-less create form, common fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from regie.core.concurrency import ConcurrencyFormMixin
from regie.core.numbers import NumberField
from regie.policy.models import SafetyTheme


def without_token(form: forms.Form) -> forms.Form:
    """A create form: there is no stored object whose changes the token would detect."""
    form.fields.pop("edit_token", None)
    return form


class _Checked(ConcurrencyFormMixin):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "edit_token" in self.fields:
            self.check_concurrency()
        return cleaned


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


class VersionForm(ConcurrencyFormMixin):
    """Only the version the page showed, for a confirmation (delete, new version): the service
    refuses it when the item changed meanwhile."""

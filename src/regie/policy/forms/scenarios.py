"""Forms of the scenarios and their money: capacity lines, budget lines, stated figures."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from regie.core.numbers import NumberField
from regie.policy.forms.common import _amount_field, _Checked, _position_field, _year_field


class ScenarioForm(_Checked):
    letter = forms.RegexField(
        label=_("Scenario"),
        regex=r"^[A-Z]{1,2}$",
        max_length=2,
        help_text=_("A capital letter: A, B or C."),
        error_messages={"invalid": _("Use one or two capital letters, e.g. A.")},
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("What it buys"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class CapacityLineForm(_Checked):
    label = forms.CharField(label=_("Line"), max_length=200)
    fte_extra = NumberField(
        label=_("Extra fte"), max_digits=6, decimal_places=2, min_value=0, initial=0
    )
    fte_total = NumberField(
        label=_("Fte in total"), max_digits=6, decimal_places=2, min_value=0, required=False
    )
    amount = _amount_field(_("€ per full year"), min_value=0)
    cap = _amount_field(
        _("Cap (€ per year)"),
        min_value=0,
        required=False,
        help_text=_("The most the council makes available for this line per year (optional)."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    position = _position_field()


class BudgetLineForm(_Checked):
    label = forms.CharField(label=_("Line"), max_length=200)
    year = _year_field(_("Year"))
    recurring = forms.BooleanField(
        label=_("Structural: counts in this year and every later plan year"),
        required=False,
        help_text=_(
            "Structureel budget recurs every year until a later structural line with the same "
            "name replaces it; leave unticked for an incidental amount of this year only (on "
            "top of a structural one). A structural line of a year before the plan counts in "
            "every plan year."
        ),
    )
    amount = _amount_field(_("Amount (€)"))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    position = _position_field()


class StatedFigureForm(_Checked):
    label = forms.CharField(
        label=_("What"),
        max_length=200,
        help_text=_("The figure as the council proposal states it, e.g. “extra kosten 2024”."),
    )
    year = _year_field(_("Year"))
    through_end = forms.BooleanField(
        label=_("Applies to this year and every later plan year"), required=False
    )
    amount = _amount_field(_("Amount (€)"))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

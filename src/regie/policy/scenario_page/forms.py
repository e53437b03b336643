"""The scenario page's forms: the council's choice of a scenario and the cost calculator (GET)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from regie.policy import costs
from regie.policy.models import Scenario, Theme

#: Query parameters of the calculator (the URL is Dutch like the rest of the site's URLs).
START = "start"
CAPS = "plafond"
CAP_MODE = "deeljaar"
_WITH_CAPS, _WITHOUT_CAPS = "met", "zonder"
_CAP_MODES: dict[str, costs.CapMode] = {"naar-rato": "prorate", "kalenderjaar": "calendar"}


_RADIO = "utrecht-radio-button utrecht-radio-button--html-input"


def theme_field(theme: Theme) -> str:
    """The calculator's query parameter for a theme's letter: ``thema.<priority>.<theme>`` keys.

    Made of keys (a slug never holds a dot), not ids: a calculation kept as a link still works on
    the plan's next version, whose themes are copies with new ids. ``theme.priority`` is read.
    """
    return f"thema.{theme.priority.key}.{theme.key}"


# --- forms --------------------------------------------------------------------------------------


class ChooseForm(forms.Form):
    """The council's choice of one scenario; the decision date is optional.

    ``edit_token`` is the theme's choice as the page showed it (:func:`services.choice_version`):
    a choice someone else recorded meanwhile is not overruled unseen.
    """

    edit_token = forms.CharField(widget=forms.HiddenInput, required=False)

    decided_on = forms.DateField(
        label=gettext_lazy("Council decision on"),
        required=False,
        help_text=gettext_lazy("dd-mm-jjjj; left empty, the plan's decision date stays."),
    )


def choose_form(
    scenario: Scenario, data: Mapping[str, Any] | None = None, *, chosen: Scenario | None = None
) -> ChooseForm:
    """The choose form of one scenario (ids unique on the page, one form per column); ``chosen``
    is the theme's chosen scenario the page shows."""
    version = str(chosen.pk if chosen is not None else 0)
    return ChooseForm(data, auto_id=f"id_%s_{scenario.pk}", initial={"edit_token": version})


class CalculatorForm(forms.Form):
    """One scenario per theme, the start date and the caps; nothing is stored."""

    start = forms.DateField(
        label=gettext_lazy("Extra capacity starts on"),
        required=False,
        help_text=gettext_lazy(
            "dd-mm-jjjj. The start year counts from this month (pro rata); left empty, the "
            "plan's start date is used."
        ),
    )
    plafond = forms.ChoiceField(
        label=gettext_lazy("Caps"),
        choices=[
            (_WITH_CAPS, gettext_lazy("Apply the caps")),
            (_WITHOUT_CAPS, gettext_lazy("Without caps (what the scenarios ask)")),
        ],
        widget=forms.RadioSelect(attrs={"class": _RADIO}),
    )
    deeljaar = forms.ChoiceField(
        label=gettext_lazy("A cap in the start year"),
        choices=[
            ("naar-rato", gettext_lazy("Shrinks with the months, like the amount (default)")),
            ("kalenderjaar", gettext_lazy("Limits the spending of the calendar year")),
        ],
        widget=forms.RadioSelect(attrs={"class": _RADIO}),
    )

    def __init__(self, *args: Any, themes: Sequence[Theme], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for theme in themes:
            choices = [
                (s.letter, _("%(letter)s: %(title)s") % {"letter": s.letter, "title": s.title})
                for s in theme.scenarios.all()
            ]
            choices.append(("", _("Not included")))
            self.fields[theme_field(theme)] = forms.ChoiceField(
                label=theme.title,
                choices=choices,
                required=False,
                widget=forms.RadioSelect(attrs={"class": _RADIO}),
            )

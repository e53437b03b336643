"""Forms of a plan and its structure: the plan, adoption, priorities, themes, goals, overrides,
snapshots and the plan file import.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from regie.core.uploads import validate_upload_size
from regie.policy import engine, plan_file
from regie.policy.engine import Status
from regie.policy.forms.common import (
    _Checked,
    _key_field,
    _position_field,
    _safety_themes_field,
    _year_field,
)
from regie.policy.models import PriorityKind

#: The largest plan file the browser accepts (a plan of 200 indicators is about 150 kB).
MAX_PLAN_FILE = plan_file.MAX_BYTES


class PlanForm(_Checked):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea)
    start_year = _year_field(_("First year"))
    end_year = _year_field(_("Last year"))
    costs_start = forms.DateField(
        label=_("Extra capacity starts on"),
        required=False,
        help_text=_("Costs of the chosen scenarios count pro rata from this month (dd-mm-jjjj)."),
    )
    decision_date = forms.DateField(label=_("Council decision on the scenarios"), required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("start_year"), cleaned.get("end_year")
        if start and end and end < start:
            self.add_error("end_year", _("The last year cannot come before the first year."))
        elif start and end and end - start > 20:
            self.add_error("end_year", _("A plan period is at most 20 years."))
        return cleaned


class AdoptForm(_Checked):
    adopted_on = forms.DateField(
        label=_("Adopted by the council on"), help_text=_("The date of the council decision.")
    )
    confirm = forms.BooleanField(
        label=_("I understand that the adopted plan can no longer be changed."), required=True
    )

    def clean_adopted_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["adopted_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The council cannot have decided in the future."))
        return value


class OverrideForm(forms.Form):
    #: The version of the status history the page showed (:func:`services.history_version`).
    edit_token = forms.CharField(widget=forms.HiddenInput, required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Computed status (withdraw the override)"))]
        + [(s.value, engine.STATUS_LABELS[s]) for s in Status],
        required=False,
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the computed status does not tell the whole story. Kept in the history."),
    )


class SnapshotForm(forms.Form):
    label = forms.CharField(
        label=_("Reporting moment"),
        max_length=40,
        help_text=_("For example 2024H2 or “Voortgangsrapportage 2025”."),
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Plan file (YAML)"),
        help_text=_("A file exported from Veiligheidsregie, possibly edited. At most 1 MB."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        # The import view stops a larger file while it arrives (core.uploads.upload_limit); this
        # says so in the form, before anything of the file is read.
        validate_upload_size(upload, MAX_PLAN_FILE)
        return upload


class PriorityForm(_Checked):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=PriorityKind.choices)
    key = _key_field()
    aim = forms.CharField(label=_("Aim"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    position = _position_field()


class ThemeForm(_Checked):
    title = forms.CharField(label=_("Title"), max_length=200)
    key = _key_field()
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    safety_themes = _safety_themes_field()
    position = _position_field()


class GoalForm(_Checked):
    aim = forms.CharField(
        label=_("Goal"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Short and checkable, for example “Het rapportcijfer blijft 7,3 of hoger”."),
    )
    key = _key_field()
    safety_themes = _safety_themes_field()
    position = _position_field()

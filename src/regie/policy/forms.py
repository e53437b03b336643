"""Forms of the Beleid pages. They validate input; :mod:`regie.policy.services` writes.

Edit forms carry the concurrency token (:class:`regie.core.concurrency.ConcurrencyFormMixin`): a
save over someone else's change is refused with the input kept. A create form has no object yet,
so :func:`without_token` drops the token field.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from regie.areas.models import Area, AreaLevel
from regie.core.concurrency import ConcurrencyFormMixin
from regie.core.models import Organisation
from regie.core.uploads import validate_upload_size
from regie.monitor import periods
from regie.monitor.models import Measure
from regie.monitor.selectors import pickable_measures
from regie.policy import engine, plan_file
from regie.policy.engine import Status, TargetKind
from regie.policy.models import PriorityKind, SafetyTheme

#: The largest plan file the browser accepts (a plan of 200 indicators is about 150 kB).
MAX_PLAN_FILE = plan_file.MAX_BYTES

TARGET_KIND_CHOICES = [
    (TargetKind.AT_LEAST.value, _("Threshold: at least (≥) the target value")),
    (TargetKind.AT_MOST.value, _("Threshold: at most (≤) the target value")),
    (TargetKind.NOT_UP.value, _("Direction: decrease or stay the same against the baseline")),
    (TargetKind.NOT_DOWN.value, _("Direction: increase or stay the same against the baseline")),
    (TargetKind.TRAJECTORY.value, _("Trajectory: from a start value to a goal value")),
]


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


def _position_field() -> forms.IntegerField:
    return forms.IntegerField(
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


class PlanForm(_Checked):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea)
    start_year = forms.IntegerField(label=_("First year"), min_value=2000, max_value=2100)
    end_year = forms.IntegerField(label=_("Last year"), min_value=2000, max_value=2100)
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


class VersionForm(ConcurrencyFormMixin):
    """Only the version the page showed, for a confirmation (delete, new version): the service
    refuses it when the item changed meanwhile."""


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


def _areas_of(organisation: Organisation) -> Any:
    gemeente = Q(code=organisation.cbs_code)
    # wijken and buurten of today's indeling only (older buurt codes are history)
    wijk = Q(level=AreaLevel.WIJK, parent__code=organisation.cbs_code, active=True)
    buurt = Q(level=AreaLevel.BUURT, parent__parent__code=organisation.cbs_code, active=True)
    return Area.objects.filter(gemeente | wijk | buurt).order_by("code")


class MeasureChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Measure) -> str:
        return f"{obj.name} ({obj.code})"


class AreaChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Area) -> str:
        return f"{obj.name} ({obj.code})"


class IndicatorForm(_Checked):
    name = forms.CharField(label=_("Name"), max_length=200)
    key = _key_field()
    measure = MeasureChoice(label=_("Measure"), queryset=Measure.objects.none())
    area = AreaChoice(label=_("Area"), queryset=Area.objects.none())
    target_kind = forms.ChoiceField(label=_("Kind of target"), choices=TARGET_KIND_CHOICES)
    target_value = forms.FloatField(
        label=_("Target value"), required=False, help_text=_("For a threshold only.")
    )
    baseline_period = forms.CharField(
        label=_("Baseline period"),
        max_length=30,
        required=False,
        help_text=_("For a direction target: the period of the baseline, e.g. 2022 or 2023H1."),
    )
    baseline_value = forms.FloatField(
        label=_("Baseline value"),
        required=False,
        help_text=_("Left empty, it is read from the figures of the measure for the area."),
    )
    start_year = forms.IntegerField(
        label=_("Trajectory: start year"), required=False, min_value=2000, max_value=2100
    )
    start_value = forms.FloatField(label=_("Trajectory: start value"), required=False)
    end_year = forms.IntegerField(
        label=_("Trajectory: goal year"), required=False, min_value=2000, max_value=2100
    )
    end_value = forms.FloatField(label=_("Trajectory: goal value"), required=False)
    decimals = forms.IntegerField(
        label=_("Decimals shown"),
        min_value=0,
        max_value=4,
        initial=1,
        help_text=_("For display only: values are judged unrounded against the target as written."),
    )
    position = _position_field()

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        measure: Any = self.fields["measure"]
        area: Any = self.fields["area"]
        measure.queryset = pickable_measures(organisation).order_by("source", "name")
        area.queryset = _areas_of(organisation)

    def clean_baseline_period(self) -> str:
        code: str = self.cleaned_data["baseline_period"].strip()
        if not code:
            return ""
        try:
            return periods.parse(code).code
        except ValueError as error:
            raise forms.ValidationError(
                _("%(code)s is not a period (examples: 2022, 2023H1, 2023Q3, 2023M10).")
                % {"code": code}
            ) from error

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        kind = cleaned.get("target_kind")
        if not kind:
            return cleaned
        # Keep only what the kind uses, so that a switched kind leaves no stale numbers behind.
        target_kind = TargetKind(kind)
        if target_kind not in engine.THRESHOLDS:
            cleaned["target_value"] = None
        if target_kind != TargetKind.TRAJECTORY:
            for name in ("start_year", "start_value", "end_year", "end_value"):
                cleaned[name] = None
        if target_kind in engine.THRESHOLDS and cleaned.get("target_value") is None:
            self.add_error("target_value", _("A threshold needs a target value."))
        if target_kind == TargetKind.TRAJECTORY:
            for name in ("start_year", "start_value", "end_year", "end_value"):
                if cleaned.get(name) is None and name not in self.errors:
                    self.add_error(
                        name, _("A trajectory needs a start and a goal (year and value).")
                    )
            start, end = cleaned.get("start_year"), cleaned.get("end_year")
            if start is not None and end is not None and end <= start:
                self.add_error("end_year", _("The goal year must come after the start year."))
            if cleaned.get("start_value") is not None and cleaned.get("start_value") == cleaned.get(
                "end_value"
            ):
                self.add_error(
                    "end_value",
                    _(
                        "A trajectory must go somewhere; for a value that must hold, use a "
                        "threshold."
                    ),
                )
        if target_kind in engine.DIRECTIONS and not cleaned.get("baseline_period"):
            self.add_error(
                "baseline_period", _("A direction target needs the period of its baseline.")
            )
        return cleaned


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
    fte_extra = forms.DecimalField(
        label=_("Extra fte"), max_digits=6, decimal_places=2, min_value=0, initial=0
    )
    fte_total = forms.DecimalField(
        label=_("Fte in total"), max_digits=6, decimal_places=2, min_value=0, required=False
    )
    amount = forms.DecimalField(
        label=_("€ per full year"), max_digits=12, decimal_places=2, min_value=0
    )
    cap = forms.DecimalField(
        label=_("Cap (€ per year)"),
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("The most the council makes available for this line per year (optional)."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    position = _position_field()


class BudgetLineForm(_Checked):
    label = forms.CharField(label=_("Line"), max_length=200)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    amount = forms.DecimalField(label=_("Amount (€)"), max_digits=12, decimal_places=2)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    position = _position_field()


class StatedFigureForm(_Checked):
    label = forms.CharField(
        label=_("What"),
        max_length=200,
        help_text=_("The figure as the council proposal states it, e.g. “extra kosten 2024”."),
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    through_end = forms.BooleanField(
        label=_("Applies to this year and every later plan year"), required=False
    )
    amount = forms.DecimalField(label=_("Amount (€)"), max_digits=12, decimal_places=2)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

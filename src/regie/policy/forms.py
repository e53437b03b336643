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
from regie.core.numbers import NumberField
from regie.core.uploads import validate_upload_size
from regie.monitor.models import Measure, Source
from regie.monitor.selectors import pickable_measures
from regie.policy import engine, plan_file, scales
from regie.policy.engine import Status, TargetKind
from regie.policy.models import PriorityKind, SafetyTheme
from regie.stats import periods

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


class MeasurePicker(forms.Select):
    """A list of measures by name, grouped by source; each option carries its code as secondary
    data (``data-code``, the tooltip). Without JavaScript it is a plain list box that a keyboard
    searches by typing the first letters; ``measure_picker.js`` adds a filter box above it."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"size": 10, "data-measure-picker": "", **(attrs or {})})
        self.codes: dict[str, str] = {}

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option: dict[str, Any] = super().create_option(name, value, *args, **kwargs)
        code = self.codes.get(str(value))
        if code:
            option["attrs"] = {**option["attrs"], "data-code": code, "title": code}
        return option


def measure_choices(measures: Any) -> tuple[list[Any], dict[str, str]]:
    """The measures as option groups per source (in the order of :class:`Source`), each option
    its Dutch name; a name that occurs twice in a group gets its code to tell them apart. Also
    returns value → code for the options' secondary text."""
    by_source: dict[str, list[Measure]] = {}
    for measure in measures:
        by_source.setdefault(measure.source, []).append(measure)
    groups: list[Any] = []
    codes: dict[str, str] = {}
    labels = dict(Source.choices)
    for source in [s.value for s in Source] + sorted(set(by_source) - {s.value for s in Source}):
        found = sorted(by_source.get(source, []), key=lambda m: (m.name.casefold(), m.code))
        if not found:
            continue
        names = [m.name for m in found]
        options = []
        for measure in found:
            label = (
                measure.name
                if names.count(measure.name) == 1
                else f"{measure.name} ({measure.code})"
            )
            options.append((str(measure.pk), label))
            codes[str(measure.pk)] = measure.code
        groups.append((str(labels.get(source, source)), options))
    return groups, codes


class MeasureChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    widget = MeasurePicker

    def label_from_instance(self, obj: Measure) -> str:
        return obj.name


class AreaChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Area) -> str:
        return f"{obj.name} ({obj.code})"


class IndicatorForm(_Checked):
    name = forms.CharField(label=_("Name"), max_length=200)
    key = _key_field()
    measure = MeasureChoice(label=_("Measure"), queryset=Measure.objects.none())
    area = AreaChoice(label=_("Area"), queryset=Area.objects.none())
    target_kind = forms.ChoiceField(label=_("Kind of target"), choices=TARGET_KIND_CHOICES)
    target_value = NumberField(
        kind="float",
        signs="%",
        label=_("Target value"),
        required=False,
        help_text=_("For a threshold only. A comma for decimals: 7,5."),
    )
    baseline_period = forms.CharField(
        label=_("Baseline period"),
        max_length=30,
        required=False,
        help_text=_("For a direction target: the period of the baseline, e.g. 2022 or 2023H1."),
    )
    baseline_value = NumberField(
        kind="float",
        signs="%",
        label=_("Baseline value"),
        required=False,
        help_text=_("Left empty, it is read from the figures of the measure for the area."),
    )
    start_year = _year_field(_("Trajectory: start year"), required=False)
    start_value = NumberField(
        kind="float", signs="%", label=_("Trajectory: start value"), required=False
    )
    end_year = _year_field(_("Trajectory: goal year"), required=False)
    end_value = NumberField(
        kind="float", signs="%", label=_("Trajectory: goal value"), required=False
    )
    decimals = NumberField(
        kind="int",
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
        groups, codes = measure_choices(measure.queryset)
        measure.widget.choices = groups
        measure.widget.codes = codes
        measure.widget.attrs |= {
            "data-filter-label": _("Search a measure by name or code"),
            # {count} is filled in by measure_picker.js
            "data-filter-count": _("Measures found: {count}"),
            "data-filter-none": _("No measure matches; try fewer or other words."),
        }
        measure.help_text = _(
            "Measures by name, grouped by source. In the list, typing the first letters of a "
            "name jumps to it."
        )
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
        if (
            target_kind in engine.THRESHOLDS
            and cleaned.get("target_value") is None
            and "target_value" not in self.errors  # typed but unclear: that error says it
        ):
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
        measure = cleaned.get("measure")
        if measure is not None:
            for name in ("target_value", "start_value", "end_value", "baseline_value"):
                problem = scales.scale_problem(measure, cleaned.get(name))
                if problem and name not in self.errors:
                    self.add_error(name, problem)
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

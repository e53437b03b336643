"""The indicator form: a measure picked by name, an area of the gemeente, the target."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from regie.areas.models import Area, AreaLevel
from regie.core.models import Organisation
from regie.core.numbers import NumberField
from regie.monitor.models import Measure, Source
from regie.monitor.selectors import pickable_measures
from regie.policy import targets
from regie.policy.engine import TargetKind
from regie.policy.forms.common import _Checked, _key_field, _position_field, _year_field
from regie.policy.targets import IndicatorSpec

TARGET_KIND_CHOICES = [
    (TargetKind.AT_LEAST.value, _("Threshold: at least (≥) the target value")),
    (TargetKind.AT_MOST.value, _("Threshold: at most (≤) the target value")),
    (TargetKind.NOT_UP.value, _("Direction: decrease or stay the same against the baseline")),
    (TargetKind.NOT_DOWN.value, _("Direction: increase or stay the same against the baseline")),
    (TargetKind.TRAJECTORY.value, _("Trajectory: from a start value to a goal value")),
]


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
        max_value=targets.MAX_DECIMALS,
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
        try:
            return targets.baseline_period(self.cleaned_data["baseline_period"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("target_kind"):
            return cleaned
        # The rules of a target live in one place (regie.policy.targets); a field whose input
        # was unclear already has its error, and nothing more is said about it.
        spec = IndicatorSpec.from_mapping(cleaned).kept()
        for name in targets.TARGET_FIELDS:
            if name in cleaned:
                cleaned[name] = getattr(spec, name)
        # an unclear period still gets "needs the period" (as ever); other fields one error
        skip = frozenset(self.errors) - {"baseline_period"}
        for problem in targets.problems(spec, skip=skip):
            self.add_error(problem.field, problem.message)
        return cleaned

    def spec(self) -> IndicatorSpec:
        """The indicator as typed (after :meth:`is_valid`)."""
        return IndicatorSpec.from_mapping(self.cleaned_data)

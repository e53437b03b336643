"""The waterbed page's form: a measure by name, areas in their roles from lists, and the windows
before and after from the months that hold figures. Every problem is reported at once, on the
field it belongs to, and the user's choices are kept."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.forms.boundfield import BoundWidget
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from regie.monitor.models import Measure
from regie.stats.waterbed import Window, window_problems
from regie.veiligheidsbeeld import wording
from regie.veiligheidsbeeld.waterbed_data import (
    AreaMonths,
    Group,
    Month,
    group_label,
    missing_months_message,
    month_code,
    month_label,
    parse_month,
    window,
)

#: Area lists longer than this get a search field.
SEARCH_FROM = 12
AREA_FIELDS = ("target", "displacement", "control", "control_displacement")
_SELECT = "utrecht-select utrecht-select--html-select"
_CHECKBOX = "utrecht-checkbox utrecht-checkbox--html-input"
#: Where each kind of window problem is shown.
_WINDOW_FIELD = {
    "not_whole_months": "before_to",
    "order": "after_from",
    "unequal_length": "after_to",
    "overlap": "after_from",
    "different_months": "after_from",
    "covid": "after_from",
}


class WaterbedForm(forms.Form):
    measure = forms.ChoiceField(
        label=gettext_lazy("What do you want to count?"),
        help_text=gettext_lazy("Only counts with figures per month for this gemeente."),
        error_messages={
            "required": gettext_lazy("Choose what to count."),
            "invalid_choice": gettext_lazy(
                "This measure has no monthly figures for this gemeente; choose one from the list."
            ),
        },
    )
    search = forms.CharField(
        label=gettext_lazy("Search areas"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("Shows only areas whose name contains this text."),
    )
    target = forms.MultipleChoiceField(
        label=gettext_lazy("Target area"),
        help_text=gettext_lazy("Where the intervention took place."),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": gettext_lazy("Choose at least one target area."),
            "invalid_choice": gettext_lazy(
                "A chosen area is not an area of this gemeente with monthly figures of this "
                "measure; choose from the list."
            ),
        },
    )
    displacement = forms.MultipleChoiceField(
        label=gettext_lazy("Displacement area"),
        help_text=gettext_lazy(
            "The area around it, where the problem could move to (usually a neighbouring area)."
        ),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": gettext_lazy("Choose at least one displacement area."),
            "invalid_choice": gettext_lazy(
                "A chosen area has no monthly figures of this measure; choose from the list."
            ),
        },
    )
    control = forms.MultipleChoiceField(
        label=gettext_lazy("Control area"),
        help_text=gettext_lazy(
            "A comparable area further away, untouched by the intervention: it shows how the "
            "figure would have moved anyway."
        ),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": gettext_lazy("Choose at least one control area."),
            "invalid_choice": gettext_lazy(
                "A chosen area has no monthly figures of this measure; choose from the list."
            ),
        },
    )
    control_displacement = forms.MultipleChoiceField(
        label=gettext_lazy("Separate control area for the displacement area"),
        help_text=gettext_lazy("Optional; without a choice the control area serves both."),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": gettext_lazy(
                "A chosen area has no monthly figures of this measure; choose from the list."
            ),
        },
    )
    before_from = forms.ChoiceField(label=gettext_lazy("From"))
    before_to = forms.ChoiceField(label=gettext_lazy("up to and including"))
    after_from = forms.ChoiceField(label=gettext_lazy("From"))
    after_to = forms.ChoiceField(label=gettext_lazy("up to and including"))

    def __init__(
        self,
        *args: Any,
        measures: Sequence[Measure],
        areas: Sequence[AreaMonths],
        months: Sequence[Month],
        target_groups: Sequence[Group] = (Group.GEMEENTE, Group.WIJK, Group.BUURT),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.measures = {m.code: m for m in measures}
        self.areas = {a.code: a for a in areas}
        self.fields["measure"].choices = [(m.code, m.name) for m in measures]  # type: ignore[attr-defined]
        for name in AREA_FIELDS:
            self.fields[name].widget.attrs["class"] = _CHECKBOX
        own = [a for a in areas if a.group in target_groups]
        self.fields["target"].choices = _grouped(own)  # type: ignore[attr-defined]
        for name in ("displacement", "control", "control_displacement"):
            self.fields[name].choices = _grouped(areas)  # type: ignore[attr-defined]
        month_choices = _month_choices(months)
        for name in ("before_from", "before_to", "after_from", "after_to"):
            field = self.fields[name]
            field.choices = month_choices  # type: ignore[attr-defined]
            field.widget.attrs["class"] = _SELECT
            field.error_messages["required"] = _("Choose a month.")
            field.error_messages["invalid_choice"] = _(
                "No month with figures of this measure: choose one from the list."
            )

    # --- Rendering helpers -------------------------------------------------------------------

    def shown_areas(self) -> set[str]:
        """Codes of the areas to list: those matching the search text, and every chosen one."""
        text = str(self.data.get("search", "") if self.is_bound else "").strip().casefold()
        chosen = {code for name in AREA_FIELDS for code in self._raw_list(name)}
        return {code for code, area in self.areas.items() if text in area.name.casefold()} | chosen

    def area_groups(self, name: str) -> list[tuple[str, list[BoundWidget]]]:
        """The checkboxes of one role, grouped (own gemeente, wijken, …), search applied."""
        shown = self.shown_areas()
        groups: dict[str, list[BoundWidget]] = {}
        for widget in self[name].subwidgets:
            code = str(widget.data["value"])
            area = self.areas.get(code)
            if area is None or code not in shown:
                continue
            groups.setdefault(group_label(area.group), []).append(widget)
        return list(groups.items())

    @property
    def has_search(self) -> bool:
        return len(self.areas) > SEARCH_FROM

    def chosen(self, name: str) -> list[str]:
        """The codes chosen for one role, as submitted (valid or not)."""
        return self._raw_list(name)

    def _raw_list(self, name: str) -> list[str]:
        if not self.is_bound:
            value = self.initial.get(name) or []
            return [str(v) for v in value]
        getlist = getattr(self.data, "getlist", None)
        if getlist is not None:
            return [str(v) for v in getlist(name)]
        value = self.data.get(name) or []
        return [str(v) for v in (value if isinstance(value, list | tuple) else [value])]

    # --- Checks ------------------------------------------------------------------------------

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        self._check_roles(data)
        windows = self._check_windows(data)
        if windows is not None:
            self._check_months(data, windows)
        return data

    def _check_roles(self, data: dict[str, Any]) -> None:
        """One area, one role (a separate control of the displacement area may not repeat
        another role either; the same control for both is the default)."""
        seen: dict[str, str] = {}
        for name in AREA_FIELDS:
            codes = data.get(name) or []
            if name == "control_displacement" and set(codes) == set(data.get("control") or []):
                continue
            for code in codes:
                if code in seen:
                    self.add_error(
                        name,
                        _("%(area)s is already the %(role)s: an area can have only one role.")
                        % {
                            "area": self.areas[code].name,
                            "role": str(self.fields[seen[code]].label).lower(),
                        },
                    )
                else:
                    seen[code] = name

    def _check_windows(self, data: dict[str, Any]) -> tuple[Window, Window] | None:
        months = _chosen_months(data)
        if months is None:
            return None
        before_from, before_to, after_from, after_to = months
        if before_to < before_from:
            self.add_error("before_to", _("The window before ends before it starts."))
        if after_to < after_from:
            self.add_error("after_to", _("The window after ends before it starts."))
        if before_to < before_from or after_to < after_from:
            return None
        before, after = window(before_from, before_to), window(after_from, after_to)
        problems = window_problems(before, after)
        for problem in problems:
            field = _WINDOW_FIELD.get(problem.code, "after_from")
            self.add_error(field, wording.window_error(problem))
        return None if problems else (before, after)

    def _check_months(self, data: dict[str, Any], windows: tuple[Window, Window]) -> None:
        """Every chosen area must hold every month of both windows, complete."""
        for field_name, win in (("before_from", windows[0]), ("after_from", windows[1])):
            problems = []
            for name in AREA_FIELDS:
                for code in data.get(name) or []:
                    area = self.areas.get(code)
                    if area is None:
                        continue
                    missing = [m for m in win.months if m not in area.months]
                    if missing:
                        problems.append(missing_months_message(area, missing))
            for text in dict.fromkeys(problems):
                self.add_error(field_name, text)

    # --- The chosen windows ------------------------------------------------------------------

    def windows(self) -> tuple[Window, Window]:
        """The windows of a valid form."""
        months = _chosen_months(self.cleaned_data)
        if months is None:
            raise ValueError("the form holds no valid months")
        before_from, before_to, after_from, after_to = months
        return window(before_from, before_to), window(after_from, after_to)


def _chosen_months(data: dict[str, Any]) -> tuple[Month, Month, Month, Month] | None:
    found = [parse_month(str(data.get(name) or "")) for name in _window_names()]
    if any(m is None for m in found):
        return None
    first, second, third, fourth = (m for m in found if m is not None)
    return first, second, third, fourth


def _window_names() -> tuple[str, str, str, str]:
    return ("before_from", "before_to", "after_from", "after_to")


def _grouped(areas: Sequence[AreaMonths]) -> list[tuple[str, str]]:
    return [(a.code, a.name) for a in areas]


def _month_choices(months: Sequence[Month]) -> list[tuple[str, Any]]:
    """Months grouped by year (``<optgroup label="2024">``), labelled ``januari 2024``."""
    years: dict[int, list[tuple[str, str]]] = {}
    for month in months:
        years.setdefault(month[0], []).append((month_code(month), month_label(month)))
    return [(str(year), items) for year, items in sorted(years.items())]

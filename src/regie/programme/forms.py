"""Forms of the uitvoeringsprogramma pages. They validate input; :mod:`regie.programme.services`
writes.

Edit forms carry the concurrency token (:class:`regie.core.concurrency.ConcurrencyFormMixin`): a
save over someone else's change is refused with the input kept. Amounts are typed the Dutch way
(``12.000,50``) through :class:`regie.core.numbers.NumberField`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.forms.boundfield import BoundWidget
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from regie.core.concurrency import CheckedForm
from regie.core.numbers import NumberField
from regie.policy.models import CapacityLine, Goal, Plan
from regie.programme import selectors, services
from regie.programme.models import ActionStatus

_CHECKBOX = "utrecht-checkbox utrecht-checkbox--html-input"

#: The fields of an action that stay editable once the college adopted the programme (the
#: services' rule, in the form's order).
EXECUTION_FIELDS = services.EXECUTION_ORDER

_Checked = CheckedForm


def _amount_field(label: Any, **kwargs: Any) -> NumberField:
    """Euros with cents, typed the Dutch way (12.000,50)."""
    return NumberField(
        label=label,
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        signs="€",
        **kwargs,
    )


def half_year(day: dt.date | None = None) -> str:
    """The reporting moment of ``day`` (today): ``2024H1`` or ``2024H2``."""
    day = day or timezone.localdate()
    return f"{day.year}H{1 if day.month <= 6 else 2}"


_PERIOD_HELP = gettext_lazy("A year (2024) or a half year (2024H1 or 2024H2).")


class _PlanChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        state = _("adopted") if obj.is_frozen else _("concept")
        return _("%(title)s (%(start)s–%(end)s, version %(version)s, %(state)s)") % {
            "title": obj.title,
            "start": obj.start_year,
            "end": obj.end_year,
            "version": obj.version,
            "state": state,
        }


class ProgrammeCreateForm(forms.Form):
    plan = _PlanChoice(
        label=gettext_lazy("Plan"),
        queryset=Plan.objects.none(),
        empty_label=None,
        help_text=gettext_lazy("The integral safety plan whose goals the actions work towards."),
    )
    period = forms.CharField(label=gettext_lazy("Period"), max_length=6, help_text=_PERIOD_HELP)
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Left empty: “Uitvoeringsprogramma” and the period."),
    )
    summary = forms.CharField(
        label=gettext_lazy("Summary"),
        required=False,
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, plans: QuerySet[Plan], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans  # type: ignore[attr-defined]


class ProgrammeForm(_Checked):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    summary = forms.CharField(
        label=gettext_lazy("Summary"),
        required=False,
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class AdoptForm(_Checked):
    adopted_on = forms.DateField(
        label=gettext_lazy("Adopted by the college on"),
        help_text=gettext_lazy("The date of the college decision (dd-mm-jjjj)."),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I understand that the actions, their goals, planning and budget can then no longer "
            "be changed."
        ),
        required=True,
    )

    def clean_adopted_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["adopted_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The college cannot have decided in the future."))
        return value


class NextForm(forms.Form):
    period = forms.CharField(
        label=gettext_lazy("Period of the new programme"), max_length=6, help_text=_PERIOD_HELP
    )
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Left empty: “Uitvoeringsprogramma” and the period."),
    )


class EvaluationForm(_Checked):
    summary = forms.CharField(
        label=gettext_lazy("What came of it"),
        required=False,
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("The evaluation of the year in a few paragraphs, for the council."),
    )
    proposals = forms.CharField(
        label=gettext_lazy("Proposals for the next programme"),
        required=False,
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class _LineChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return _("%(theme)s – Scenario %(letter)s – %(line)s") % {
            "theme": obj.scenario.theme.title,
            "letter": obj.scenario.letter,
            "line": obj.label,
        }


@dataclass(frozen=True)
class GoalGroup:
    """The goals of one theme, for a fieldset of checkboxes."""

    title: str
    choices: list[BoundWidget]


class ActionForm(_Checked):
    """Every field of an action; in an adopted programme only :data:`EXECUTION_FIELDS`."""

    title = forms.CharField(label=pgettext_lazy("programme", "Action"), max_length=300)
    key = forms.SlugField(
        label=gettext_lazy("Key"),
        max_length=60,
        required=False,
        help_text=gettext_lazy(
            "Short name used in the programme file and the API (letters, digits, hyphens). Left "
            "empty, it is made from the title."
        ),
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    goals = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Goals this action works towards"),
        queryset=Goal.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": _CHECKBOX}),
    )
    owner = forms.CharField(
        label=gettext_lazy("Owner"),
        max_length=200,
        help_text=gettext_lazy("The team or partner organisation that leads."),
    )
    partners = forms.CharField(label=gettext_lazy("Partners"), max_length=300, required=False)
    start = forms.DateField(
        label=gettext_lazy("Start"), required=False, help_text=gettext_lazy("dd-mm-jjjj")
    )
    end = forms.DateField(
        label=gettext_lazy("End"), required=False, help_text=gettext_lazy("dd-mm-jjjj")
    )
    quarters = forms.MultipleChoiceField(
        label=gettext_lazy("Quarters in which the action runs"),
        choices=[(str(n), str(n)) for n in range(1, 5)],
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": _CHECKBOX}),
    )
    budget = _amount_field(
        gettext_lazy("Budget (€)"), help_text=gettext_lazy("For example 12.000,50.")
    )
    capacity_line = _LineChoice(
        label=gettext_lazy("Paid from scenario line"),
        queryset=CapacityLine.objects.none(),
        required=False,
        empty_label=gettext_lazy("Not paid from a scenario line"),
    )
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=ActionStatus.choices)
    spent = _amount_field(
        gettext_lazy("Spent so far (€)"),
        help_text=gettext_lazy("The realised spending; for example 9.000."),
    )
    result = forms.CharField(
        label=gettext_lazy("Result"),
        required=False,
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    lessons = forms.CharField(
        label=gettext_lazy("Lessons"),
        required=False,
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, plan: Plan, frozen: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.frozen = frozen
        if "quarters" in self.fields:
            self.fields["quarters"].choices = [  # type: ignore[attr-defined]
                (str(n), selectors.quarter_label(n)) for n in range(1, 5)
            ]
        if frozen:
            for name in list(self.fields):
                if name not in EXECUTION_FIELDS and name != "edit_token":
                    del self.fields[name]
            return
        goals = (
            Goal.objects.filter(theme__priority__plan=plan)
            .select_related("theme__priority")
            .order_by("theme__priority__position", "theme__position", "position", "pk")
        )
        self._goals = {g.pk: g for g in goals}
        self.fields["goals"].queryset = goals  # type: ignore[attr-defined]
        self.fields["capacity_line"].queryset = (  # type: ignore[attr-defined]
            CapacityLine.objects.filter(scenario__theme__priority__plan=plan)
            .select_related("scenario__theme")
            .order_by(
                "scenario__theme__priority__position",
                "scenario__theme__position",
                "scenario__letter",
                "position",
                "pk",
            )
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end cannot come before the start."))
        return cleaned

    def goal_groups(self) -> list[GoalGroup]:
        """The goal checkboxes grouped by theme (priority → theme), in plan order."""
        if "goals" not in self.fields:
            return []
        groups: dict[int, GoalGroup] = {}
        for widget in self["goals"].subwidgets:
            value = widget.data["value"]
            goal = self._goals.get(int(getattr(value, "value", value)))
            if goal is None:
                continue
            theme = goal.theme
            if theme.pk not in groups:
                groups[theme.pk] = GoalGroup(f"{theme.priority.title} – {theme.title}", [])
            groups[theme.pk].choices.append(widget)
        return list(groups.values())

    def fields_for_service(self) -> dict[str, Any]:
        """The cleaned values as :func:`services.save_action` takes them (without goals)."""
        cleaned = self.cleaned_data
        names = [n for n in self.fields if n not in {"edit_token", "goals", "quarters"}]
        fields = {name: cleaned.get(name) for name in names}
        if "quarters" in self.fields:
            fields["quarters"] = "".join(sorted(cleaned.get("quarters") or []))
        for text in ("key", "description", "partners", "result", "lessons"):
            if text in fields and fields[text] is None:
                fields[text] = ""
        return fields


class ProgressForm(_Checked):
    moment = forms.CharField(
        label=gettext_lazy("Reporting moment"),
        max_length=20,
        help_text=gettext_lazy("For example 2024H1 for the first half of 2024."),
    )
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=ActionStatus.choices)
    spent = _amount_field(
        gettext_lazy("Spent so far (€)"),
        help_text=gettext_lazy("The realised spending up to now; left empty, it stays as it is."),
    )
    text = forms.CharField(
        label=gettext_lazy("Progress"),
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("What was done, what is next, what holds it up."),
    )

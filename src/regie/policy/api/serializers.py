"""Serializers of the policy API; they also document the JSON in ``docs/api/openapi.yaml``.

Money and fte are exact decimals: an integer when whole (44000), otherwise a decimal string
("4.7"), as ``regie scenario-costs --json`` gives them: the plan's ``costs`` is
:func:`regie.policy.selectors.costs_as_dict`, the JSON of that command. Statuses are the
dictionaries of :mod:`regie.policy.status` (``as_dict``) as they are; the serializers of those
only describe them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from regie.core.api_fields import NumberField
from regie.policy import engine, selectors
from regie.policy.engine import Status, TargetKind
from regie.policy.models import (
    CapacityLine,
    Goal,
    Indicator,
    Plan,
    Priority,
    Scenario,
    StatusOverride,
    Theme,
)
from regie.policy.plan_file import money
from regie.policy.status import IndicatorStatus, target_of

_STATUSES = [s.value for s in Status]

# --- fields -----------------------------------------------------------------------------------


@extend_schema_field(
    {
        "oneOf": [{"type": "integer"}, {"type": "string", "pattern": r"^-?\d+\.\d+$"}],
        "description": "An exact decimal: an integer when whole, else a decimal string.",
    }
)
class MoneyField(serializers.Field[Any, Any, Any, Any]):
    """An exact decimal: an integer when whole, else a decimal string (never a float)."""

    def to_representation(self, value: Decimal) -> int | str | None:
        return money(value)


@extend_schema_field(OpenApiTypes.STR)
class BlankAsNullCharField(serializers.Field[Any, Any, Any, Any]):
    """A text that is null when empty (an optional code such as a baseline period)."""

    def to_representation(self, value: Any) -> str | None:
        return str(value) if value else None


# --- plans ------------------------------------------------------------------------------------


class PlanSerializer(serializers.ModelSerializer[Plan]):
    organisation: Any = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, help_text=_("Slug of the gemeente.")
    )
    gemeente = serializers.CharField(
        source="organisation.cbs_code", read_only=True, help_text=_("CBS code of the gemeente.")
    )
    predecessor: Any = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text=_("Id of the previous version; null for the first version."),
    )
    url = serializers.HyperlinkedIdentityField(view_name="api:plan_detail")

    class Meta:
        model = Plan
        fields = [
            "id",
            "organisation",
            "gemeente",
            "title",
            "start_year",
            "end_year",
            "state",
            "adopted_on",
            "version",
            "predecessor",
            "url",
        ]


class TargetSerializer(serializers.Serializer[Any]):
    """An indicator's target; the fields that do not belong to its kind are null."""

    kind = serializers.ChoiceField(
        source="target_kind",
        choices=[k.value for k in TargetKind],
    )
    value = NumberField(
        source="target_value", allow_null=True, help_text=_("Threshold targets only.")
    )
    start_year = serializers.IntegerField(allow_null=True, help_text=_("Trajectory targets only."))
    start_value = NumberField(allow_null=True, help_text=_("Trajectory targets only."))
    end_year = serializers.IntegerField(allow_null=True, help_text=_("Trajectory targets only."))
    end_value = NumberField(allow_null=True, help_text=_("Trajectory targets only."))


class BaselineSerializer(serializers.Serializer[Any]):
    period = BlankAsNullCharField(
        source="baseline_period", allow_null=True, help_text=_("Period code, e.g. 2021.")
    )
    value = NumberField(source="baseline_value", allow_null=True)


class IndicatorSerializer(serializers.ModelSerializer[Indicator]):
    measure: Any = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text=_("Code of the measure.")
    )
    area: Any = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text=_("CBS area code.")
    )
    target = TargetSerializer(source="*", read_only=True)
    baseline = BaselineSerializer(source="*", read_only=True)

    class Meta:
        model = Indicator
        fields = ["id", "key", "name", "measure", "area", "target", "baseline", "decimals"]


def _kbv() -> Any:
    return serializers.SlugRelatedField(
        source="safety_themes",
        slug_field="code",
        many=True,
        read_only=True,
        help_text=_("Codes of the KBV themes (Kernbeleid Veiligheid), e.g. 1.1."),
    )


class GoalSerializer(serializers.ModelSerializer[Goal]):
    kbv = _kbv()
    indicators = IndicatorSerializer(many=True, read_only=True)

    class Meta:
        model = Goal
        fields = ["id", "key", "aim", "kbv", "indicators"]


class CapacityLineSerializer(serializers.ModelSerializer[CapacityLine]):
    fte_extra = MoneyField()
    fte_total = MoneyField(allow_null=True)
    amount = MoneyField(help_text=_("Euros per full year."))
    cap = MoneyField(allow_null=True, help_text=_("At most this many euros per year."))

    class Meta:
        model = CapacityLine
        fields = ["label", "fte_extra", "fte_total", "amount", "cap", "note"]


class ScenarioSerializer(serializers.ModelSerializer[Scenario]):
    lines = CapacityLineSerializer(many=True, read_only=True)

    class Meta:
        model = Scenario
        fields = ["letter", "title", "description", "lines"]


class ThemeSerializer(serializers.ModelSerializer[Theme]):
    kbv = _kbv()
    goals = GoalSerializer(many=True, read_only=True)
    chosen_scenario = serializers.SerializerMethodField(
        help_text=_("The scenario the council chose for this theme; null when none.")
    )

    class Meta:
        model = Theme
        fields = ["id", "key", "title", "description", "kbv", "goals", "chosen_scenario"]

    @extend_schema_field(ScenarioSerializer(allow_null=True))
    def get_chosen_scenario(self, theme: Theme) -> dict[str, Any] | None:
        # The plan view prefetches the chosen scenario (one per theme at most) with its lines.
        chosen: list[Scenario] | None = getattr(theme, "chosen_scenarios", None)
        if chosen is None:
            chosen = list(theme.scenarios.filter(chosen=True).prefetch_related("lines"))
        return ScenarioSerializer(chosen[0]).data if chosen else None


class PrioritySerializer(serializers.ModelSerializer[Priority]):
    themes = ThemeSerializer(many=True, read_only=True)

    class Meta:
        model = Priority
        fields = ["id", "key", "kind", "title", "description", "aim", "themes"]


class CostYearSerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField()
    months = serializers.IntegerField(help_text=_("Months counted from the start month."))
    without_caps = MoneyField()
    with_caps = MoneyField()
    fte = serializers.CharField(help_text=_("Extra formation that year, a decimal string."))
    budget = MoneyField(help_text=_("The current budget that year."))
    difference = MoneyField(help_text=_("The extra money the decision needs that year."))
    notes = serializers.ListField(child=serializers.CharField())


class DiscrepancySerializer(serializers.Serializer[Any]):
    label: Any = serializers.CharField()
    year = serializers.IntegerField(allow_null=True)
    stated = MoneyField(help_text=_("The amount the plan text states."))
    computed = MoneyField()
    explanation = serializers.CharField()


class UncheckedFigureSerializer(serializers.Serializer[Any]):
    label: Any = serializers.CharField()
    year = serializers.IntegerField()
    stated = MoneyField(help_text=_("The amount the plan text states."))


class CostsSerializer(serializers.Serializer[Any]):
    """Documents the costs of the chosen scenarios (as ``regie scenario-costs --json``)."""

    chosen = serializers.DictField(
        child=serializers.CharField(), help_text=_("Theme key → letter of the chosen scenario.")
    )
    start = serializers.DateField(allow_null=True)
    years = CostYearSerializer(many=True)
    discrepancies = DiscrepancySerializer(
        many=True, help_text=_("Amounts in the plan text that do not add up, with both numbers.")
    )
    unchecked = UncheckedFigureSerializer(
        many=True,
        help_text=_("Amounts the plan text states for a year outside the plan: not checked."),
    )


class PlanDetailSerializer(PlanSerializer):
    priorities = PrioritySerializer(many=True, read_only=True)
    costs = serializers.SerializerMethodField(
        help_text=_("What the chosen scenarios cost per plan year; null without a choice.")
    )

    class Meta(PlanSerializer.Meta):
        fields = [
            *PlanSerializer.Meta.fields,
            "summary",
            "decision_date",
            "costs_start",
            "priorities",
            "costs",
        ]

    @extend_schema_field(CostsSerializer(allow_null=True))
    def get_costs(self, plan: Plan) -> dict[str, Any] | None:
        return selectors.plan_costs_dict(plan)


# --- statuses (documentation of status.*.as_dict()) -------------------------------------------


class MeasurementSerializer(serializers.Serializer[Any]):
    period = serializers.CharField()
    value = serializers.FloatField()


class OverrideSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=_STATUSES)
    reason = serializers.CharField()
    at = serializers.DateTimeField()


class ChanceTestSerializer(serializers.Serializer[Any]):
    """How chance was judged: the test (or published margin), its sides and level."""

    method = serializers.ChoiceField(
        choices=[m.value for m in engine.ChanceMethod],
        help_text=_(
            "exact_conditional_binomial: two counts of events; survey_margins_normal: the "
            "published survey bounds; source_margin: the target within the published bounds; "
            "poisson_interval: the exact Poisson interval of a count of events."
        ),
    )
    name = serializers.CharField(help_text=_("The test in words, with its sides and level."))
    sides = serializers.ChoiceField(choices=["one-sided", "two-sided"])
    level = serializers.FloatField(help_text=_("Significance level: 0.05."))
    p_value = serializers.FloatField(allow_null=True)


class StatusCountsSerializer(serializers.Serializer[Any]):
    """Indicators per status; no_measurement: those that could not be judged."""

    achieved = serializers.IntegerField()
    within_margin = serializers.IntegerField()
    at_risk = serializers.IntegerField()
    not_achieved = serializers.IntegerField()
    no_measurement = serializers.IntegerField()


class IndicatorStatusSerializer(serializers.Serializer[Any]):
    """Documents ``IndicatorStatus.as_dict()``: the status and the figure it judged."""

    indicator = serializers.CharField(help_text=_("Key of the indicator."))
    name = serializers.CharField()
    measure = serializers.CharField()
    area = serializers.CharField()
    status = serializers.ChoiceField(choices=_STATUSES)
    label: Any = serializers.CharField(help_text=_("The status in words, in the active language."))
    explanation = serializers.CharField(help_text=_("One sentence that explains the status."))
    computed_status = serializers.CharField(
        help_text=_("The computed status (a value of status), also when one is set by hand.")
    )
    computed_explanation = serializers.CharField()
    measurement = MeasurementSerializer(
        allow_null=True, help_text=_("The figure that was judged; null when none.")
    )
    expected = serializers.FloatField(
        allow_null=True, help_text=_("Trajectory targets: the expected value for that year.")
    )
    margin = serializers.ListField(
        child=serializers.FloatField(),
        min_length=2,
        max_length=2,
        allow_null=True,
        help_text=_(
            "The 95% margin used (lower, upper): published survey bounds, or the exact Poisson "
            "interval of a count of events on a trajectory; null when none applies."
        ),
    )
    test = ChanceTestSerializer(
        allow_null=True,
        help_text=_("How chance was judged; null when it was not (no margin applies)."),
    )
    official_statistics = serializers.BooleanField(
        help_text=_("False for figures that are not official statistics (Misdaad in kaart).")
    )
    override = OverrideSerializer(
        allow_null=True, help_text=_("The status set by hand that counts; null when none.")
    )


class NodeStatusSerializer(serializers.Serializer[Any]):
    """A priority, theme or goal with the roll-up of the statuses under it."""

    kind = serializers.CharField(help_text=_("priority, theme or goal"))
    key = serializers.CharField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=_STATUSES)
    label: Any = serializers.CharField(help_text=_("The status in words, in the active language."))
    explanation = serializers.CharField(help_text=_("One sentence that explains the status."))
    counts = StatusCountsSerializer(help_text=_("Indicators under it per status."))
    not_judged = serializers.IntegerField(
        help_text=_("Indicators under it that could not be judged (no new measurement).")
    )


class GoalStatusSerializer(NodeStatusSerializer):
    indicators = IndicatorStatusSerializer(
        many=True, required=False, help_text=_("Absent when the goal has no indicators.")
    )


class ThemeStatusSerializer(NodeStatusSerializer):
    children = GoalStatusSerializer(
        many=True, required=False, help_text=_("The goals; absent when there are none.")
    )


class PriorityStatusSerializer(NodeStatusSerializer):
    children = ThemeStatusSerializer(
        many=True, required=False, help_text=_("The themes; absent when there are none.")
    )


class PlanStatusesSerializer(serializers.Serializer[Any]):
    """Documents ``PlanEvaluation.as_dict()``: every status, rolled up to the plan."""

    plan = serializers.CharField(help_text=_("Title of the plan."))
    gemeente = serializers.CharField(help_text=_("CBS code of the gemeente."))
    version = serializers.IntegerField()
    status = serializers.ChoiceField(choices=_STATUSES)
    label: Any = serializers.CharField(help_text=_("The status in words, in the active language."))
    explanation = serializers.CharField(help_text=_("One sentence that explains the status."))
    counts = StatusCountsSerializer(help_text=_("Indicators of the plan per status."))
    not_judged = serializers.IntegerField(
        help_text=_("Indicators that could not be judged (no new measurement).")
    )
    priorities = PriorityStatusSerializer(many=True)


class SinceErrorSerializer(serializers.Serializer[Any]):
    since = serializers.ListField(child=serializers.CharField())


# --- goal and indicator detail ----------------------------------------------------------------


class IndicatorWithStatusSerializer(IndicatorSerializer):
    """An indicator with its status."""

    # context["statuses"] maps indicator id → IndicatorStatus.

    status = serializers.SerializerMethodField()

    class Meta(IndicatorSerializer.Meta):
        fields = [*IndicatorSerializer.Meta.fields, "status"]

    @extend_schema_field(IndicatorStatusSerializer)
    def get_status(self, indicator: Indicator) -> dict[str, Any]:
        found: IndicatorStatus = self.context["statuses"][indicator.pk]
        return found.as_dict()


class RefSerializer(serializers.Serializer[Any]):
    """The item a goal or indicator belongs to."""

    id = serializers.IntegerField()
    key = serializers.CharField()
    title = serializers.CharField()


class GoalRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    key = serializers.CharField()
    aim = serializers.CharField()


class PlanRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    version = serializers.IntegerField()
    url = serializers.HyperlinkedIdentityField(view_name="api:plan_detail")


class GoalDetailSerializer(serializers.ModelSerializer[Goal]):
    """A goal with its indicators, each with its status, and the goal's rolled-up status."""

    # The view gives context["indicators"] (loaded), context["statuses"] (indicator id →
    # IndicatorStatus) and context["rollup"] (the goal's status and its explanation).

    kbv = _kbv()
    theme = RefSerializer(read_only=True)
    priority = RefSerializer(source="theme.priority", read_only=True)
    plan = PlanRefSerializer(source="theme.priority.plan", read_only=True)
    status = serializers.SerializerMethodField()
    label: Any = serializers.SerializerMethodField()
    explanation = serializers.SerializerMethodField()
    indicators = serializers.SerializerMethodField()

    class Meta:
        model = Goal
        fields = [
            "id",
            "key",
            "aim",
            "kbv",
            "theme",
            "priority",
            "plan",
            "status",
            "label",
            "explanation",
            "indicators",
        ]

    def _rollup(self) -> tuple[Status, str]:
        rollup: tuple[Status, str] = self.context["rollup"]
        return rollup

    @extend_schema_field(serializers.ChoiceField(choices=_STATUSES))
    def get_status(self, goal: Goal) -> str:
        return self._rollup()[0].value

    @extend_schema_field(serializers.CharField(help_text=_("The status in words.")))
    def get_label(self, goal: Goal) -> str:
        return engine.status_label(self._rollup()[0])

    @extend_schema_field(
        serializers.CharField(help_text=_("Why: the least favourable status counts."))
    )
    def get_explanation(self, goal: Goal) -> str:
        return self._rollup()[1]

    @extend_schema_field(IndicatorWithStatusSerializer(many=True))
    def get_indicators(self, goal: Goal) -> Any:
        return IndicatorWithStatusSerializer(
            self.context["indicators"], many=True, context=self.context
        ).data


class MeasurementRowSerializer(serializers.Serializer[Any]):
    period = serializers.CharField(help_text=_("Canonical period code: 2022, 2022H1 …"))
    value = NumberField()
    whole_year = serializers.BooleanField(
        help_text=_("False for a part of a year: never judged against a whole-year target.")
    )


class ExpectedSerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField()
    expected = serializers.FloatField(help_text=_("The value on the trajectory, unrounded."))


class OverrideRowSerializer(serializers.ModelSerializer[StatusOverride]):
    """A status set by hand, without who set it (no personal data in the API)."""

    status = BlankAsNullCharField(
        allow_null=True, help_text=_("The status set by hand; null withdraws the override.")
    )

    class Meta:
        model = StatusOverride
        fields = ["status", "reason", "created_at"]
        read_only_fields = ["created_at"]  # the API writes nothing; always in a response


def expected_per_year(indicator: Indicator) -> list[dict[str, Any]] | None:
    """A trajectory's expected value in every year of the indicator's plan; None otherwise."""
    if indicator.target_kind != TargetKind.TRAJECTORY:
        return None
    target = target_of(indicator)
    if engine.target_problems(target):
        return None
    plan = indicator.goal.theme.priority.plan
    return [
        {"year": year, "expected": engine.expected_on_trajectory(target, year)}
        for year in plan.years
    ]


class IndicatorDetailSerializer(IndicatorSerializer):
    """An indicator with its place in the plan, its status, figures and overrides."""

    # The view gives context["status"] (its IndicatorStatus) and context["overrides"] (its
    # override rows, newest first).

    goal = GoalRefSerializer(read_only=True)
    theme = RefSerializer(source="goal.theme", read_only=True)
    priority = RefSerializer(source="goal.theme.priority", read_only=True)
    plan = PlanRefSerializer(source="goal.theme.priority.plan", read_only=True)
    status = serializers.SerializerMethodField()
    measurements = serializers.SerializerMethodField()
    trajectory = serializers.SerializerMethodField()
    overrides = serializers.SerializerMethodField()

    class Meta(IndicatorSerializer.Meta):
        fields = [
            *IndicatorSerializer.Meta.fields,
            "goal",
            "theme",
            "priority",
            "plan",
            "status",
            "measurements",
            "trajectory",
            "overrides",
        ]

    def _status(self) -> IndicatorStatus:
        found: IndicatorStatus = self.context["status"]
        return found

    @extend_schema_field(IndicatorStatusSerializer)
    def get_status(self, indicator: Indicator) -> dict[str, Any]:
        return self._status().as_dict()

    @extend_schema_field(
        MeasurementRowSerializer(
            many=True,
            help_text=_("Whole years and half years or year-to-date figures, in time order."),
        )
    )
    def get_measurements(self, indicator: Indicator) -> Any:
        return MeasurementRowSerializer(self._status().measurements, many=True).data

    @extend_schema_field(
        ExpectedSerializer(
            many=True,
            allow_null=True,
            help_text=_("Trajectory targets: the expected value in every plan year; else null."),
        )
    )
    def get_trajectory(self, indicator: Indicator) -> list[dict[str, Any]] | None:
        return expected_per_year(indicator)

    @extend_schema_field(
        OverrideRowSerializer(many=True, help_text=_("Every status set by hand, newest first."))
    )
    def get_overrides(self, indicator: Indicator) -> Any:
        return OverrideRowSerializer(self.context["overrides"], many=True).data

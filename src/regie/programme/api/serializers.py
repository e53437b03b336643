"""Serializers of the programme API; they also document the JSON in ``docs/api/openapi.yaml``.

Money is an exact decimal: an integer when whole (12000), otherwise a decimal string
("12000.50"), as in the policy API. Effort (inspanning: how far the actions for a goal are) is
given per goal on its own; it is never combined with effect (the indicators' statuses, which
the policy API gives at ``plans/<id>/statuses/``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from regie.policy.models import Goal
from regie.programme import selectors
from regie.programme.effort import STATUS_ORDER, Effort
from regie.programme.models import Action, ActionStatus, Programme, ProgressNote


def goal_path(goal: Goal) -> str:
    return selectors.goal_path(goal)


@extend_schema_field(
    {
        "oneOf": [{"type": "integer"}, {"type": "string", "pattern": r"^-?\d+\.\d+$"}],
        "description": "An exact decimal: an integer when whole, else a decimal string.",
        "nullable": True,
    }
)
class MoneyField(serializers.Field[Any, Any, Any, Any]):
    """An exact amount in euros: an integer when whole, else a decimal string (never a float)."""

    def to_representation(self, value: Decimal) -> int | str | None:
        if value is None:
            return None
        if value == value.to_integral_value():
            return int(value)
        return format(value, "f")


class ActionCountsSerializer(serializers.Serializer[Any]):
    """How many actions of the programme have each status."""

    niet_gestart = serializers.IntegerField(source="count_niet_gestart")
    loopt = serializers.IntegerField(source="count_loopt")
    vertraagd = serializers.IntegerField(source="count_vertraagd")
    gereed = serializers.IntegerField(source="count_gereed")
    vervallen = serializers.IntegerField(source="count_vervallen")
    total = serializers.IntegerField(source="count_total")


class ProgrammeSerializer(serializers.ModelSerializer[Programme]):
    organisation: Any = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, help_text=_("Slug of the gemeente.")
    )
    gemeente = serializers.CharField(
        source="organisation.cbs_code", read_only=True, help_text=_("CBS code of the gemeente.")
    )
    plan: Any = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text=_("Id of the plan the programme carries out.")
    )
    period = serializers.CharField(
        read_only=True, help_text=_("A year (2024) or a half year (2024H1, 2024H2).")
    )
    action_counts = ActionCountsSerializer(source="*", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:programme_detail")

    class Meta:
        model = Programme
        fields = [
            "id",
            "organisation",
            "gemeente",
            "plan",
            "period",
            "title",
            "state",
            "adopted_on",
            "action_counts",
            "url",
        ]


class ScenarioLineSerializer(serializers.Serializer[Any]):
    theme = serializers.CharField(source="scenario.theme.key", help_text=_("Key of the theme."))
    scenario = serializers.CharField(source="scenario.letter", help_text=_("Letter, e.g. B."))
    line = serializers.CharField(source="label", help_text=_("Label of the capacity line."))


class ProgressNoteSerializer(serializers.ModelSerializer[ProgressNote]):
    spent = MoneyField(help_text=_("Spent so far, in euros; null when not reported."))
    at = serializers.DateTimeField(source="created_at")

    class Meta:
        model = ProgressNote
        fields = ["moment", "status", "spent", "text", "at"]


class ActionSerializer(serializers.ModelSerializer[Action]):
    goals = serializers.SerializerMethodField(
        help_text=_("The goals the action works towards: priority-key/theme-key/goal-key.")
    )
    budget = MoneyField(help_text=_("Planned, in euros; null when none."))
    spent = MoneyField(help_text=_("Realised spending, in euros; null when not entered."))
    scenario_line = ScenarioLineSerializer(
        source="capacity_line",
        allow_null=True,
        read_only=True,
        help_text=_("The scenario line the action is paid from; null when none."),
    )
    notes = ProgressNoteSerializer(many=True, read_only=True)

    class Meta:
        model = Action
        fields = [
            "key",
            "title",
            "description",
            "goals",
            "owner",
            "partners",
            "start",
            "end",
            "quarters",
            "budget",
            "scenario_line",
            "spent",
            "status",
            "result",
            "lessons",
            "notes",
        ]

    def get_goals(self, action: Action) -> list[str]:
        return [goal_path(g) for g in action.goals.all()]


class EffortCountsSerializer(serializers.Serializer[Any]):
    niet_gestart = serializers.IntegerField()
    loopt = serializers.IntegerField()
    vertraagd = serializers.IntegerField()
    gereed = serializers.IntegerField()
    vervallen = serializers.IntegerField()


class EffortSerializer(serializers.Serializer[Any]):
    """Effort (inspanning) only: how far the goal's actions are, never the indicators."""

    effort = serializers.ChoiceField(choices=[e.value for e in Effort])
    label = serializers.CharField()  # type: ignore[assignment]  # the JSON field "label"
    explanation = serializers.CharField()
    counts = EffortCountsSerializer(help_text=_("Actions per status."))
    total = serializers.IntegerField()


class GoalEffortSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="goal.pk")
    path = serializers.SerializerMethodField(
        help_text=_("priority-key/theme-key/goal-key of the plan.")
    )
    aim = serializers.CharField(source="goal.aim")
    actions = serializers.SerializerMethodField(help_text=_("Keys of the goal's actions."))
    effort = serializers.SerializerMethodField(
        help_text=_(
            "Effort (inspanning): the status of the goal's actions. Effect (the indicators) is "
            "at plans/<id>/statuses/ and is never combined with this."
        )
    )

    def get_path(self, item: Any) -> str:
        return goal_path(item.goal)

    def get_actions(self, item: Any) -> list[str]:
        return [a.key for a in item.actions]

    @extend_schema_field(EffortSerializer)
    def get_effort(self, item: Any) -> dict[str, Any]:
        return dict(item.summary.as_dict())


class EvaluationSerializer(serializers.Serializer[Any]):
    summary = serializers.CharField(source="evaluation_summary")
    proposals = serializers.CharField(source="evaluation_proposals")


class ProgrammeDetailSerializer(ProgrammeSerializer):
    predecessor: Any = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text=_("Id of the programme of the period before.")
    )
    evaluation = EvaluationSerializer(source="*", read_only=True)
    actions = serializers.SerializerMethodField()
    goals = serializers.SerializerMethodField(
        help_text=_("Per goal of the plan, in plan order: its actions and their effort.")
    )

    class Meta(ProgrammeSerializer.Meta):
        fields = [
            *ProgrammeSerializer.Meta.fields,
            "summary",
            "predecessor",
            "evaluation",
            "actions",
            "goals",
        ]

    @extend_schema_field(ActionSerializer(many=True))
    def get_actions(self, programme: Programme) -> list[Any]:
        return list(ActionSerializer(self.context["actions"], many=True).data)

    @extend_schema_field(GoalEffortSerializer(many=True))
    def get_goals(self, programme: Programme) -> list[Any]:
        return list(GoalEffortSerializer(self.context["efforts"], many=True).data)


#: The statuses in the order the counts list them (checked: every status has a count).
COUNTED = [s.value for s in STATUS_ORDER]
assert set(COUNTED) == set(ActionStatus.values)  # noqa: S101

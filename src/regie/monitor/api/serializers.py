"""Serializers of the monitor API; they also document the JSON in ``docs/api/openapi.yaml``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from regie import stats
from regie.monitor import selectors
from regie.monitor.models import Measure
from regie.stats import periods

#: Documents the kind of a measure (a plain string in the schema: "kind" names other enums too).
KIND_HELP = _(
    "Kind of figure, one of event_count, stock, amount, survey_pct, ratio: chance margins and "
    "tests apply to counts of events only; stocks and amounts have none; survey outcomes carry "
    "the published margin."
)


class NumberField(serializers.FloatField):
    """A value: an integer when whole (1245, not 1245.0), null when not published (never 0)."""

    def to_representation(self, value: Any) -> Any:
        return selectors.number(value)


class ComponentSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(source="component.code")
    weight = serializers.IntegerField()


class MeasureSerializer(serializers.ModelSerializer[Measure]):
    # ``parent`` and ``source`` are also attributes of DRF's Field: typed Any to declare them here.
    parent: Any = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    owner: Any = serializers.SlugRelatedField(
        source="organisation",
        slug_field="slug",
        read_only=True,
        allow_null=True,
        help_text=_("Slug of the gemeente that defined the measure; null for the catalogue."),
    )
    components = ComponentSerializer(
        many=True, read_only=True, help_text=_("Terms of a derived measure (empty otherwise).")
    )
    kind = serializers.CharField(read_only=True, help_text=KIND_HELP)

    class Meta:
        model = Measure
        fields = [
            "code",
            "source",
            "key",
            "name",
            "description",
            "unit",
            "kind",
            "is_rollup",
            "parent",
            "category",
            "owner",
            "components",
        ]


class ObservationSerializer(serializers.Serializer[dict[str, Any]]):
    """One stored value with its lineage (rows of ``Observation.objects.values(...)``)."""

    area = serializers.CharField(source="area__code", help_text=_("CBS area code."))
    measure = serializers.CharField(source="measure__code")
    period = serializers.CharField(help_text=_("Canonical period code: 2022, 2022H1, 2023M10 …"))
    period_type = serializers.ChoiceField(
        source="period_kind", choices=[k.value for k in periods.PeriodKind]
    )
    value = NumberField(allow_null=True, help_text=_("Null when not published (not zero)."))
    status = serializers.CharField()
    source: Any = serializers.CharField(source="batch__dataset__source")
    table = serializers.CharField(source="batch__dataset__table")
    vintage = serializers.DateTimeField(help_text=_("When the import of this value finished."))
    owner = serializers.CharField(
        source="owner__slug",
        allow_null=True,
        help_text=_("Slug of the gemeente that owns the figure; null for open data."),
    )

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        # ``import`` (as in a figure's lineage) is a Python keyword: add it here, after ``table``.
        fields = super().get_fields()
        ordered: dict[str, serializers.Field[Any, Any, Any, Any]] = {}
        for name, field in fields.items():
            ordered[name] = field
            if name == "table":
                ordered["import"] = serializers.IntegerField(
                    source="batch_id", help_text=_("Id of the import (vintage) of this value.")
                )
        return ordered


class LineageSerializer(serializers.Serializer[Any]):
    source: Any = serializers.CharField()
    table = serializers.CharField()
    title = serializers.CharField()
    vintage = serializers.DateTimeField()
    file = serializers.CharField()
    status = serializers.CharField()

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        fields["import"] = serializers.IntegerField()
        return fields


class MarginSerializer(serializers.Serializer[Any]):
    lower = NumberField()
    upper = NumberField()


class FigurePartSerializer(serializers.Serializer[Any]):
    """A figure without parts of its own: a stored value, or one term of a derived figure."""

    area = serializers.CharField()
    area_name = serializers.CharField()
    measure = serializers.CharField()
    measure_name = serializers.CharField()
    unit = serializers.CharField()
    period = serializers.CharField()
    period_label = serializers.CharField()
    value = NumberField(allow_null=True, help_text=_("Null when not published (not zero)."))
    status = serializers.CharField()
    kind = serializers.CharField(help_text=KIND_HELP)
    lineage = LineageSerializer(many=True)
    margin = MarginSerializer(
        required=False, help_text=_("Survey figures: the published 95% bounds.")
    )
    computed = serializers.CharField(
        required=False,
        help_text=_(
            "How the value was computed when no such figure is published (e.g. a year "
            "as the sum of its 12 published months)."
        ),
    )
    incomplete = serializers.BooleanField(
        required=False,
        help_text=_("True when the period was not counted whole: never judged as a whole period."),
    )
    note = serializers.CharField(required=False)


class FigureSerializer(FigurePartSerializer):
    """Documents ``Figure.as_dict()`` (the view returns that dictionary as it is)."""

    definition = serializers.CharField(
        required=False, help_text=_("Derived measures only: the sum that was computed.")
    )
    components = FigurePartSerializer(
        many=True, required=False, help_text=_("Derived measures only: the figures added up.")
    )


class ErrorSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()


class InsightErrorSerializer(ErrorSerializer):
    """Why a rate, comparison or waterbed analysis cannot be given honestly."""

    code = serializers.CharField(
        help_text=_(
            "Machine-readable reason: not_found, not_alike, not_a_count, not_a_year, "
            "not_published, no_population, period, window, unequal_length, different_months, "
            "covid, overlap, order, not_whole_months, measure, areas, roles, missing, "
            "incomplete, not_computable, required, per."
        )
    )


class RateSerializer(serializers.Serializer[Any]):
    """A count per 1,000 inhabitants on 1 January of its year, with an exact interval."""

    value = serializers.FloatField(help_text=_("Per 1,000 inhabitants (rounded to 4 decimals)."))
    lower = serializers.FloatField()
    upper = serializers.FloatField()
    confidence = serializers.FloatField(help_text=_("Level of the interval (0.95)."))
    population = serializers.IntegerField(help_text=_("Inhabitants on population_date."))
    population_date = serializers.DateField(help_text=_("1 January of the figure's year."))
    population_source = serializers.ChoiceField(
        choices=["import", "reference"],
        help_text=_(
            "import: an imported cbs:bevolking figure (its newest vintage); reference: the "
            "population shipped with the areas."
        ),
    )
    population_lineage = serializers.CharField(help_text=_("Where the population came from."))
    method = serializers.CharField()


class RateFigureSerializer(FigureSerializer):
    """Documents ``RateFigure.as_dict()``: the figure plus its rate per 1,000 inhabitants."""

    per_1000 = RateSerializer(required=False, help_text=_("Only with ?per=1000."))


class CountTestSerializer(serializers.Serializer[Any]):
    method = serializers.CharField()
    p_value = serializers.FloatField(help_text=_("Two-sided p-value of the exact test."))
    small_counts = serializers.BooleanField(
        help_text=_("True when a count is below 20: no percentage is given.")
    )
    verdict = serializers.ChoiceField(choices=[v.value for v in stats.Verdict])


class ComparisonSerializer(serializers.Serializer[Any]):
    """Documents ``PeriodComparison.as_dict()``: two alike periods of one area and measure."""

    area = serializers.CharField()
    measure = serializers.CharField()
    unit = serializers.CharField()
    kind = serializers.CharField(help_text=KIND_HELP)
    first = FigureSerializer(help_text=_("The earlier period, whatever the order asked."))
    second = FigureSerializer(help_text=_("The later period."))
    difference = NumberField(allow_null=True, help_text=_("later - earlier; null when missing."))
    difference_unit = serializers.CharField(
        help_text=_("percentage_points for a change in a percentage; else the unit.")
    )
    percent_change = serializers.FloatField(
        allow_null=True,
        help_text=_(
            "Null when a count is below 20 (small numbers), the first value is 0 or the "
            "measure is a percentage (see difference, in percentage points)."
        ),
    )
    test = CountTestSerializer(
        allow_null=True, help_text=_("Counts of events only; null otherwise.")
    )
    margins_overlap = serializers.BooleanField(
        allow_null=True,
        help_text=_("Survey figures with published bounds: whether the two margins overlap."),
    )
    sentence = serializers.CharField(help_text=_("The comparison in words."))


class WaterbedAreasSerializer(serializers.Serializer[Any]):
    target = serializers.ListField(child=serializers.CharField())
    displacement = serializers.ListField(child=serializers.CharField())
    control_target = serializers.ListField(child=serializers.CharField())
    control_displacement = serializers.ListField(child=serializers.CharField())


class WaterbedCountsSerializer(serializers.Serializer[Any]):
    target_before = NumberField()
    target_after = NumberField()
    displacement_before = NumberField()
    displacement_after = NumberField()
    control_target_before = NumberField()
    control_target_after = NumberField()
    control_displacement_before = NumberField()
    control_displacement_after = NumberField()


class WddSerializer(serializers.Serializer[Any]):
    value = NumberField(
        help_text=_("dT - dC_T + dD - dC_D, d = after - before (Wheeler & Ratcliffe 2018).")
    )
    variance = NumberField(
        help_text=_(
            "The sum of the eight counts; with one control for both roles "
            "T_b + T_a + D_b + D_a + 4(C_b + C_a)."
        )
    )
    se = serializers.FloatField()
    z = serializers.FloatField()
    p_value = serializers.FloatField()
    lower = serializers.FloatField(help_text=_("95% interval."))
    upper = serializers.FloatField()
    shared_control = serializers.BooleanField(
        help_text=_("True when one control serves both the target and the displacement area.")
    )


class WdqSerializer(serializers.Serializer[Any]):
    value = serializers.FloatField(
        allow_null=True, help_text=_("Null when the target did not fall relative to the control.")
    )
    reading = serializers.ChoiceField(choices=[r.value for r in stats.WdqReading])


class WaterbedSerializer(serializers.Serializer[Any]):
    """Documents ``WaterbedResult.as_dict()``: WDD and WDQ from monthly counts."""

    measure = serializers.CharField()
    before = serializers.ListField(
        child=serializers.DateField(), min_length=2, max_length=2, help_text=_("First, last day.")
    )
    after = serializers.ListField(
        child=serializers.DateField(), min_length=2, max_length=2, help_text=_("First, last day.")
    )
    areas = WaterbedAreasSerializer()
    counts = WaterbedCountsSerializer()
    wdd = WddSerializer()
    wdq = WdqSerializer()
    sentence = serializers.CharField(help_text=_("WDD and WDQ in words."))
    sources = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("Area: table, import and status of the monthly figures used."),
    )

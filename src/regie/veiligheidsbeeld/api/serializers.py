"""Serializers of the analysis endpoints (figure with rate, comparison, waterbed)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from regie import stats
from regie.core.api_fields import ErrorSerializer, NumberField
from regie.monitor.models import KIND_HELP


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

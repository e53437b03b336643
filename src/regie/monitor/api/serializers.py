"""Serializers of the monitor API; they also document the JSON in ``docs/api/openapi.yaml``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from regie.monitor import periods, selectors
from regie.monitor.models import Measure


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

    class Meta:
        model = Measure
        fields = [
            "code",
            "source",
            "key",
            "name",
            "description",
            "unit",
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
    lineage = LineageSerializer(many=True)
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

"""Serializers of the monitor API; they also document the JSON in ``docs/api/openapi.yaml``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from regie.core.api_fields import ErrorSerializer as ErrorSerializer  # re-exported
from regie.core.api_fields import NumberField
from regie.monitor.models import KIND_HELP, Measure
from regie.stats import periods


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

"""JSON API for areas and population: open data for every logged-in user (``/api/v1/areas/``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError

from regie.areas.models import Area, AreaLevel, AreaName, Population
from regie.areas.selectors import with_latest_population
from regie.core.api import DETAIL, FIELD_ERRORS


class AreaSerializer(serializers.ModelSerializer[Area]):
    # ``parent`` is also an attribute of DRF's Field: typed Any to declare the field here.
    parent: Any = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    politie_eenheid: Any = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    veiligheidsregio: Any = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    population = serializers.IntegerField(
        source="population_value",
        read_only=True,
        allow_null=True,
        help_text=_("Inhabitants on 1 January of population_year (the latest year held)."),
    )
    population_year = serializers.IntegerField(read_only=True, allow_null=True)
    valid_from = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text=_("First day of a gemeente; empty when it existed before 1970 or is not known."),
    )
    valid_to = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text=_(
            "Date of the herindeling that ended a gemeente (exclusive: it existed up to the day "
            "before); empty while it exists."
        ),
    )
    successors: Any = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        read_only=True,
        help_text=_("CBS codes of the gemeente(n) a former gemeente went into."),
    )

    class Meta:
        model = Area
        fields = [
            "code",
            "name",
            "level",
            "parent",
            "politie_eenheid",
            "veiligheidsregio",
            "active",
            "valid_from",
            "valid_to",
            "successors",
            "population",
            "population_year",
        ]


class PopulationSerializer(serializers.ModelSerializer[Population]):
    class Meta:
        model = Population
        fields = ["year", "value", "source"]


class AreaNameSerializer(serializers.ModelSerializer[AreaName]):
    class Meta:
        model = AreaName
        fields = ["year", "name"]


class AreaDetailSerializer(AreaSerializer):
    populations = PopulationSerializer(many=True, read_only=True)
    predecessors: Any = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        read_only=True,
        help_text=_("CBS codes of the former gemeenten that went (partly) into this area."),
    )
    names = serializers.SerializerMethodField(
        help_text=_(
            "The area's name in each CBS indeling held (year; buurtindeling for wijken and "
            "buurten)."
        )
    )

    class Meta(AreaSerializer.Meta):
        fields = [*AreaSerializer.Meta.fields, "predecessors", "names", "source", "populations"]

    @extend_schema_field(AreaNameSerializer(many=True))
    def get_names(self, area: Area) -> list[dict[str, Any]]:
        rows = [n for n in area.names.all() if n.year is not None]
        ordered = sorted(rows, key=lambda n: (n.year or 0, n.name))
        return [{"year": n.year, "name": n.name} for n in ordered]


def _areas() -> QuerySet[Area]:
    return with_latest_population(
        Area.objects.select_related("parent", "politie_eenheid", "veiligheidsregio")
    ).prefetch_related("successors")


@extend_schema(
    summary=_("List areas"),
    parameters=[
        OpenApiParameter(
            "level",
            OpenApiTypes.STR,
            enum=AreaLevel.values,
            description=_("Only areas of this level."),
        ),
        OpenApiParameter(
            "parent", OpenApiTypes.STR, description=_("Only areas directly under this CBS code.")
        ),
    ],
    responses={
        200: AreaSerializer(many=True),
        400: OpenApiResponse(FIELD_ERRORS, description=_("A filter value is not valid.")),
    },
)
class AreaList(generics.ListAPIView[Area]):
    """Every CBS area (Netherlands down to buurt) with its latest population, by code."""

    serializer_class = AreaSerializer

    def get_queryset(self) -> QuerySet[Area]:
        qs = _areas().order_by("code")
        level = self.request.query_params.get("level")
        if level:
            if level not in AreaLevel.values:
                raise ValidationError({"level": [_("Unknown level %(level)s.") % {"level": level}]})
            qs = qs.filter(level=level)
        parent = self.request.query_params.get("parent")
        if parent:
            qs = qs.filter(parent__code=parent.strip().upper())
        return qs


@extend_schema(
    summary=_("One area with its population per year"),
    responses={
        200: AreaDetailSerializer,
        404: OpenApiResponse(DETAIL, description=_("No such area.")),
    },
)
class AreaDetail(generics.RetrieveAPIView[Area]):
    """An area by CBS code (``GM0556``) with the population on 1 January of every year held."""

    serializer_class = AreaDetailSerializer

    def get_object(self) -> Area:
        qs = _areas().prefetch_related(
            Prefetch("populations", queryset=Population.objects.order_by("year")),
            "predecessors",
            "names",
        )
        code: Any = self.kwargs["code"]
        return get_object_or_404(qs, code=str(code).strip().upper())

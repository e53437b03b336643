"""Endpoints of the monitor API: thin views over ``monitor.selectors`` and tenant filters."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from regie.accounts.permissions import staff_organisation_ids
from regie.core.api import FIELD_ERRORS
from regie.monitor.api.serializers import (
    ErrorSerializer,
    MeasureSerializer,
    ObservationSerializer,
)
from regie.monitor.models import Measure, Observation, Source
from regie.stats import periods

# --- Views ------------------------------------------------------------------------------------


def _measures(request: Request) -> QuerySet[Measure]:
    return (
        Measure.objects.visible_to(staff_organisation_ids(request))
        .select_related("parent", "organisation")
        .prefetch_related("components__component")
    )


@extend_schema(
    summary=_("List measures"),
    parameters=[
        OpenApiParameter(
            "source", OpenApiTypes.STR, enum=Source.values, description=_("Only this source.")
        )
    ],
    responses={
        200: MeasureSerializer(many=True),
        400: OpenApiResponse(FIELD_ERRORS, description=_("A filter value is not valid.")),
    },
)
class MeasureList(generics.ListAPIView[Measure]):
    """The catalogue of measures, plus the own measures of the user's gemeenten."""

    serializer_class = MeasureSerializer

    def get_queryset(self) -> QuerySet[Measure]:
        qs = _measures(self.request)
        source = self.request.query_params.get("source")
        if source:
            if source not in Source.values:
                raise ValidationError({"source": [_("Unknown source %(s)s.") % {"s": source}]})
            qs = qs.filter(source=source)
        return qs.order_by("source", "sort_order", "code")


@extend_schema(
    summary=_("One measure"),
    responses={
        200: MeasureSerializer,
        404: OpenApiResponse(ErrorSerializer, description=_("No such measure.")),
    },
)
class MeasureDetail(generics.RetrieveAPIView[Measure]):
    """A measure by code, e.g. ``politie:1.1.1`` or ``derived:hic-kern``."""

    serializer_class = MeasureSerializer
    lookup_field = "code"

    def get_queryset(self) -> QuerySet[Measure]:
        return _measures(self.request)


_PERIOD_TYPES = [k.value for k in periods.PeriodKind]


def _period(params: Any, name: str) -> periods.Period | None:
    text = params.get(name)
    if not text:
        return None
    try:
        return periods.parse(text)
    except periods.PeriodError as exc:
        raise ValidationError({name: [_("Unknown period %(code)s.") % {"code": text}]}) from exc


@extend_schema(
    summary=_("List observations"),
    parameters=[
        OpenApiParameter(
            "area",
            OpenApiTypes.STR,
            many=True,
            explode=True,
            description=_("CBS area codes; repeat the parameter or separate codes by commas."),
        ),
        OpenApiParameter("measure", OpenApiTypes.STR, description=_("A measure code.")),
        OpenApiParameter(
            "period_from",
            OpenApiTypes.STR,
            description=_("Periods that start on or after the start of this period (e.g. 2019)."),
        ),
        OpenApiParameter(
            "period_to",
            OpenApiTypes.STR,
            description=_("Periods that end on or before the end of this period (e.g. 2023M10)."),
        ),
        OpenApiParameter("period_type", OpenApiTypes.STR, enum=_PERIOD_TYPES),
    ],
    responses={
        200: ObservationSerializer(many=True),
        400: OpenApiResponse(FIELD_ERRORS, description=_("A filter value is not valid.")),
    },
)
class ObservationList(generics.ListAPIView[Any]):
    """Stored values (derived measures are not stored: ask ``/figures/`` for those).

    Open data and the own figures of every gemeente where the user is beheerder, adviseur or
    raadpleger.
    """

    serializer_class = ObservationSerializer

    def get_queryset(self) -> QuerySet[Any, dict[str, Any]]:
        params = self.request.query_params
        owners = staff_organisation_ids(self.request)
        qs = Observation.objects.visible_to(owners)
        codes = [c.strip().upper() for v in params.getlist("area") for c in v.split(",")]
        if any(codes):
            qs = qs.filter(area__code__in=[c for c in codes if c])
        if measure := params.get("measure"):
            qs = qs.filter(measure__code=measure.strip())
        if (start := _period(params, "period_from")) is not None:
            qs = qs.filter(period_start__gte=start.start)
        if (end := _period(params, "period_to")) is not None:
            qs = qs.filter(period_end__lte=end.end)
        if kind := params.get("period_type"):
            if kind not in _PERIOD_TYPES:
                raise ValidationError(
                    {"period_type": [_("Unknown period type %(t)s.") % {"t": kind}]}
                )
            qs = qs.filter(period_kind=kind)
        # One query with joins: rows are dictionaries, no model instances, no N+1.
        return (
            qs.order_by("measure_id", "area_id", "period_start", "period_end", "id")
            .annotate(vintage=Coalesce("batch__finished_at", "batch__started_at"))
            .values(
                "area__code",
                "measure__code",
                "period",
                "period_kind",
                "value",
                "status",
                "batch__dataset__source",
                "batch__dataset__table",
                "batch_id",
                "vintage",
                "owner__slug",
            )
        )

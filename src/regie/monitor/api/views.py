"""Endpoints of the monitor API: thin views over ``monitor.selectors`` and tenant filters."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from regie.accounts.models import Membership
from regie.accounts.permissions import STAFF_ROLES, role_in
from regie.core.api import FIELD_ERRORS
from regie.core.models import Organisation
from regie.monitor import insight, selectors
from regie.monitor.api.serializers import (
    ComparisonSerializer,
    ErrorSerializer,
    InsightErrorSerializer,
    MeasureSerializer,
    ObservationSerializer,
    RateFigureSerializer,
    WaterbedSerializer,
)
from regie.monitor.models import Measure, Observation, Source
from regie.stats import periods

# --- Tenancy ----------------------------------------------------------------------------------


def staff_organisation_ids(user: Any) -> list[int]:
    """Organisations whose own data ``user`` may read through the API (a role in STAFF_ROLES)."""
    if not user.is_authenticated or not user.is_active:
        return []
    return list(
        Membership.objects.filter(
            user=user, role__in=STAFF_ROLES, organisation__is_active=True
        ).values_list("organisation_id", flat=True)
    )


def staff_organisation(user: Any, slug: str | None) -> Organisation | None:
    """The organisation of ``?org=``; 404 unless the user has a staff role there (as on pages)."""
    if not slug:
        return None
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None or role_in(user, organisation) not in STAFF_ROLES:
        raise NotFound(_("Unknown organisation %(slug)s.") % {"slug": slug})
    return organisation


# --- Views ------------------------------------------------------------------------------------


def _measures(request: Request) -> QuerySet[Measure]:
    visible = Q(organisation__isnull=True) | Q(
        organisation_id__in=staff_organisation_ids(request.user)
    )
    return (
        Measure.objects.filter(visible)
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
        owners = staff_organisation_ids(self.request.user)
        qs = Observation.objects.filter(Q(owner__isnull=True) | Q(owner_id__in=owners))
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


_ORG = OpenApiParameter(
    "org",
    OpenApiTypes.STR,
    description=_(
        "Slug of a gemeente where you are beheerder, adviseur or raadpleger: include its "
        "own figures (they come before open data for the same cell)."
    ),
)

#: HTTP status of an :class:`insight.InsightError` by its code; 400 for any other code.
_ERROR_STATUS = {
    "not_found": 404,
    "not_alike": 422,
    "incomplete": 422,
    "roles": 422,
    "not_computable": 422,
    # Windows that are well formed but cannot be compared honestly (analysis.check_windows).
    "not_whole_months": 422,
    "order": 422,
    "unequal_length": 422,
    "overlap": 422,
    "different_months": 422,
    "covid": 422,
}


def _insight_organisation(request: Request) -> Organisation | None:
    """``?org=`` of an analysis: an organisation that is unknown (or not the user's) is an
    InsightError with code ``not_found``, so that the 404 has the analyses' error shape."""
    try:
        return staff_organisation(request.user, request.query_params.get("org"))
    except NotFound as exc:
        raise insight.InsightError(str(exc.detail), code="not_found") from exc


def insight_error(exc: insight.InsightError) -> Response:
    """``{"detail": …, "code": …}`` with the status that fits the code."""
    return Response({"detail": str(exc), "code": exc.code}, status=_ERROR_STATUS.get(exc.code, 400))


@extend_schema(
    summary=_("One figure with its lineage"),
    parameters=[
        _ORG,
        OpenApiParameter(
            "per",
            OpenApiTypes.INT,
            enum=[1000],
            description=_(
                "1000: add the rate per 1,000 inhabitants on 1 January of the figure's year, "
                "with its exact 95% Poisson interval (whole years of counts only)."
            ),
        ),
    ],
    responses={
        200: RateFigureSerializer,
        400: OpenApiResponse(
            InsightErrorSerializer, description=_("No rate per 1,000 can be given (per=1000).")
        ),
        404: OpenApiResponse(ErrorSerializer),
    },
)
class FigureDetail(APIView):
    """The value of a measure for an area in a period, as the web pages show it.

    Derived measures (``derived:hic-kern``) are computed on read from their components. With
    ``?per=1000`` the answer adds ``per_1000``; without it that key is absent.
    """

    def get(self, request: Request, area: str, measure: str, period: str) -> Response:
        organisation = staff_organisation(request.user, request.query_params.get("org"))
        per = request.query_params.get("per")
        if per:
            if per != "1000":
                return insight_error(
                    insight.InsightError(
                        _("Only per=1000 is supported, not %(per)s.") % {"per": per}, code="per"
                    )
                )
            try:
                rate = insight.rate_figure(area, measure, period, organisation=organisation)
            except insight.InsightError as exc:
                return insight_error(exc)
            return Response(rate.as_dict())
        try:
            result = selectors.figure(area, measure, period, organisation=organisation)
        except selectors.FigureNotFound as exc:
            raise NotFound(str(exc)) from exc
        return Response(result.as_dict())


_COMPARE_ERRORS = {
    400: OpenApiResponse(InsightErrorSerializer, description=_("A period code is not valid.")),
    404: OpenApiResponse(
        InsightErrorSerializer,
        description=_("Unknown area, measure or organisation, or no figure."),
    ),
    422: OpenApiResponse(
        InsightErrorSerializer,
        description=_("The periods are not alike (code not_alike): the detail explains why."),
    ),
}


@extend_schema(
    summary=_("Compare two periods"),
    parameters=[_ORG],
    responses={200: ComparisonSerializer, **_COMPARE_ERRORS},
)
class ComparisonDetail(APIView):
    """Two alike periods of one area and measure: difference, percentage and exact test.

    Always in time order: ``first`` is the earlier period whatever the order in the URL. Only
    alike periods compare (a month with the same month of another year, never overlapping
    periods, never a part of a year with a whole year: 422, code ``not_alike``); an incomplete
    month is refused (422, code ``incomplete``). The percentage is left out (null) when a count
    is below 20 and for percentages (the difference is then in percentage points). The exact
    test is for counts of events only.
    """

    def get(self, request: Request, area: str, measure: str, first: str, second: str) -> Response:
        try:
            organisation = _insight_organisation(request)
            result = insight.compare_periods(
                area, measure, first, second, organisation=organisation
            )
        except insight.InsightError as exc:
            return insight_error(exc)
        return Response(result.as_dict())


def _areas_parameter(name: str, description: Any, *, required: bool = True) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.STR, required=required, description=description)


def _window_parameter(name: str, description: Any) -> OpenApiParameter:
    return OpenApiParameter(
        name,
        OpenApiTypes.STR,
        required=True,
        pattern=r"^\d{4}M\d{2}:\d{4}M\d{2}$",
        description=description,
    )


@extend_schema(
    summary=_("Waterbed effect (WDD and WDQ)"),
    parameters=[
        OpenApiParameter(
            "measure", OpenApiTypes.STR, required=True, description=_("A measure of counts.")
        ),
        _areas_parameter("target", _("Target areas, CBS codes separated by commas.")),
        _areas_parameter(
            "displacement", _("Displacement (buffer) areas, CBS codes separated by commas.")
        ),
        _areas_parameter("control", _("Control areas of the target, separated by commas.")),
        _areas_parameter(
            "control_displacement",
            _("Control areas of the displacement areas (default: the control areas)."),
            required=False,
        ),
        _window_parameter("before", _("First and last month before: 2023M07:2024M06.")),
        _window_parameter("after", _("First and last month after: 2024M07:2025M06.")),
        _ORG,
    ],
    responses={
        200: WaterbedSerializer,
        400: OpenApiResponse(
            InsightErrorSerializer,
            description=_("A parameter is missing or malformed, or an area or measure unknown."),
        ),
        404: OpenApiResponse(
            InsightErrorSerializer,
            description=_("Unknown organisation, or not one of yours (?org=)."),
        ),
        422: OpenApiResponse(
            InsightErrorSerializer,
            description=_(
                "The windows cannot be compared (unequal length, other months, COVID years, "
                "overlap): the detail says why."
            ),
        ),
    },
)
class Waterbed(APIView):
    """Weighted displacement difference (Wheeler & Ratcliffe) and quotient (Bowers & Johnson).

    From the monthly counts of the areas in the two windows; windows of unequal length, of
    other months of the year, that overlap or that touch 2020–2021 are refused with the reason.
    """

    def get(self, request: Request) -> Response:
        params = request.query_params
        try:
            organisation = _insight_organisation(request)
            missing = [
                name
                for name in ("measure", "target", "displacement", "control", "before", "after")
                if not params.get(name, "").strip()
            ]
            if missing:
                raise insight.InsightError(
                    _("Missing parameter(s): %(names)s.") % {"names": ", ".join(missing)},
                    code="required",
                )
            result = insight.waterbed(
                params["measure"],
                target=_codes(params["target"]),
                displacement=_codes(params["displacement"]),
                control_target=_codes(params["control"]),
                control_displacement=_codes(params.get("control_displacement", "")) or None,
                before=insight.parse_window(params["before"]),
                after=insight.parse_window(params["after"]),
                organisation=organisation,
            )
        except insight.InsightError as exc:
            return insight_error(exc)
        return Response(result.as_dict())


def _codes(text: str) -> list[str]:
    return [code.strip() for code in text.split(",") if code.strip()]

"""The analysis endpoints of ``/api/v1/``: a figure (with its rate per 1,000), a comparison of
two periods, the waterbed analysis — the same functions as the pages and ``regie figure``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from regie.accounts.permissions import staff_organisation
from regie.core.api_fields import ErrorSerializer
from regie.core.models import Organisation
from regie.monitor import selectors
from regie.veiligheidsbeeld import insight
from regie.veiligheidsbeeld.api.serializers import (
    ComparisonSerializer,
    InsightErrorSerializer,
    RateFigureSerializer,
    WaterbedSerializer,
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
        return staff_organisation(request, request.query_params.get("org"))
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
        organisation = staff_organisation(request, request.query_params.get("org"))
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

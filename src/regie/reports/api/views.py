"""Read endpoints of council reports: only the gemeenten where the user (or token) has a staff
role (:func:`regie.accounts.permissions.staff_organisation_ids`); another's report is a 404."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics

from regie.accounts.permissions import staff_organisation, staff_organisation_ids
from regie.core.api_fields import ErrorSerializer
from regie.reports.api.serializers import ReportDetailSerializer, ReportSerializer
from regie.reports.models import Report

_NOT_FOUND = OpenApiResponse(
    ErrorSerializer,
    description=_(
        "Not found, or of a gemeente where you are not beheerder, adviseur or raadpleger."
    ),
)


def _reports(request: Any) -> QuerySet[Report]:
    return Report.objects.filter(
        organisation_id__in=staff_organisation_ids(request)
    ).select_related("organisation")


@extend_schema(
    summary=_("List reports"),
    parameters=[
        OpenApiParameter(
            "org",
            OpenApiTypes.STR,
            description=_("Slug of a gemeente where you are beheerder, adviseur or raadpleger."),
        )
    ],
    responses={200: ReportSerializer(many=True), 404: _NOT_FOUND},
)
class ReportList(generics.ListAPIView[Report]):
    """Council reports and briefings (concept and sent) of your gemeenten, newest period first."""

    serializer_class = ReportSerializer

    def get_queryset(self) -> QuerySet[Report]:
        reports = _reports(self.request).defer("snapshot")
        organisation = staff_organisation(self.request, self.request.query_params.get("org"))
        if organisation is not None:
            reports = reports.filter(organisation=organisation)
        return reports.order_by("organisation__slug", "-period", "kind", "-pk")


@extend_schema(
    summary=_("A report with its locked numbers"),
    responses={200: ReportDetailSerializer, 404: _NOT_FOUND},
)
class ReportDetail(generics.RetrieveAPIView[Report]):
    """A report: its text blocks, the snapshot its documents are built from, and its files
    (format, SHA-256, size, whether built as sent)."""

    serializer_class = ReportDetailSerializer

    def get_queryset(self) -> QuerySet[Report]:
        return _reports(self.request)

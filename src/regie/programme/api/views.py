"""Endpoints of the programme API: the uitvoeringsprogramma's of the gemeenten where the user
(or the token's organisation) has a staff role; another gemeente's programme is not found (404),
exactly like one that does not exist."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from regie.accounts.permissions import staff_organisation, staff_organisation_ids
from regie.core.api_fields import ErrorSerializer
from regie.programme import selectors
from regie.programme.api.serializers import (
    COUNTED,
    ProgrammeDetailSerializer,
    ProgrammeSerializer,
)
from regie.programme.models import Programme

_NOT_FOUND = OpenApiResponse(
    ErrorSerializer,
    description=_(
        "Not found, or of a gemeente where you are not beheerder, adviseur or raadpleger."
    ),
)


def _programmes(request: Request) -> QuerySet[Programme]:
    """Programmes of the gemeenten where the request has a staff role, with action counts."""
    counts: dict[str, Any] = {
        f"count_{status}": Count("actions", filter=Q(actions__status=status)) for status in COUNTED
    }
    return (
        Programme.objects.filter(organisation_id__in=staff_organisation_ids(request))
        .select_related("organisation", "plan")
        .annotate(count_total=Count("actions"), **counts)
    )


@extend_schema(
    summary=_("List uitvoeringsprogramma's"),
    parameters=[
        OpenApiParameter(
            "org",
            OpenApiTypes.STR,
            description=_(
                "Slug of a gemeente where you are beheerder, adviseur or raadpleger: only its "
                "programmes."
            ),
        )
    ],
    responses={200: ProgrammeSerializer(many=True), 404: _NOT_FOUND},
)
class ProgrammeList(generics.ListAPIView[Programme]):
    """The uitvoeringsprogramma's of the gemeenten where you are beheerder, adviseur or
    raadpleger, per gemeente the newest period first, with how many actions have each status."""

    serializer_class = ProgrammeSerializer

    def get_queryset(self) -> QuerySet[Programme]:
        programmes = _programmes(self.request)
        organisation = staff_organisation(self.request, self.request.query_params.get("org"))
        if organisation is not None:
            programmes = programmes.filter(organisation=organisation)
        return programmes.order_by("organisation__slug", "-period", "-pk")


@extend_schema(
    summary=_("One uitvoeringsprogramma with its actions"),
    responses={200: ProgrammeDetailSerializer, 404: _NOT_FOUND},
)
class ProgrammeDetail(APIView):
    """A programme with its actions (goals, owner, planning, budget, spending, status, result,
    lessons and progress notes) and per goal of the plan its effort (inspanning): how far its
    actions are. Effort only: the effect (the indicators' statuses) is at
    ``plans/<id>/statuses/`` and is never combined with it."""

    def get(self, request: Request, pk: int) -> Response:
        programme = get_object_or_404(_programmes(request), pk=pk)
        actions = list(selectors.actions_of(programme))
        context = {
            "request": request,
            "actions": actions,
            "efforts": selectors.effort_by_goal(programme, actions),
        }
        return Response(ProgrammeDetailSerializer(programme, context=context).data)

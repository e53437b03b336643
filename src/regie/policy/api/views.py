"""Endpoints of the policy API: thin views over ``policy.status`` and tenant filters.

Every query starts from the organisations where the user has a staff role
(:func:`regie.accounts.permissions.staff_organisation_ids`), so an item of another gemeente is
simply not found (404), exactly like one that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from regie.accounts.permissions import staff_organisation, staff_organisation_ids
from regie.core.api_fields import ErrorSerializer
from regie.policy import status
from regie.policy.api.serializers import (
    GoalDetailSerializer,
    IndicatorDetailSerializer,
    PlanDetailSerializer,
    PlanSerializer,
    PlanStatusesSerializer,
    SinceErrorSerializer,
)
from regie.policy.models import Goal, Indicator, Plan, Scenario, StatusOverride
from regie.stats import periods

_NOT_FOUND = OpenApiResponse(
    ErrorSerializer,
    description=_(
        "Not found, or of a gemeente where you are not beheerder, adviseur or raadpleger."
    ),
)


def _plans(request: Request) -> QuerySet[Plan]:
    """Plans (every version) of the gemeenten where the user has a staff role."""
    return Plan.objects.filter(organisation_id__in=staff_organisation_ids(request)).select_related(
        "organisation"
    )


@extend_schema(
    summary=_("List plans"),
    parameters=[
        OpenApiParameter(
            "org",
            OpenApiTypes.STR,
            description=_(
                "Slug of a gemeente where you are beheerder, adviseur or raadpleger: only its "
                "plans."
            ),
        )
    ],
    responses={200: PlanSerializer(many=True), 404: _NOT_FOUND},
)
class PlanList(generics.ListAPIView[Plan]):
    """The safety plans, every version, of the gemeenten where you are beheerder, adviseur or
    raadpleger: per gemeente the newest period and version first."""

    serializer_class = PlanSerializer

    def get_queryset(self) -> QuerySet[Plan]:
        plans = _plans(self.request)
        organisation = staff_organisation(self.request, self.request.query_params.get("org"))
        if organisation is not None:
            plans = plans.filter(organisation=organisation)
        return plans.order_by("organisation__slug", "-start_year", "-version", "-pk")


@extend_schema(
    summary=_("One plan with its tree"), responses={200: PlanDetailSerializer, 404: _NOT_FOUND}
)
class PlanDetail(generics.RetrieveAPIView[Plan]):
    """A plan with its priorities, themes, goals and indicators (targets, no statuses: ask
    ``statuses/`` for those), the scenario the council chose per theme and what the chosen
    scenarios cost per plan year."""

    serializer_class = PlanDetailSerializer

    def get_queryset(self) -> QuerySet[Plan]:
        # The whole tree in a fixed number of queries, however large the plan.
        return _plans(self.request).prefetch_related(
            "priorities__themes__safety_themes",
            "priorities__themes__goals__safety_themes",
            Prefetch(
                "priorities__themes__goals__indicators",
                queryset=Indicator.objects.select_related("measure", "area"),
            ),
            Prefetch(
                "priorities__themes__scenarios",
                queryset=Scenario.objects.filter(chosen=True).prefetch_related("lines"),
                to_attr="chosen_scenarios",
            ),
        )


def _since(request: Request) -> str | None:
    """The canonical code of ``?since=``; 400 when it is not a period code."""
    text = request.query_params.get("since", "").strip()
    if not text:
        return None
    try:
        return periods.parse(text).code
    except periods.PeriodError as exc:
        raise ValidationError(
            {
                "since": [
                    _("Unknown period %(code)s: use a period code such as 2023, 2023H1 or 2023M10.")
                    % {"code": text}
                ]
            }
        ) from exc


@extend_schema(
    summary=_("Every status of a plan"),
    parameters=[
        OpenApiParameter(
            "since",
            OpenApiTypes.STR,
            description=_(
                "Period of the previous report (e.g. 2023): an indicator without a newer "
                "comparable figure is 'no new measurement'."
            ),
        )
    ],
    responses={
        200: PlanStatusesSerializer,
        400: OpenApiResponse(SinceErrorSerializer, description=_("since is not a period code.")),
        404: _NOT_FOUND,
    },
)
class PlanStatuses(APIView):
    """The status of every indicator with the sentence that explains it, rolled up goal →
    theme → priority → plan (the least favourable status counts). Computed on read from the
    monitor's figures; a status set by hand (with its reason) counts over the computed one."""

    def get(self, request: Request, pk: int) -> Response:
        plan = get_object_or_404(_plans(request), pk=pk)
        since = _since(request)
        return Response(status.evaluate_plan(plan, since=since).as_dict())


@extend_schema(
    summary=_("One goal with its indicators and statuses"),
    responses={200: GoalDetailSerializer, 404: _NOT_FOUND},
)
class GoalDetail(APIView):
    """A goal, where it sits in the plan, its indicators each with its status, and the goal's
    status (the least favourable of its indicators)."""

    def get(self, request: Request, pk: int) -> Response:
        goal = get_object_or_404(
            Goal.objects.filter(
                theme__priority__plan__organisation_id__in=staff_organisation_ids(request)
            )
            .select_related("theme__priority__plan__organisation")
            .prefetch_related("safety_themes"),
            pk=pk,
        )
        node = status.evaluate_goal(goal)
        context: dict[str, Any] = {
            "request": request,
            "indicators": [i.indicator for i in node.indicators],
            "statuses": {i.indicator.pk: i for i in node.indicators},
            "rollup": (node.status, node.explanation),
        }
        return Response(GoalDetailSerializer(goal, context=context).data)


@extend_schema(
    summary=_("One indicator with its figures and status"),
    responses={200: IndicatorDetailSerializer, 404: _NOT_FOUND},
)
class IndicatorDetail(APIView):
    """An indicator with its target, its status, the figures it is judged on, for a trajectory
    the expected value in every plan year, and every status set by hand (the reason and when;
    not who)."""

    def get(self, request: Request, pk: int) -> Response:
        indicator = get_object_or_404(
            Indicator.objects.filter(
                goal__theme__priority__plan__organisation_id__in=staff_organisation_ids(request)
            ).select_related("measure", "area", "goal__theme__priority__plan__organisation"),
            pk=pk,
        )
        found = status.evaluate_indicators([indicator])[indicator.pk]
        overrides = list(
            StatusOverride.objects.filter(indicator=indicator)
            .order_by("-created_at", "-pk")
            .only("status", "reason", "created_at")
        )
        context = {"request": request, "status": found, "overrides": overrides}
        return Response(IndicatorDetailSerializer(indicator, context=context).data)

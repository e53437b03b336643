"""Endpoints of the signals API (Meldpunt Veiligheid).

- ``POST signals/``: a signal from a partner system (a write token, or a session of a member who
  may report). A partner organisation reports to any active gemeente; a gemeente only to itself
  (another gemeente is not found). The answer is the reference, the time of receipt and the
  status only: never personal data, never hermeldingen.
- ``GET signals/``: the signals the request may see (:mod:`.access`), without personal data.
- ``GET signals/<reference>/``: one signal with its personal data, only with a purpose (the
  header ``X-Regie-Purpose``: the code of a processing activity of the gemeente); every answer is
  written to the read log. A signal the request may not see is not found (404).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from regie.cases import reads, selectors, services
from regie.cases.api import access
from regie.cases.api.serializers import (
    AddressInSerializer,
    PurposeRequiredSerializer,
    ReceivedSerializer,
    SignalDetailSerializer,
    SignalInSerializer,
    SignalSerializer,
    SubjectInSerializer,
)
from regie.cases.models import Channel, Signal
from regie.cases.register_import import values
from regie.core import audit
from regie.core.api import DETAIL, FIELD_ERRORS
from regie.core.commands import find_organisation
from regie.core.errors import ServiceError
from regie.core.models import Organisation
from regie.privacy import services as privacy
from regie.privacy.models import ProcessingActivity, Surface

PURPOSE_HEADER = "X-Regie-Purpose"

_NOT_FOUND = OpenApiResponse(
    DETAIL,
    description=gettext_lazy(
        "Not found, or not visible to you (another gemeente, or a signal not reported by or "
        "shared with your organisation)."
    ),
)


def _path(prefix: str, key: Any) -> str:
    if isinstance(key, int):  # an item of a list (DRF gives them by index)
        return f"{prefix}[{key}]"
    if key == "non_field_errors" and prefix:
        return prefix
    return f"{prefix}.{key}" if prefix else str(key)


def field_errors(errors: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested errors as ``{"betrokkenen[0].bsn": ["…"], "locatie.postcode": ["…"]}``."""
    found: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            path = _path(prefix, key)
            for name, messages in field_errors(value, path).items():
                found.setdefault(name, []).extend(messages)
    elif isinstance(errors, list) and any(isinstance(e, (dict, list)) for e in errors):
        for index, item in enumerate(errors):
            found.update(field_errors(item, f"{prefix}[{index}]"))
    elif isinstance(errors, list):
        found[prefix or "non_field_errors"] = [str(e) for e in errors]
    else:
        found[prefix or "non_field_errors"] = [str(errors)]
    return found


def _refused(errors: dict[str, list[str]]) -> Response:
    return Response(errors, status=400)


def _gemeente(data: dict[str, Any]) -> Organisation:
    code = data.get("gemeente")
    organisation = find_organisation(code) if isinstance(code, str) else None
    if organisation is None or not organisation.is_gemeente or not organisation.is_active:
        raise NotFound(_("Unknown gemeente %(code)s.") % {"code": str(code)[:20]})
    return organisation


def _signal_in(
    attrs: dict[str, Any], gemeente: Organisation, who: access.Sender
) -> services.SignalIn:
    reporter = attrs.get("melder") or {}
    return services.SignalIn(
        organisation=gemeente,
        channel=Channel.API,
        category=attrs["categorie"],
        description=attrs["omschrijving"],
        received_at=attrs.get("ontvangen"),
        location=AddressInSerializer.address(attrs.get("locatie")),
        reporter_type=reporter.get("type") or who.reporter_type,
        reporter_name=reporter.get("naam", ""),
        reporter_phone=reporter.get("telefoon", ""),
        reporter_email=reporter.get("email", ""),
        reporting_organisation=who.reporting_organisation,
        subjects=[SubjectInSerializer.subject(s) for s in attrs.get("betrokkenen", [])],
    )


class SignalList(generics.ListAPIView[Signal]):
    """The signals you may see: of the category families you hold a grant for (gemeente staff),
    or those your organisation reported or that were shared with it (partners). Reference,
    receipt, category, family, status, outcome, deadline and channel only: no personal data. An
    organisation token of a gemeente sees none (it holds no grant)."""

    permission_classes = access.PERMISSIONS
    serializer_class = SignalSerializer

    def get_queryset(self) -> QuerySet[Signal]:
        found = access.organisation_viewers(self.request, self.request.query_params.get("org"))
        return (
            access.visible(found)
            .select_related("organisation", "category__parent")
            .order_by("-received_at", "-pk")
        )

    @extend_schema(
        summary=gettext_lazy("List signals (without personal data)"),
        parameters=[
            OpenApiParameter(
                "org",
                OpenApiTypes.STR,
                description=gettext_lazy(
                    "Slug of one of your organisations: only the signals you see there. Default: "
                    "all your organisations (a token: its own)."
                ),
            )
        ],
        responses={200: SignalSerializer(many=True), 404: _NOT_FOUND},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary=gettext_lazy("Send a signal from a partner system"),
        request=SignalInSerializer,
        responses={
            201: ReceivedSerializer,
            400: OpenApiResponse(
                FIELD_ERRORS,
                description=gettext_lazy(
                    "Not valid: the messages per field path (locatie.postcode, betrokkenen[0].bsn)."
                ),
            ),
            403: OpenApiResponse(
                DETAIL,
                description=gettext_lazy("A read token, or a role that may not report signals."),
            ),
            404: OpenApiResponse(
                DETAIL,
                description=gettext_lazy(
                    "Unknown gemeente, or another gemeente than your own (a gemeente reports "
                    "only to itself)."
                ),
            ),
        },
    )
    def post(self, request: Request) -> Response:
        """Register a signal (channel api). A partner organisation's token reports to any active
        gemeente, as that organisation; a gemeente's token only to itself. The answer holds the
        reference, time of receipt and status only."""
        data = request.data
        if not isinstance(data, dict):
            return _refused({"non_field_errors": [_("Send one signal as a JSON object.")]})
        if not str(data.get("gemeente") or "").strip():
            return _refused({"gemeente": [_("This value is required.")]})
        gemeente = _gemeente(data)
        who = access.sender(request, gemeente)
        services.ensure_categories(gemeente)
        serializer = SignalInSerializer(
            data=data, context={"categories": values.CategoryFinder(gemeente)}
        )
        if not serializer.is_valid():
            return _refused(field_errors(serializer.errors))
        signal_in = _signal_in(serializer.validated_data, gemeente, who)
        try:
            with audit.acting_as(who.by, who.label):
                intake = services.receive(signal_in, by=who.by, label=who.label)
        except ServiceError as exc:
            return _refused({"non_field_errors": [str(exc)]})
        location = reverse("api:signal_detail", kwargs={"ref": intake.signal.reference})
        return Response(
            ReceivedSerializer(intake.signal).data, status=201, headers={"Location": location}
        )


def _purpose(request: Request, signal: Signal) -> ProcessingActivity | Response:
    """The processing activity named by the purpose header, or the 400 answer listing them."""
    code = request.headers.get(PURPOSE_HEADER, "").strip()
    try:
        if code:
            return privacy.activity(signal.organisation, code)
    except ServiceError:
        pass
    choices = privacy.activities(signal.organisation)
    message = _(
        "Give the purpose of this read in the header %(header)s: the code of one of the "
        "processing activities of the gemeente (%(codes)s)."
    ) % {"header": PURPOSE_HEADER, "codes": ", ".join(a.code for a in choices)}
    body = {"detail": message, "doelen": [{"code": a.code, "naam": a.name} for a in choices]}
    return Response(body, status=400)


@extend_schema(
    summary=gettext_lazy("One signal with its personal data (read is logged)"),
    parameters=[
        OpenApiParameter(
            PURPOSE_HEADER,
            OpenApiTypes.STR,
            location=OpenApiParameter.HEADER,
            required=True,
            description=gettext_lazy(
                "Why you read it: the code of a processing activity of the gemeente "
                "(e.g. meldpunt-beoordelen). Written to the read log with what was shown."
            ),
        )
    ],
    responses={
        200: SignalDetailSerializer,
        400: OpenApiResponse(
            PurposeRequiredSerializer,
            description=gettext_lazy("No purpose, or one the gemeente does not know."),
        ),
        404: _NOT_FOUND,
    },
)
class SignalDetail(APIView):
    """A signal with its description, location, subjects and reporter (the reporter's contact
    details only with the grant for them, else masked). Needs a purpose; every answer is written
    to the read log (surface api) with the fields shown."""

    permission_classes = access.PERMISSIONS

    def get(self, request: Request, ref: str) -> Response:
        signal, who = access.find_signal(request, ref)
        activity = _purpose(request, signal)
        if isinstance(activity, Response):
            return activity
        contact = selectors.may_see_contact(who.user, signal.organisation, who.role)
        hits = None
        if who.role in selectors.FAMILY_ROLES:
            hits = {hit.kind: hit.count for hit in selectors.hermeldingen(signal)}
        shown = ["description", "location", "subjects"]
        shown += list(reads.REPORTER_FIELDS) if contact else []
        reads.log_signal_read(
            reader=access.reader(request, who),
            signal=signal,
            activity=activity,
            surface=Surface.API,
            operation="api.signal.detail",
            fields=shown,
        )
        context = {"contact": contact, "hits": hits}
        return Response(SignalDetailSerializer(signal, context=context).data)

"""The public Meldpunt of a gemeente (``/melden/<gemeente>/``): no account, no JavaScript needed.

- ``form``: residents and entrepreneurs report, anonymously or with contact details, with up to
  three photos or PDF files. Limited per client address and hour (:mod:`regie.cases.ratelimit`);
  a filled-in honeypot gets the same answer as success, and nothing is stored.
- ``received``: shows the receipt code once (passed through the session after the redirect).
- ``status``: the code gives the status and the date of its last change, never any content.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from regie.cases import ratelimit, services
from regie.cases.attachments import MAX_BYTES, MAX_FILES
from regie.cases.models import Dimension, Signal, SignalEvent
from regie.cases.public_forms import PublicSignalForm, StatusForm
from regie.core.errors import ServiceError
from regie.core.models import Organisation, OrganisationKind
from regie.core.uploads import request_limit, upload_limit

#: The session key that carries the receipt code from the POST to the page that shows it.
SESSION_KEY = "regie_melden_receipt"
#: The largest request the form takes: three files at the limit and the form's text (above the
#: site's ``REGIE_MAX_REQUEST_BYTES`` of 20 MB), set with ``core.uploads.request_limit``.
REQUEST_MAX_BYTES = MAX_FILES * MAX_BYTES + 5 * 1024 * 1024


def _gemeente(slug: str) -> Organisation:
    organisation = Organisation.objects.filter(
        slug=slug, kind=OrganisationKind.GEMEENTE, is_active=True
    ).first()
    if organisation is None:
        raise Http404
    return organisation


def _limited(
    request: HttpRequest, organisation: Organisation, verdict: ratelimit.Verdict
) -> HttpResponse:
    response = render(
        request, "cases/public_limited.html", {"organisation": organisation}, status=429
    )
    response["Retry-After"] = str(verdict.retry_after)
    return response


def _done(request: HttpRequest, organisation: Organisation, code: str) -> HttpResponse:
    request.session[SESSION_KEY] = {"org": organisation.slug, "code": code}
    return redirect("melden:received", org=organisation.slug)


def _request_too_large(request: HttpRequest, org: str, **kwargs: Any) -> HttpResponse:
    """The page for a request above :data:`REQUEST_MAX_BYTES` (called by the size middleware,
    before sessions, CSRF and the language are set up: no form on it, only a way back)."""
    organisation = _gemeente(org)
    with translation.override(translation.get_language_from_request(request)):
        page = render_to_string(
            "cases/public_too_large.html",
            {"organisation": organisation, "LANGUAGE_CODE": translation.get_language()},
        )
    return HttpResponse(page, status=413)


def _submit(request: HttpRequest, organisation: Organisation) -> HttpResponse | PublicSignalForm:
    form = PublicSignalForm(organisation, request.POST, request.FILES)
    if form.is_trap_filled:
        return _done(request, organisation, code="")
    if form.is_valid():
        try:
            intake = services.receive(form.signal_in(), by=None, label=_("public form"))
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            return _done(request, organisation, intake.receipt_code)
    return form


@upload_limit(MAX_BYTES)  # a file above 10 MB is stopped while it arrives
@require_http_methods(["GET", "POST"])
def form(request: HttpRequest, org: str) -> HttpResponse:
    organisation = _gemeente(org)
    if request.method == "POST":
        verdict = ratelimit.hit(request, ratelimit.FORM)
        if not verdict.allowed:
            return _limited(request, organisation, verdict)
        result = _submit(request, organisation)
        if isinstance(result, HttpResponse):
            return result
        bound = result
    else:
        bound = PublicSignalForm(organisation)
    return render(
        request,
        "cases/public_form.html",
        {"organisation": organisation, "form": bound, "max_files": MAX_FILES},
    )


form = request_limit(REQUEST_MAX_BYTES, too_large=_request_too_large)(form)


@require_GET
def received(request: HttpRequest, org: str) -> HttpResponse:
    organisation = _gemeente(org)
    entry = request.session.pop(SESSION_KEY, None)
    fresh = isinstance(entry, dict) and entry.get("org") == organisation.slug
    code = str(entry.get("code") or "") if isinstance(entry, dict) and fresh else ""
    return render(
        request,
        "cases/public_received.html",
        {"organisation": organisation, "fresh": fresh, "code": code},
    )


def _lookup(organisation: Organisation, code: str) -> dict[str, Any] | None:
    if not code.strip():
        return None
    signal = (
        Signal.objects.filter(
            organisation=organisation, receipt_digest=services.receipt_digest(code)
        )
        .only("pk", "status", "received_at")
        .first()
    )
    if signal is None:
        return None
    last = (
        SignalEvent.objects.filter(signal_id=signal.pk, dimension=Dimension.STATUS)
        .order_by("-at", "-pk")
        .values_list("at", flat=True)
        .first()
    )
    return {"label": signal.get_status_display(), "since": last or signal.received_at}


@require_http_methods(["GET", "POST"])
def status(request: HttpRequest, org: str) -> HttpResponse:
    organisation = _gemeente(org)
    context: dict[str, Any] = {"organisation": organisation, "looked_up": False}
    if request.method == "POST":
        verdict = ratelimit.hit(request, ratelimit.STATUS)
        if not verdict.allowed:
            return _limited(request, organisation, verdict)
        bound = StatusForm(request.POST)
        if bound.is_valid():
            context["looked_up"] = True
            context["found"] = _lookup(organisation, bound.cleaned_data["code"])
        context["form"] = bound
    else:
        context["form"] = StatusForm()
    return render(request, "cases/public_status.html", context)

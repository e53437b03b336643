"""The professional intake form (``cases:new``): gemeente staff, handhavers and ketenpartners
register a signal after login.

Gemeente staff (beheerder, adviseur, handhaver) report to their own gemeente and choose the
channel (the form, or an entry of Meld Misdaad Anoniem). A ketenpartner reports from its partner
organisation to a gemeente it chooses first (step 1, ``?gemeente=<slug>``, no JavaScript needed);
the signal then records the partner organisation as the reporting organisation.

After the intake, gemeente staff who may see the signal's family go to its page; everyone else
gets a confirmation with the reference only (the enrichment is for entitled staff).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from regie.accounts.models import Role
from regie.accounts.permissions import org_view
from regie.cases import selectors, services
from regie.cases.attachments import MAX_BYTES, MAX_FILES
from regie.cases.intake_forms import GemeenteForm, IntakeForms
from regie.cases.models import ReporterType, Signal
from regie.core.errors import ServiceError
from regie.core.models import Organisation
from regie.core.uploads import request_limit, upload_limit

#: Who may open the form: gemeente staff except raadplegers, and ketenpartners.
INTAKE_ROLES = selectors.REPORTING_ROLES
#: In a gemeente: the roles of its own staff; in a partner organisation: ketenpartner.
GEMEENTE_ROLES = frozenset({Role.BEHEERDER, Role.ADVISEUR, Role.HANDHAVER})
DEFAULT_REPORTER: dict[str, str] = {
    Role.HANDHAVER.value: ReporterType.ENFORCER.value,
    Role.KETENPARTNER.value: ReporterType.PARTNER.value,
}


def _role(request: HttpRequest) -> str:
    return str(getattr(request, "role", ""))


def _check_role(organisation: Organisation, role: str) -> None:
    allowed = GEMEENTE_ROLES if organisation.is_gemeente else {Role.KETENPARTNER}
    if role not in allowed:
        raise PermissionDenied


def _chosen_gemeente(request: HttpRequest) -> tuple[GemeenteForm, Organisation | None]:
    form = GemeenteForm(request.GET if "gemeente" in request.GET else None)
    if form.is_bound and form.is_valid():
        gemeente: Organisation = form.cleaned_data["gemeente"]
        return form, gemeente
    return form, None


def _context(
    organisation: Organisation, gemeente: Organisation, forms: IntakeForms
) -> dict[str, Any]:
    return {
        "organisation": organisation,
        "gemeente": gemeente,
        "partner": not organisation.is_gemeente,
        "forms": forms,
        "signal_form": forms.signal,
        "error_links": list(forms.error_links()) if forms.is_bound else [],
    }


def _entitled(request: HttpRequest, organisation: Organisation, signal: Signal) -> bool:
    """May the user open the signal's page right away (staff with a grant for its family)?"""
    role = _role(request)
    return organisation.is_gemeente and signal.family in selectors.families_of(
        request.user, organisation, role
    )


def _done(request: HttpRequest, organisation: Organisation, signal: Signal) -> HttpResponse:
    if _entitled(request, organisation, signal):
        messages.success(
            request,
            _("The signal has been registered as %(reference)s.") % {"reference": signal.reference},
        )
        return redirect("cases:detail", org=organisation.slug, ref=signal.reference)
    return render(
        request,
        "cases/intake_done.html",
        {
            "organisation": organisation,
            "reference": signal.reference,
            "gemeente_name": signal.organisation.name,
            "partner": not organisation.is_gemeente,
        },
    )


def _receive(request: HttpRequest, organisation: Organisation, forms: IntakeForms) -> Signal | None:
    partner = None if organisation.is_gemeente else organisation
    data = forms.signal_in(reporting_organisation=partner)
    try:
        intake = services.receive(data, by=request.user, label=request.user.get_username())
    except ServiceError as error:
        forms.add_error(str(error))
        return None
    return intake.signal


@request_limit(MAX_FILES * MAX_BYTES + 5 * 1024 * 1024)  # three files at their limit, and text
@upload_limit(MAX_BYTES)  # a larger file is stopped while it arrives
@org_view(INTAKE_ROLES)
@require_http_methods(["GET", "POST"])
def new_signal(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    role = _role(request)
    _check_role(organisation, role)
    gemeente: Organisation | None = organisation
    if not organisation.is_gemeente:
        choose, gemeente = _chosen_gemeente(request)
        if gemeente is None:
            return render(
                request,
                "cases/intake_choose.html",
                {"organisation": organisation, "form": choose},
            )
    assert gemeente is not None  # noqa: S101 - narrowed above
    services.ensure_categories(gemeente)
    post = request.method == "POST"
    forms = IntakeForms(
        request.POST if post else None,
        request.FILES if post else None,
        gemeente=gemeente,
        with_channel=organisation.is_gemeente,
        reporter_type=DEFAULT_REPORTER.get(role, ReporterType.STAFF),
    )
    if post and forms.is_valid():
        signal = _receive(request, organisation, forms)
        if signal is not None:
            return _done(request, organisation, signal)
    return render(request, "cases/intake_form.html", _context(organisation, gemeente, forms))

"""Installation-wide beheer (superusers): organisations, accounts, and the installation's audit log.

Only here can an account's name or e-mail address be changed by someone else than its owner, and
only here is a lost second factor cleared (after checking who asks, outside the application).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import devices_for_user

from regie.accounts import selectors, services
from regie.accounts.forms import AccountForm, NewOrganisationForm
from regie.accounts.models import User
from regie.accounts.permissions import installation_admin_required
from regie.accounts.views.common import (
    audit_entry_page,
    audit_page,
    purpose_audit,
    purpose_members,
)
from regie.core import services as core_services
from regie.core.errors import ServiceError
from regie.core.models import AuditEntry, Organisation
from regie.core.services import record_read


@installation_admin_required
@require_http_methods(["GET", "POST"])
def organisation_list(request: HttpRequest) -> HttpResponse:
    form = NewOrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            org = core_services.create_organisation(
                name=data["name"], slug=data["slug"], kind=data["kind"], cbs_code=data["cbs_code"]
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            user = request.user
            if isinstance(user, User):
                services.set_role(user=user, organisation=org, role="beheerder")
            messages.success(
                request,
                _("%(org)s has been created; you are its beheerder and can add users.")
                % {"org": org.name},
            )
            return redirect("beheer:member_list", org=org.slug)
    organisations = Organisation.objects.order_by("kind", "name")
    return render(
        request, "accounts/organisation_list.html", {"organisations": organisations, "form": form}
    )


@installation_admin_required
def account_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("zoek", "")
    page = Paginator(selectors.accounts(query), 50).get_page(request.GET.get("pagina"))
    record_read(
        user=request.user,
        organisation=None,
        subject=_("accounts of the installation"),
        purpose=purpose_members(),
    )
    return render(request, "accounts/account_list.html", {"page": page, "query": query})


@installation_admin_required
@require_http_methods(["GET", "POST"])
def account_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    account = get_object_or_404(User, pk=user_id)
    form = AccountForm(
        request.POST or None,
        initial={
            "first_name": account.first_name,
            "last_name": account.last_name,
            "email": account.email,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.change_account(
                account=account, current_session=request.session.session_key, **form.cleaned_data
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The details have been saved."))
            return redirect("installatie:account_detail", user_id=account.pk)
    record_read(user=request.user, organisation=None, subject=account, purpose=purpose_members())
    context = {
        "account": account,
        "form": form,
        "memberships": account.memberships.select_related("organisation").order_by(
            "organisation__name"
        ),
        "devices": list(devices_for_user(account, confirmed=True)),
    }
    return render(request, "accounts/account_detail.html", context)


@installation_admin_required
@require_http_methods(["GET", "POST"])
def account_reset_2fa(request: HttpRequest, user_id: int) -> HttpResponse:
    """ "Verificatie wissen": the recovery route for a lost authenticator app."""
    account = get_object_or_404(User, pk=user_id)
    if request.method == "POST":
        reset = services.reset_two_factor(user=account, by=request.user)
        # The enrolment code is shown here once (only its hash is kept): no redirect.
        return render(
            request,
            "accounts/account_reset_2fa_done.html",
            {
                "account": account,
                "code": reset.code,
                "expires_at": reset.expires_at,
                "sessions": reset.sessions,
            },
        )
    return render(request, "accounts/account_reset_2fa.html", {"account": account})


@installation_admin_required
def installation_audit_log(request: HttpRequest) -> HttpResponse:
    record_read(
        user=request.user,
        organisation=None,
        subject=_("audit log of the installation"),
        purpose=purpose_audit(),
    )

    def url_for(entry: AuditEntry) -> str:
        return reverse("installatie:audit_entry", kwargs={"entry_id": entry.pk})

    return audit_page(
        request,
        selectors.installation_audit_entries,
        url_for,
        {"installation": True, "clear_url": reverse("installatie:audit_log")},
    )


@installation_admin_required
def installation_audit_entry(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = selectors.installation_audit_entries().filter(pk=entry_id).first()
    if entry is None:
        raise Http404
    record_read(
        user=request.user,
        organisation=None,
        subject=_("audit entry %(id)s") % {"id": entry.pk},
        purpose=purpose_audit(),
    )
    return audit_entry_page(
        request,
        entry,
        {"installation": True, "log_url": reverse("installatie:audit_log")},
        visible=selectors.installation_audit_entries(),
        url_for=lambda e: reverse("installatie:audit_entry", kwargs={"entry_id": e.pk}),
    )

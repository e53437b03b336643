"""Beheer of one organisation: its members' roles, invitations, its name and its audit log.

A beheerder manages roles here and nothing of the accounts themselves (ADR 0011): no name,
e-mail, password or device of an account can be changed from these pages.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import user_has_device

from regie.accounts import selectors, services
from regie.accounts.forms import InvitationForm, OrganisationForm, RemoveMembershipForm, RoleForm
from regie.accounts.models import Invitation, Membership
from regie.accounts.permissions import ADMIN_ROLES, org_view
from regie.accounts.views.common import (
    audit_entry_page,
    audit_page,
    base_url,
    purpose_audit,
    purpose_members,
)
from regie.core.errors import ServiceError
from regie.core.models import AuditEntry, Organisation
from regie.core.services import record_read


@org_view(ADMIN_ROLES)
@require_http_methods(["GET", "POST"])
def member_list(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invite(
                organisation=organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,  # type: ignore[arg-type]
                base_url=base_url(request),
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            # The same words whether or not an account with this address exists anywhere.
            messages.success(
                request,
                _(
                    "An invitation has been sent to %(email)s. The role starts when the "
                    "invitation is accepted."
                )
                % {"email": form.cleaned_data["email"]},
            )
            return redirect("beheer:member_list", org=organisation.slug)
    record_read(
        user=request.user,
        organisation=organisation,
        subject=_("users of %(org)s") % {"org": organisation.name},
        purpose=purpose_members(),
    )
    return render(
        request,
        "accounts/member_list.html",
        {
            "organisation": organisation,
            "members": selectors.members(organisation),
            "invitations": selectors.pending_invitations(organisation),
            "form": form,
        },
    )


def _membership(organisation: Organisation, user_id: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user"), organisation=organisation, user_id=user_id
    )


@org_view(ADMIN_ROLES)
@require_http_methods(["GET", "POST"])
def member_detail(request: HttpRequest, organisation: Organisation, user_id: int) -> HttpResponse:
    membership = _membership(organisation, user_id)
    member = membership.user
    form = RoleForm(request.POST or None, initial={"role": membership.role})
    form.set_concurrency_object(membership)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_role(
                user=member,
                organisation=organisation,
                role=form.cleaned_data["role"],
                token=form.token,
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The role has been changed."))
            return redirect("beheer:member_detail", org=organisation.slug, user_id=member.pk)
    record_read(
        user=request.user, organisation=organisation, subject=member, purpose=purpose_members()
    )
    context = {
        "organisation": organisation,
        "membership": membership,
        "member": member,
        "role_form": form,
        "has_2fa": user_has_device(member, confirmed=True),
    }
    return render(request, "accounts/member_detail.html", context)


@org_view(ADMIN_ROLES)
@require_http_methods(["GET", "POST"])
def member_remove(request: HttpRequest, organisation: Organisation, user_id: int) -> HttpResponse:
    membership = _membership(organisation, user_id)
    form = RemoveMembershipForm(request.POST or None)
    form.set_concurrency_object(membership)
    if request.method == "POST" and form.is_valid():
        try:
            services.remove_membership(membership=membership, token=form.token)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("%(user)s no longer has a role in %(org)s.")
                % {"user": membership.user.username, "org": organisation.name},
            )
            return redirect("beheer:member_list", org=organisation.slug)
    return render(
        request,
        "accounts/member_remove.html",
        {"organisation": organisation, "membership": membership, "form": form},
    )


@org_view(ADMIN_ROLES)
@require_http_methods(["GET", "POST"])
def invitation_cancel(
    request: HttpRequest, organisation: Organisation, invitation_id: int
) -> HttpResponse:
    invitation = get_object_or_404(Invitation, pk=invitation_id, organisation=organisation)
    error = ""
    if request.method == "POST":
        try:
            services.cancel_invitation(invitation=invitation)
        except ServiceError as exc:
            error = str(exc)
        else:
            messages.success(request, _("The invitation has been cancelled."))
            return redirect("beheer:member_list", org=organisation.slug)
    return render(
        request,
        "accounts/invitation_cancel.html",
        {"organisation": organisation, "invitation": invitation, "error": error},
    )


@org_view(ADMIN_ROLES)
@require_http_methods(["GET", "POST"])
def organisation_settings(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    form = OrganisationForm(request.POST or None, initial={"name": organisation.name})
    form.set_concurrency_object(organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.rename_organisation(
                organisation=organisation, name=form.cleaned_data["name"], token=form.token
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The details of the organisation have been saved."))
            return redirect("beheer:organisation_settings", org=organisation.slug)
    return render(
        request, "accounts/organisation_settings.html", {"organisation": organisation, "form": form}
    )


@org_view(ADMIN_ROLES)
def audit_log(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    record_read(
        user=request.user,
        organisation=organisation,
        subject=_("audit log of %(org)s") % {"org": organisation.name},
        purpose=purpose_audit(),
    )

    def url_for(entry: AuditEntry) -> str:
        return reverse(
            "beheer:audit_entry", kwargs={"org": organisation.slug, "entry_id": entry.pk}
        )

    return audit_page(
        request,
        lambda **filters: selectors.organisation_audit_entries(
            organisation=organisation, **filters
        ),
        url_for,
        {
            "organisation": organisation,
            "clear_url": reverse("beheer:audit_log", kwargs={"org": organisation.slug}),
        },
    )


@org_view(ADMIN_ROLES)
def audit_entry(request: HttpRequest, organisation: Organisation, entry_id: int) -> HttpResponse:
    entry = (
        selectors.organisation_audit_entries(organisation=organisation).filter(pk=entry_id).first()
    )
    if entry is None:
        raise Http404
    record_read(
        user=request.user,
        organisation=organisation,
        subject=_("audit entry %(id)s") % {"id": entry.pk},
        purpose=purpose_audit(),
    )
    return audit_entry_page(
        request,
        entry,
        {
            "organisation": organisation,
            "log_url": reverse("beheer:audit_log", kwargs={"org": organisation.slug}),
        },
        visible=selectors.organisation_audit_entries(organisation=organisation),
        url_for=lambda e: reverse(
            "beheer:audit_entry", kwargs={"org": organisation.slug, "entry_id": e.pk}
        ),
    )

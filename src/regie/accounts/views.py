"""Login, two-factor authentication, own account, and the Beheer section of an organisation."""

from __future__ import annotations

import base64

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import devices_for_user
from django_otp import login as otp_login

from regie.accounts import services
from regie.accounts.forms import (
    AuditFilterForm,
    NewMemberForm,
    NewOrganisationForm,
    OrganisationForm,
    RoleForm,
    TokenForm,
    UserDetailsForm,
)
from regie.accounts.models import Membership, User
from regie.accounts.permissions import (
    ADMIN_ROLES,
    installation_admin_required,
    is_verified,
    memberships_of,
    org_view,
)
from regie.core import selectors as core_selectors
from regie.core import services as core_services
from regie.core.models import AuditEntry, Organisation
from regie.core.services import ServiceError


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Second step of the login: a TOTP code from the user's confirmed device."""
    if is_verified(request.user):
        return redirect(_next_url(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        throttled = False
        for device in devices_for_user(request.user, confirmed=True):
            if not device.verify_is_allowed()[0]:
                throttled = True
                continue
            if device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                return redirect(_next_url(request))
        if throttled:
            form.add_error(
                "token",
                _("Too many incorrect codes in a row. Wait a moment and try again."),
            )
        else:
            form.add_error("token", _("This code is incorrect or has expired. Try the new code."))
    return render(request, "accounts/verify.html", {"form": form, "next": _next_url(request)})


@login_required
@require_http_methods(["GET", "POST"])
def setup_2fa(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: show the QR code and confirm with a first code."""
    if is_verified(request.user):
        messages.info(request, _("Two-factor authentication is already set up."))
        return redirect(_next_url(request))
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    device = services.start_totp_enrolment(user=user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.confirm_totp_enrolment(device=device, token=form.cleaned_data["token"]):
            otp_login(request, device)
            messages.success(request, _("Two-factor authentication is set up."))
            return redirect(_next_url(request))
        form.add_error("token", _("This code is incorrect. Check the time on your phone."))
    secret = base64.b32encode(device.bin_key).decode()
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#000", light="#fff")
    context = {"form": form, "secret": secret, "qr_svg": qr_svg, "next": _next_url(request)}
    return render(request, "accounts/setup_2fa.html", context)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "memberships": memberships_of(user),
        "has_2fa": any(True for _ in devices_for_user(user, confirmed=True)),
    }
    return render(request, "accounts/profile.html", context)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send the user to the organisation used last, or let them choose one."""
    memberships = memberships_of(request.user)
    slugs = [m.organisation.slug for m in memberships]
    last = request.session.get("regie_last_org")
    if last in slugs:
        return redirect("org_areas:overview", org=last)
    if len(slugs) == 1:
        return redirect("org_areas:overview", org=slugs[0])
    return render(request, "accounts/choose_organisation.html", {"memberships": memberships})


# --- Beheer: members of one organisation ------------------------------------------------------


@org_view(ADMIN_ROLES)
@require_http_methods(["GET", "POST"])
def member_list(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    form = NewMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = User.objects.filter(username__iexact=data["username"].strip()).first()
            created = user is None
            if user is None:
                user = services.create_user(
                    username=data["username"],
                    email=data["email"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                )
            services.set_role(user=user, organisation=organisation, role=data["role"])
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            if created:
                _send_invitation(request, user)
                messages.success(
                    request,
                    _("%(user)s has been added and will receive an email to set a password.")
                    % {"user": user.username},
                )
            else:
                messages.success(
                    request,
                    _("%(user)s now has a role in this organisation.") % {"user": user.username},
                )
            return redirect("beheer:member_list", org=organisation.slug)
    members = (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__username")
    )
    return render(
        request,
        "accounts/member_list.html",
        {"organisation": organisation, "members": members, "form": form},
    )


def _send_invitation(request: HttpRequest, user: User) -> None:
    form = PasswordResetForm({"email": user.email})
    if form.is_valid():
        # Django only mails users with a usable password; an invitation must reach new users too.
        form.get_users = lambda email: [user]  # type: ignore[method-assign]
        form.save(
            request=request,
            use_https=request.is_secure(),
            subject_template_name="accounts/email/invitation_subject.txt",
            email_template_name="accounts/email/invitation.txt",
        )


@org_view(ADMIN_ROLES)
@require_http_methods(["GET", "POST"])
def member_detail(request: HttpRequest, organisation: Organisation, user_id: int) -> HttpResponse:
    membership = get_object_or_404(
        Membership.objects.select_related("user"), organisation=organisation, user_id=user_id
    )
    member = membership.user
    role_form = RoleForm(
        request.POST if request.POST.get("form") == "role" else None,
        initial={"role": membership.role},
    )
    role_form.set_concurrency_object(membership)
    details_form = UserDetailsForm(
        request.POST if request.POST.get("form") == "details" else None,
        initial={
            "first_name": member.first_name,
            "last_name": member.last_name,
            "email": member.email,
        },
    )
    details_form.set_concurrency_object(member)
    if request.method == "POST":
        try:
            if request.POST.get("form") == "role" and role_form.is_valid():
                services.set_role(
                    user=member, organisation=organisation, role=role_form.cleaned_data["role"]
                )
                messages.success(request, _("The role has been changed."))
                return redirect("beheer:member_detail", org=organisation.slug, user_id=member.pk)
            if request.POST.get("form") == "details" and details_form.is_valid():
                services.update_user_details(
                    user=member,
                    first_name=details_form.cleaned_data["first_name"],
                    last_name=details_form.cleaned_data["last_name"],
                    email=details_form.cleaned_data["email"],
                )
                messages.success(request, _("The details have been saved."))
                return redirect("beheer:member_detail", org=organisation.slug, user_id=member.pk)
        except ServiceError as exc:
            (role_form if request.POST.get("form") == "role" else details_form).add_error(
                None, str(exc)
            )
    context = {
        "organisation": organisation,
        "membership": membership,
        "member": member,
        "role_form": role_form,
        "details_form": details_form,
        "has_2fa": any(True for _ in devices_for_user(member, confirmed=True)),
        "other_orgs": member.memberships.exclude(organisation=organisation).count(),
    }
    return render(request, "accounts/member_detail.html", context)


@org_view(ADMIN_ROLES)
@require_http_methods(["GET", "POST"])
def member_remove(request: HttpRequest, organisation: Organisation, user_id: int) -> HttpResponse:
    membership = get_object_or_404(
        Membership.objects.select_related("user"), organisation=organisation, user_id=user_id
    )
    error = ""
    if request.method == "POST":
        try:
            services.remove_membership(membership=membership)
        except ServiceError as exc:
            error = str(exc)
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
        {"organisation": organisation, "membership": membership, "error": error},
    )


@org_view(ADMIN_ROLES)
@require_http_methods(["GET", "POST"])
def member_reset_2fa(
    request: HttpRequest, organisation: Organisation, user_id: int
) -> HttpResponse:
    membership = get_object_or_404(
        Membership.objects.select_related("user"), organisation=organisation, user_id=user_id
    )
    if request.method == "POST":
        services.reset_two_factor(user=membership.user)
        messages.success(
            request,
            _(
                "The two-factor authentication of %(user)s has been reset; at the next login the "
                "user sets up a new app."
            )
            % {"user": membership.user.username},
        )
        return redirect("beheer:member_detail", org=organisation.slug, user_id=user_id)
    return render(
        request,
        "accounts/member_reset_2fa.html",
        {"organisation": organisation, "membership": membership},
    )


@org_view(ADMIN_ROLES)
@require_http_methods(["GET", "POST"])
def organisation_settings(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    form = OrganisationForm(request.POST or None, initial={"name": organisation.name})
    form.set_concurrency_object(organisation)
    if request.method == "POST" and form.is_valid():
        core_services.update_organisation(
            organisation=organisation, name=form.cleaned_data["name"], is_active=True
        )
        messages.success(request, _("The details of the organisation have been saved."))
        return redirect("beheer:organisation_settings", org=organisation.slug)
    return render(
        request, "accounts/organisation_settings.html", {"organisation": organisation, "form": form}
    )


@org_view(ADMIN_ROLES)
def audit_log(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = core_selectors.audit_entries(
        organisation=organisation,
        actor=filters.get("actor") or "",
        action=filters.get("action") or "",
        object_type=filters.get("object_type") or "",
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    page = Paginator(entries, 50).get_page(request.GET.get("pagina"))
    query = request.GET.copy()
    query.pop("pagina", None)
    return render(
        request,
        "accounts/audit_log.html",
        {"organisation": organisation, "form": form, "page": page, "query": query.urlencode()},
    )


@org_view(ADMIN_ROLES)
def audit_entry(request: HttpRequest, organisation: Organisation, entry_id: int) -> HttpResponse:
    entry = get_object_or_404(AuditEntry, pk=entry_id, organisation=organisation)
    return render(
        request, "accounts/audit_entry.html", {"organisation": organisation, "entry": entry}
    )


# --- Installation-wide: organisations (superusers only) --------------------------------------


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

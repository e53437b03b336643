"""The own account: name, e-mail address, devices, and invitations to organisations."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

from regie.accounts import navigation, selectors, services
from regie.accounts.forms import DeviceRemoveForm, EmailChangeForm, NameForm, NewAccountForm
from regie.accounts.models import Invitation, User
from regie.accounts.permissions import memberships_of
from regie.accounts.reauth import mark_password_given
from regie.accounts.views.common import base_url
from regie.core.errors import ServiceError

_MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _account(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = _account(request)
    form = NameForm(
        request.POST or None, initial={"first_name": user.first_name, "last_name": user.last_name}
    )
    if request.method == "POST" and form.is_valid():
        services.change_own_name(
            user=user,
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
        )
        messages.success(request, _("Your name has been saved."))
        return redirect("accounts:profile")
    devices = list(devices_for_user(user, confirmed=True))
    context = {
        "memberships": memberships_of(user),
        "has_2fa": bool(devices),
        "devices": devices,
        "invitations": selectors.invitations_for_account(user),
        "name_form": form,
    }
    return render(request, "accounts/profile.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def email_change(request: HttpRequest) -> HttpResponse:
    user = _account(request)
    form = EmailChangeForm(request.POST or None, request=request, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_email_change(
                user=user, new_email=form.cleaned_data["email"], base_url=base_url(request)
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _(
                    "We have sent a link to %(email)s. Open it to confirm the new address; until "
                    "then your account keeps its current address."
                )
                % {"email": form.cleaned_data["email"]},
            )
            return redirect("accounts:profile")
    return render(request, "accounts/email_change.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    user = _account(request)
    error = ""
    if request.method == "POST":
        try:
            email = services.confirm_email_change(
                user=user, token=token, current_session=request.session.session_key
            )
        except ServiceError as exc:
            error = str(exc)
        else:
            messages.success(
                request,
                _("The email address of your account is now %(email)s.") % {"email": email},
            )
            return redirect("accounts:profile")
    return render(request, "accounts/email_confirm.html", {"error": error})


@login_required
@require_http_methods(["GET", "POST"])
def device_remove(request: HttpRequest, device_id: int) -> HttpResponse:
    user = _account(request)
    device = TOTPDevice.objects.filter(user=user, pk=device_id, confirmed=True).first()
    if device is None:
        raise Http404
    form = DeviceRemoveForm(request.POST or None, request=request, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.remove_device(user=user, device_id=device.pk)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The authenticator app has been removed."))
            return redirect("accounts:profile")
    return render(request, "accounts/device_remove.html", {"device": device, "form": form})


def _answer(request: HttpRequest, invitation: Invitation, user: User) -> HttpResponse:
    """Accept or decline ``invitation`` as ``user`` (the account's own consent)."""
    try:
        if request.POST.get("answer") == "accept":
            services.accept_invitation(invitation=invitation, user=user)
        else:
            services.decline_invitation(invitation=invitation, user=user)
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("accounts:profile")
    if request.POST.get("answer") == "accept":
        request.session.cycle_key()  # a new role is a new privilege: a new session key
        messages.success(
            request,
            _("You now have the role %(role)s in %(org)s.")
            % {"role": invitation.get_role_display(), "org": invitation.organisation.name},
        )
        return redirect("org_areas:overview", org=invitation.organisation.slug)
    messages.success(request, _("You have declined the invitation."))
    return redirect("accounts:profile")


@require_POST
@login_required
def invitation_respond(request: HttpRequest, invitation_id: int) -> HttpResponse:
    """Answer an invitation to the account's own address, from the profile page."""
    user = _account(request)
    invitation = selectors.invitation_for_account(user, invitation_id)
    if invitation is None:
        raise Http404
    return _answer(request, invitation, user)


def _invitation_page(request: HttpRequest, invitation: Invitation, **extra: Any) -> HttpResponse:
    """The invitation names the organisation, the role and what that role may do there."""
    context = {
        "invitation": invitation,
        "role_summary": navigation.role_summary(invitation.role, invitation.organisation),
        **extra,
    }
    return render(request, "accounts/invitation.html", context)


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the invitation mail: accept with the logged-in account, or create one."""
    found = services.invitation_by_token(token)
    if found is None:
        return render(request, "accounts/invitation.html", {"invitation": None})
    if request.user.is_authenticated:
        account = _account(request)
        if not services.is_for_account(found, account):
            # A link that reached another account than the invited address's: no role.
            return _invitation_page(request, found, wrong_account=services.wrong_address_message())
        if request.method == "POST":
            return _answer(request, found, account)
        return _invitation_page(request, found)
    form = NewAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.create_account_from_invitation(
                invitation=found,
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                password=data["password1"],
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            login(request, user, backend=_MODEL_BACKEND)  # a new session key, as every login
            mark_password_given(request)  # the first app needs no second typing of it
            messages.success(
                request,
                _("Your account has been created and you have the role %(role)s in %(org)s.")
                % {"role": found.get_role_display(), "org": found.organisation.name},
            )
            return redirect("home")
    return _invitation_page(request, found, form=form)

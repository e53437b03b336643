"""Login with password and second factor, enrolment of a device, and password changes."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login

from regie.accounts import events, services
from regie.accounts.forms import LoginForm, TokenForm
from regie.accounts.models import User
from regie.accounts.permissions import is_verified, memberships_of
from regie.accounts.views.common import next_url
from regie.core.audit import client_address
from regie.core.models import AuditAction


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    authentication_form = LoginForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = context.get("form")
        context["throttled"] = bool(
            form is not None and form.has_error(NON_FIELD_ERRORS, "throttled")
        )
        return context


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Second step of the login: a TOTP code from the user's confirmed device."""
    if is_verified(request.user):
        return redirect(next_url(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        throttled = False
        for device in devices_for_user(request.user, confirmed=True):
            if not device.verify_is_allowed()[0]:
                throttled = True
                continue
            if device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                # A new session key for the new privilege: a key fixed before can't ride it.
                request.session.cycle_key()
                events.record(AuditAction.VERIFIED, account=request.user, actor=request.user)
                return redirect(next_url(request))
        events.record(AuditAction.VERIFY_FAILED, account=request.user, actor=request.user)
        if throttled:
            form.add_error(
                "token",
                _("Too many incorrect codes in a row. Wait a moment and try again."),
            )
        else:
            form.add_error("token", _("This code is incorrect or has expired. Try the new code."))
    return render(request, "accounts/verify.html", {"form": form, "next": next_url(request)})


@login_required
@require_http_methods(["GET", "POST"])
def setup_2fa(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: show the QR code and confirm with a first code.

    The first device may be enrolled right after the password. Once the account has a confirmed
    device, another one is only enrolled from a session that passed the second factor: else
    whoever has the password could add a device of their own.
    """
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    verified = is_verified(user)
    if not verified and user_has_device(user, confirmed=True):
        return redirect(
            f"{reverse('accounts:verify')}?{urlencode({'next': request.get_full_path()})}"
        )
    device = services.start_totp_enrolment(user=user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.confirm_totp_enrolment(device=device, token=form.cleaned_data["token"]):
            if not verified:
                otp_login(request, device)
            request.session.cycle_key()
            messages.success(request, _("Two-factor authentication is set up."))
            return redirect(next_url(request) if not verified else reverse("accounts:profile"))
        form.add_error("token", _("This code is incorrect. Check the time on your phone."))
    secret = base64.b32encode(device.bin_key).decode()
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#000", light="#fff")
    context = {
        "form": form,
        "secret": secret,
        "qr_svg": qr_svg,
        "next": next_url(request),
        "additional": verified,
    }
    return render(request, "accounts/setup_2fa.html", context)


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


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form: Any) -> HttpResponse:
        # Django's update_session_auth_hash() gives the session a new key here.
        response = super().form_valid(form)
        services.record_password_change(user=form.user)
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Mails a reset link, within the limits per account and per address (same page always)."""

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        found = list(form.get_users(form.cleaned_data["email"]))
        allowed = services.allowed_reset_recipients(
            users=found, address=client_address(self.request)
        )
        form.get_users = lambda email: iter(allowed)
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Form) -> HttpResponse:
        response = super().form_valid(form)
        user = getattr(form, "user", None)
        if isinstance(user, User):
            services.record_password_reset(user=user)
        self.request.session.cycle_key()
        return response

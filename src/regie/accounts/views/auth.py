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

from regie.accounts import events, navigation, services
from regie.accounts.forms import EnrolForm, LoginForm, PasswordChangeForm, TokenForm
from regie.accounts.models import User
from regie.accounts.permissions import is_verified, memberships_of, requires_two_factor
from regie.accounts.reauth import mark_password_given, password_given_recently
from regie.accounts.views.common import complete_login, next_url
from regie.core.audit import client_address
from regie.core.errors import ServiceError
from regie.core.models import AuditAction


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    authentication_form = LoginForm

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        mark_password_given(self.request)
        if not user_has_device(user, confirmed=True) and not requires_two_factor(user):
            complete_login(self.request, response, user)  # no second factor to wait for
        return response

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
                return complete_login(request, redirect(next_url(request)), request.user)
        events.record(AuditAction.VERIFY_FAILED, account=request.user, actor=request.user)
        if throttled:
            form.add_error(
                "token",
                _("Too many incorrect codes in a row. Wait a moment and try again."),
            )
        else:
            form.add_error("token", _("This code is incorrect or has expired. Try the new code."))
    return render(request, "accounts/verify.html", {"form": form, "next": next_url(request)})


_ENROLMENT = "regie_enrolment"


def _enrolment_key(request: HttpRequest, user: User) -> str:
    """This session's key for the app being enrolled: fresh per enrolment, never shared."""
    pending = request.session.get(_ENROLMENT)
    if isinstance(pending, dict) and pending.get("user") == user.pk and pending.get("key"):
        return str(pending["key"])
    key = services.new_enrolment_key()
    request.session[_ENROLMENT] = {"user": user.pk, "key": key}
    return key


@login_required
@require_http_methods(["GET", "POST"])
def setup_2fa(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: show the QR code and confirm with a first code.

    The first device may be enrolled right after the password. Once the account has a confirmed
    device, another one is only enrolled from a session that passed the second factor, with the
    current password and a code of an existing app: else whoever has the password, or a session
    left open, could add a device of their own. The key lives in this session until confirmed.
    """
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    verified = is_verified(user)
    has_device = user_has_device(user, confirmed=True)
    if not verified and has_device:
        return redirect(
            f"{reverse('accounts:verify')}?{urlencode({'next': request.get_full_path()})}"
        )
    key = _enrolment_key(request, user)
    form = EnrolForm(
        request.POST or None,
        request=request,
        user=user,
        ask_password=has_device or not password_given_recently(request),
        ask_current_code=has_device,
        ask_enrolment_code=services.needs_enrolment_code(user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            device = services.confirm_totp_enrolment(
                user=user,
                key=key,
                token=form.cleaned_data["token"],
                enrolment_code=form.cleaned_data.get("enrolment_code", ""),
            )
        except ServiceError as exc:
            field = "enrolment_code" if "enrolment_code" in form.fields else None
            form.add_error(field, str(exc))
        else:
            if device is not None:
                request.session.pop(_ENROLMENT, None)
                if not verified:
                    otp_login(request, device)
                request.session.cycle_key()
                messages.success(request, _("Two-factor authentication is set up."))
                if verified:
                    return redirect(reverse("accounts:profile"))
                return complete_login(request, redirect(next_url(request)), user)
            form.add_error("token", _("This code is incorrect. Check the time on your phone."))
    device = services.unsaved_device(user=user, key=key)
    secret = base64.b32encode(device.bin_key).decode()
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#000", light="#fff")
    context = {
        "form": form,
        "secret": secret,
        "qr_svg": qr_svg,
        "next": next_url(request),
        "additional": has_device,
    }
    return render(request, "accounts/setup_2fa.html", context)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send the user to the organisation used last, or let them choose one; without any role
    (installation beheer) the start page links to what the account may open."""
    memberships = memberships_of(request.user)
    slugs = [m.organisation.slug for m in memberships]
    last = request.session.get("regie_last_org")
    if last in slugs:
        return redirect("org_areas:overview", org=last)
    if len(slugs) == 1:
        return redirect("org_areas:overview", org=slugs[0])
    return render(
        request,
        "accounts/choose_organisation.html",
        {
            "memberships": memberships,
            "start_links": navigation.destinations(request.user, None, None, describe=True),
        },
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    """The old password is checked through the login throttle; the account's other sessions end,
    and this browser stays a known device (the old cookie named the old password)."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")
    form_class = PasswordChangeForm

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["request"] = self.request
        return kwargs

    def form_valid(self, form: Any) -> HttpResponse:
        # Django's update_session_auth_hash() gives the session a new key here.
        response = super().form_valid(form)
        services.record_password_change(
            user=form.user, current_session=self.request.session.session_key
        )
        if is_verified(form.user) or not user_has_device(form.user, confirmed=True):
            complete_login(self.request, response, form.user)
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

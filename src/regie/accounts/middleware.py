from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device

from regie.accounts.permissions import is_verified, requires_two_factor

_EXEMPT_PREFIXES = ("/static/", "/i18n/")


class TwoFactorMiddleware:
    """Send a logged-in user who has not passed the second factor to verification or enrolment.

    A user with a confirmed device always verifies; a user whose role requires 2FA and who has no
    device yet must enrol first.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not user.is_authenticated or is_verified(user):
            return self.get_response(request)
        exempt = {
            reverse("accounts:verify"),
            reverse("accounts:setup_2fa"),
            reverse("accounts:logout"),
        }
        if request.path in exempt or request.path.startswith(_EXEMPT_PREFIXES):
            return self.get_response(request)
        if user_has_device(user, confirmed=True):
            return redirect(
                f"{reverse('accounts:verify')}?{urlencode({'next': request.get_full_path()})}"
            )
        if requires_two_factor(user):
            return redirect(
                f"{reverse('accounts:setup_2fa')}?{urlencode({'next': request.get_full_path()})}"
            )
        return self.get_response(request)

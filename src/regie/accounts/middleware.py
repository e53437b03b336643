from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import user_has_device

from regie.accounts.permissions import is_verified, requires_two_factor

_EXEMPT_PREFIXES = ("/static/", "/i18n/")
#: JSON clients cannot follow a redirect to an HTML form: they get 403 with a message instead.
_API_PREFIX = "/api/"


class TwoFactorMiddleware:
    """Send a logged-in user who has not passed the second factor to verification or enrolment.

    A user with a confirmed device always verifies; a user whose role requires 2FA and who has no
    device yet must enrol first. Requests to the JSON API are refused (403) instead of redirected.
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
        must_verify = user_has_device(user, confirmed=True)
        if request.path.startswith(_API_PREFIX) and (must_verify or requires_two_factor(user)):
            return JsonResponse(
                {"detail": _("Complete the second factor of the web login first.")}, status=403
            )
        if must_verify:
            return redirect(
                f"{reverse('accounts:verify')}?{urlencode({'next': request.get_full_path()})}"
            )
        if requires_two_factor(user):
            return redirect(
                f"{reverse('accounts:setup_2fa')}?{urlencode({'next': request.get_full_path()})}"
            )
        return self.get_response(request)

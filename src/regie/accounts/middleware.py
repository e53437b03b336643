from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from regie.accounts.permissions import VERIFY, second_factor_step

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
        step = second_factor_step(request.user)
        if step is None:
            return self.get_response(request)
        exempt = {
            reverse("accounts:verify"),
            reverse("accounts:setup_2fa"),
            reverse("accounts:logout"),
        }
        if request.path in exempt or request.path.startswith(_EXEMPT_PREFIXES):
            return self.get_response(request)
        if request.path.startswith(_API_PREFIX):
            return JsonResponse(
                {"detail": _("Complete the second factor of the web login first.")}, status=403
            )
        target = reverse("accounts:verify" if step == VERIFY else "accounts:setup_2fa")
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")

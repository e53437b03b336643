from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from regie.core import audit


class AuditActorMiddleware:
    """Attribute audit entries written during a request to the logged-in user and the client's
    address (:func:`regie.core.audit.client_address`), also for anonymous requests (a failed
    login, a reset request)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with audit.from_address(audit.client_address(request)):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                with audit.acting_as(user):
                    return self.get_response(request)
            return self.get_response(request)

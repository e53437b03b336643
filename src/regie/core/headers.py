"""Response headers that no single view should have to remember.

* ``Cache-Control: no-store, private`` on every response outside the static files: pages show
  personal and tenant data to logged-in users, and the anonymous pages (login, password reset,
  invitations) carry forms and tokens; none of it belongs in a shared or browser cache (the back
  button after logout). Static files keep their own long-lived caching.
* ``Permissions-Policy`` denying browser features the product never uses (camera, microphone,
  location, payment, USB, …), so that injected content could not use them either.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

NO_STORE = "no-store, private"
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "bluetooth",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.static_prefix = str(getattr(settings, "STATIC_URL", "/static/") or "/static/")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if not request.path.startswith(self.static_prefix):
            response["Cache-Control"] = NO_STORE
        return response

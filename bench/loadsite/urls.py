"""The product's URLs plus ``/bench/bare/``: the baseline the pages are compared with."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path

from regie.urls import urlpatterns as product_urlpatterns


@login_required
def bare(request: HttpRequest) -> HttpResponse:
    """The least a logged-in page can do: the same middleware stack, no query, no template."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), *product_urlpatterns]

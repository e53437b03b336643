"""API tokens of one organisation in its Beheer section (ADR 0017): list, create, revoke.

Only the organisation's beheerders come here. A new token's secret is shown once, on the page
that answers the form (never stored, never shown again, not cached by the browser).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from regie.accounts import selectors, services
from regie.accounts.forms import TOKEN_OWNER_ME, ApiTokenForm
from regie.accounts.models import ApiToken
from regie.accounts.permissions import ADMIN_ROLES, org_view
from regie.accounts.services import api_tokens
from regie.core.errors import ServiceError
from regie.core.models import Organisation


def _page(
    request: HttpRequest, organisation: Organisation, form: ApiTokenForm, **extra: object
) -> HttpResponse:
    response = render(
        request,
        "accounts/api_token_list.html",
        {
            "organisation": organisation,
            "tokens": selectors.api_tokens(organisation),
            "form": form,
            "max_days": api_tokens.MAX_DAYS,
            "default_days": api_tokens.DEFAULT_DAYS,
            **extra,
        },
    )
    add_never_cache_headers(response)
    return response


@org_view(ADMIN_ROLES)
@require_http_methods(["GET", "POST"])
def api_token_list(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    form = ApiTokenForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.create_token(
                organisation=organisation,
                name=data["name"],
                description=data["description"],
                scope=data["scope"],
                user=request.user if data["owner"] == TOKEN_OWNER_ME else None,  # type: ignore[arg-type]
                created_by=request.user,  # type: ignore[arg-type]
                days=data["days"],
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            # Rendered, not redirected: the secret exists only in this answer.
            return _page(request, organisation, ApiTokenForm(request=request), created=created)
    return _page(request, organisation, form)


@org_view(ADMIN_ROLES)
@require_http_methods(["GET", "POST"])
def api_token_revoke(
    request: HttpRequest, organisation: Organisation, token_id: int
) -> HttpResponse:
    token = get_object_or_404(
        ApiToken.objects.select_related("user"), pk=token_id, organisation=organisation
    )
    if request.method == "POST":
        services.revoke_token(token=token, revoked_by=request.user)  # type: ignore[arg-type]
        messages.success(
            request, _("The API token %(name)s has been revoked.") % {"name": token.name}
        )
        return redirect("beheer:api_token_list", org=organisation.slug)
    return render(
        request,
        "accounts/api_token_revoke.html",
        {"organisation": organisation, "token": token},
    )

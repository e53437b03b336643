"""Tenant resolution and role checks for views and API endpoints.

Every organisation-scoped URL has an ``org`` slug. :func:`org_view` resolves it and checks the
user's role there: not a member → 404 (another gemeente's pages are not even confirmed to exist),
member with a role that is not allowed → 403.

The JSON API asks :func:`api_role`, :func:`staff_organisation_ids` and
:func:`staff_organisation` (one home for its tenancy): for a session the user's roles, for an API
token only the token's organisation with the role the token implies (ADR 0017).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, Concatenate, ParamSpec

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from regie.accounts.models import ApiToken, ApiTokenScope, Membership, Role
from regie.core.models import Organisation

P = ParamSpec("P")

ALL_ROLES: frozenset[str] = frozenset(Role.values)
#: Roles that may read the gemeente's own policy and monitor pages.
STAFF_ROLES: frozenset[str] = frozenset({Role.BEHEERDER, Role.ADVISEUR, Role.RAADPLEGER})
#: Roles that may change the gemeente's policy content.
EDITOR_ROLES: frozenset[str] = frozenset({Role.BEHEERDER, Role.ADVISEUR})
ADMIN_ROLES: frozenset[str] = frozenset({Role.BEHEERDER})
#: The role an organisation token (no user) has in its organisation, by scope: a machine that
#: reads is a raadpleger, one that may write an adviseur (never a beheerder).
TOKEN_ROLES: dict[str, str] = {
    ApiTokenScope.READ: Role.RAADPLEGER,
    ApiTokenScope.WRITE: Role.ADVISEUR,
}


def role_in(user: Any, organisation: Organisation) -> str | None:
    """The user's role in ``organisation``, or None when not a member."""
    if not user.is_authenticated or not user.is_active or not organisation.is_active:
        return None
    cache: dict[int, str | None] = getattr(user, "_regie_roles", None) or {}
    if organisation.pk not in cache:
        cache[organisation.pk] = (
            Membership.objects.filter(user=user, organisation=organisation)
            .values_list("role", flat=True)
            .first()
        )
        user._regie_roles = cache
    return cache[organisation.pk]


def memberships_of(user: Any) -> list[Membership]:
    if not user.is_authenticated:
        return []
    return list(
        Membership.objects.filter(user=user, organisation__is_active=True)
        .select_related("organisation")
        .order_by("organisation__kind", "organisation__name")
    )


def resolve_organisation(request: HttpRequest, slug: str, roles: Iterable[str]) -> Organisation:
    organisation = get_object_or_404(Organisation, slug=slug)
    role = role_in(request.user, organisation)
    if role is None:
        raise Http404
    if role not in set(roles):
        raise PermissionDenied
    request.organisation = organisation  # type: ignore[attr-defined]
    request.role = role  # type: ignore[attr-defined]
    request.session["regie_last_org"] = organisation.slug
    return organisation


def org_view(
    roles: Iterable[str],
) -> Callable[
    [Callable[Concatenate[HttpRequest, Organisation, P], HttpResponse]],
    Callable[..., HttpResponse],
]:
    """Decorate a view ``(request, organisation, **kwargs)`` reached by ``<slug:org>/…`` URLs."""
    allowed = frozenset(roles)

    def decorator(
        view: Callable[Concatenate[HttpRequest, Organisation, P], HttpResponse],
    ) -> Callable[..., HttpResponse]:
        @login_required
        @functools.wraps(view)
        def wrapper(
            request: HttpRequest, org: str, *args: P.args, **kwargs: P.kwargs
        ) -> HttpResponse:
            organisation = resolve_organisation(request, org, allowed)
            return view(request, organisation, *args, **kwargs)

        wrapper.regie_roles = allowed  # type: ignore[attr-defined]
        return wrapper

    return decorator


def installation_admin_required(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """Installation-wide pages (all organisations) are for superusers only."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_superuser:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def is_verified(user: Any) -> bool:
    """Whether the user passed the second factor in this session (django-otp's flag)."""
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False


def requires_two_factor(user: Any) -> bool:
    """Whether ``user`` must pass TOTP before using the site (configured per role)."""
    from django.conf import settings

    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    required = set(settings.REGIE_2FA_REQUIRED_ROLES)
    return Membership.objects.filter(user=user, role__in=required).exists()


#: What a logged-in session still owes before it may use the site (:func:`second_factor_step`).
VERIFY = "verify"
ENROL = "enrol"


def second_factor_step(user: Any) -> str | None:
    """The step this session owes: ``VERIFY`` (the account has an authenticator app: a code
    from it), ``ENROL`` (its role or being a superuser requires one: set it up first) or None.

    One home for the rule: the middleware sends the session to that step, and the page shell
    shows the menu only to a session that owes nothing.
    """
    if not user.is_authenticated or is_verified(user):
        return None
    from django_otp import user_has_device

    if user_has_device(user, confirmed=True):
        return VERIFY
    if requires_two_factor(user):
        return ENROL
    return None


def may_use_site(user: Any) -> bool:
    """Whether ``user`` is logged in and owes no second factor in this session."""
    return bool(user is not None and user.is_authenticated and second_factor_step(user) is None)


# --- The JSON API ----------------------------------------------------------------------------


def api_token(request: Any) -> ApiToken | None:
    """The API token a request to the JSON API authenticated with, if any."""
    token = getattr(request, "auth", None)
    return token if isinstance(token, ApiToken) else None


def api_role(request: Any, organisation: Organisation) -> str | None:
    """The role of an API request in ``organisation``.

    With a token only the token's organisation counts: a personal token has its user's role
    there (never more), an organisation token the role of :data:`TOKEN_ROLES`. Without one the
    session user's role (:func:`role_in`).
    """
    token = api_token(request)
    if token is None:
        return role_in(request.user, organisation)
    if organisation.pk != token.organisation_id or not organisation.is_active:
        return None
    if token.user is not None:
        return role_in(token.user, organisation)
    return TOKEN_ROLES.get(token.scope)


def staff_organisation_ids(request: Any) -> list[int]:
    """Organisations whose own data the API request may read (a role in STAFF_ROLES)."""
    token = api_token(request)
    if token is not None:
        allowed = api_role(request, token.organisation) in STAFF_ROLES
        return [token.organisation_id] if allowed else []
    user = request.user
    if not user.is_authenticated or not user.is_active:
        return []
    return list(
        Membership.objects.filter(
            user=user, role__in=STAFF_ROLES, organisation__is_active=True
        ).values_list("organisation_id", flat=True)
    )


def staff_organisation(request: Any, slug: str | None) -> Organisation | None:
    """The organisation of ``?org=``; 404 unless the request has a staff role there (as pages).

    Another organisation than a token's is not found either, exactly like one that does not exist.
    """
    from rest_framework.exceptions import NotFound

    if not slug:
        return None
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None or api_role(request, organisation) not in STAFF_ROLES:
        raise NotFound(_("Unknown organisation %(slug)s.") % {"slug": slug})
    return organisation

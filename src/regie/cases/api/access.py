"""Who an API request is in the Meldpunt: which signals it sees, and for whom it may report.

The need-to-know rule stays :func:`regie.cases.selectors.visible_signals`; this module only
decides with which user and role it is asked, because an organisation token is no account:

- a session, or a personal token (within the token's organisation): that user's role there, so
  exactly what the pages show them;
- an organisation token of a partner organisation: the organisation's view as a ketenpartner
  (the signals it reported and those shared with it), in any gemeente;
- an organisation token of a gemeente: no signal at all (a machine holds no family grant); it
  may only report signals to its own gemeente.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission

from regie.accounts.models import ApiToken, ApiTokenScope, Role
from regie.accounts.permissions import api_role, api_token, memberships_of, role_in
from regie.cases import selectors
from regie.cases.models import ReporterType, Signal
from regie.core.models import Organisation
from regie.privacy import services as privacy

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView


class ActiveUser(BasePermission):
    """A logged-in, active user, or an API token (any method)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active)


class WriteScope(BasePermission):
    """A read token only GET, HEAD and OPTIONS (403 otherwise), as
    ``regie.accounts.api_auth.TokenScope`` (which is not public to the apps)."""

    message = gettext_lazy("This API token may only read (scope read).")

    def has_permission(self, request: Request, view: APIView) -> bool:
        token = api_token(request)
        if token is None or token.scope == ApiTokenScope.WRITE:
            return True
        return request.method in SAFE_METHODS


#: The permissions of the signals endpoints (reading and the intake).
PERMISSIONS = [ActiveUser, WriteScope]


@dataclass(frozen=True)
class Viewer:
    """The user and role with which :func:`selectors.visible_signals` is asked."""

    user: Any
    organisation: Organisation
    role: str | None


def _machine(request: Request) -> ApiToken | None:
    """The organisation token (no user) of the request, if any."""
    token = api_token(request)
    return token if token is not None and token.user is None else None


def viewer(request: Request, organisation: Organisation) -> Viewer:
    token = _machine(request)
    if token is None:  # a session, or a personal token (request.user is its user)
        return Viewer(request.user, organisation, api_role(request, organisation))
    mine = organisation.pk == token.organisation_id and organisation.is_active
    role = Role.KETENPARTNER.value if mine and not organisation.is_gemeente else None
    return Viewer(request.user, organisation, role)


def viewers(request: Request) -> list[Viewer]:
    """One viewer per organisation the request acts in (a token: only its own)."""
    token = api_token(request)
    if token is not None:
        return [viewer(request, token.organisation)]
    return [viewer(request, m.organisation) for m in memberships_of(request.user)]


def visible(found: list[Viewer]) -> QuerySet[Signal]:
    rows = Signal.objects.none()
    for item in found:
        rows = rows | selectors.visible_signals(item.user, item.organisation, item.role)
    return rows


def organisation_viewers(request: Request, slug: str | None) -> list[Viewer]:
    """The viewer of ``?org=`` (404 when the request has no role there), else all."""
    if not slug:
        return viewers(request)
    organisation = Organisation.objects.filter(slug=slug).first()
    found = viewer(request, organisation) if organisation is not None else None
    if found is None or (found.role is None and api_role(request, found.organisation) is None):
        raise NotFound()
    return [found]


def find_signal(request: Request, reference: str) -> tuple[Signal, Viewer]:
    """The visible signal with ``reference`` and the viewer that sees it; 404 otherwise."""
    for item in viewers(request):
        signal = selectors.signal_for(item.user, item.organisation, item.role, reference)
        if signal is not None:
            return signal, item
    raise NotFound()


def reader(request: Request, viewer: Viewer | None = None) -> privacy.Reader:
    """Who reads, for the read log: an organisation token is no user but a named machine; a
    person reads for the organisation they see the signal through."""
    token = _machine(request)
    if token is None:
        return privacy.reader_for(request, viewer.organisation.name if viewer else "")
    existing = getattr(request, "_regie_reader", None)
    if isinstance(existing, privacy.Reader):
        return existing
    found = privacy.Reader(
        user=None, label=str(request.user), organisation_name=token.organisation.name
    )
    request._regie_reader = found  # type: ignore[attr-defined]
    return found


# --- Reporting -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sender:
    """Who reports a signal through the API, and on behalf of which organisation."""

    by: Any | None
    label: str
    reporting_organisation: Organisation | None
    reporter_type: str


def _partner_sender(user: Any | None, label: str, partner: Organisation) -> Sender:
    return Sender(user, label, partner, ReporterType.PARTNER.value)


def _staff_sender(user: Any | None, label: str, role: str | None) -> Sender:
    kind = ReporterType.ENFORCER if role == Role.HANDHAVER else ReporterType.STAFF
    return Sender(user, label, None, kind.value)


def _token_sender(request: Request, token: ApiToken, gemeente: Organisation) -> Sender:
    own = token.organisation
    user = token.user
    label = str(request.user)
    if not own.is_gemeente:
        if user is not None and role_in(user, own) != Role.KETENPARTNER:
            raise PermissionDenied()
        return _partner_sender(user, label, own)
    if own.pk != gemeente.pk:
        raise NotFound()
    role = api_role(request, gemeente)
    if role not in selectors.REPORTING_ROLES:
        raise PermissionDenied()
    return _staff_sender(user, label, role)


def sender(request: Request, gemeente: Organisation) -> Sender:
    """Who reports to ``gemeente``: 404 when the request has nothing to do with it, 403 when it
    has a role there that may not report."""
    token = api_token(request)
    if token is not None:
        return _token_sender(request, token, gemeente)
    user = request.user
    role = role_in(user, gemeente)
    if role in selectors.REPORTING_ROLES and role != Role.KETENPARTNER:
        return _staff_sender(user, user.get_username(), role)
    if role is not None:
        raise PermissionDenied()
    for membership in memberships_of(user):
        org = membership.organisation
        if membership.role == Role.KETENPARTNER and not org.is_gemeente:
            return _partner_sender(user, user.get_username(), org)
    raise NotFound()

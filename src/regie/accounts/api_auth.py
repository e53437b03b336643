"""API tokens at the door of the JSON API (ADR 0017): DRF authentication, the token's scope,
and the security scheme and 401 answer in the OpenAPI schema.

``Authorization: Bearer <secret>`` (or ``Token <secret>``). A personal token authenticates as its
user; an organisation token as a :class:`TokenMachine`, which is no account. Either way
``request.auth`` is the :class:`~regie.accounts.models.ApiToken`, and the API's tenant helpers
(:func:`regie.accounts.permissions.staff_organisation_ids`) allow only the token's organisation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.throttling import SimpleRateThrottle

from regie.accounts.models import ApiToken, ApiTokenScope
from regie.accounts.services import api_tokens

if TYPE_CHECKING:  # rest_framework.views imports the settings that name this module
    from rest_framework.request import Request
    from rest_framework.views import APIView

KEYWORDS = ("bearer", "token")
#: ``WWW-Authenticate`` of a refused token.
CHALLENGE = 'Bearer realm="api"'


class TokenMachine:
    """Who acts with an organisation token: a machine of the token's organisation, no account.

    It has no roles through memberships; its role comes from the token (read: raadpleger,
    write: adviseur, see :data:`regie.accounts.permissions.TOKEN_ROLES`).
    """

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, token: ApiToken) -> None:
        self.token = token
        self.username = api_tokens.actor_label(token)

    def get_username(self) -> str:
        return self.username

    def is_verified(self) -> bool:
        return True  # a token is a credential of its own; there is no second factor to owe

    def __str__(self) -> str:
        return self.username


def _has_token_header(request: Request) -> bool:
    parts = get_authorization_header(request).split()
    return bool(parts) and parts[0].decode("latin-1").lower() in KEYWORDS


class ApiTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <secret>`` or ``Token <secret>``: an API token (ADR 0017).

    Without such a header it leaves the request to the session login. A secret that is unknown,
    revoked or expired (or of an inactive organisation or user) is refused with 401 and a
    ``WWW-Authenticate`` header.
    """

    refused = _("The API token is unknown, revoked or expired.")

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].decode("latin-1").lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Give the token as: Authorization: Bearer <token>.")
            )
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(self.refused) from exc
        token = api_tokens.find_token(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(self.refused)
        # Throttled before the use is recorded: a loop cannot flood the audit log.
        throttle = TokenRateThrottle()
        if not throttle.allow_token(token):
            raise exceptions.Throttled(throttle.wait())
        api_tokens.record_use(token, method=request.method or "", path=request.path)
        principal: Any = token.user if token.user is not None else TokenMachine(token)
        return principal, token

    def authenticate_header(self, request: Request) -> str | None:
        # Only a request that offered a token is told how to authenticate (401); a request
        # without one keeps the API's answer to a missing session (403), as before tokens.
        return CHALLENGE if _has_token_header(request) else None


class TokenScope(BasePermission):
    """A read token may only GET, HEAD and OPTIONS (403 otherwise); sessions are not affected."""

    message = _("This API token may only read (scope read).")

    def has_permission(self, request: Request, view: APIView) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken) or token.scope == ApiTokenScope.WRITE:
            return True
        return request.method in SAFE_METHODS


class TokenRateThrottle(SimpleRateThrottle):
    """At most ``REGIE_API_TOKEN_RATE`` requests per token (429 beyond it): a script in a loop
    cannot flood the audit log, where every use of a token is recorded. Checked by
    :class:`ApiTokenAuthentication` before it records the use; sessions are not throttled here
    (the login is)."""

    scope = "token"
    # set by SimpleRateThrottle.__init__ from the rate (the stubs do not declare them)
    num_requests: int
    duration: int

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        return None  # checked by the authentication (:meth:`allow_token`), before the audit

    def allow_token(self, token: ApiToken) -> bool:
        """Whether ``token`` may make one more request now (and count it)."""
        self.key = self.cache_format % {"scope": self.scope, "ident": token.pk}
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        if len(self.history) >= self.num_requests:
            return False
        return bool(self.throttle_success())


class ApiTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """The security scheme ``tokenAuth`` in the OpenAPI schema (HTTP bearer)."""

    target_class = "regie.accounts.api_auth.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": str(
                _(
                    "An API token of one organisation (Beheer → API tokens, or regie token "
                    "create), as Authorization: Bearer <token>."
                )
            ),
        }


def document_token_refusal(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular hook: every operation answers 401 ``{"detail": …}`` to an API token that
    is unknown, revoked or expired."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault(
        "Error",
        {
            "type": "object",
            "properties": {"detail": {"type": "string"}},
            "required": ["detail"],
        },
    )
    refusal = {
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        "description": str(_("The API token is unknown, revoked or expired.")),
        "headers": {
            "WWW-Authenticate": {"schema": {"type": "string"}, "description": "Bearer"},
        },
    }
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            operation.setdefault("responses", {}).setdefault("401", refusal)
    return result

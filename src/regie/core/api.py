"""Shared pieces of the JSON API under ``/api/v1/``: permission and pagination.

The apps' endpoints live in ``<app>/api.py``; ``regie.api_urls`` routes them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import SAFE_METHODS, BasePermission

if TYPE_CHECKING:  # rest_framework.views imports the settings that name this module
    from rest_framework.request import Request
    from rest_framework.views import APIView


#: The schema of a 400 answer to a filter value that is not valid: the messages per parameter
#: (``{"level": ["Unknown level x."]}``), as DRF's ValidationError gives them. A plain schema,
#: usable in ``extend_schema(responses=…)`` of every app.
FIELD_ERRORS: dict[str, object] = {
    "type": "object",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}
#: The schema of ``{"detail": …}``: not found (or not visible), as DRF's NotFound gives it.
DETAIL: dict[str, object] = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}


def document_refusal(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular hook: every operation answers 403 ``{"detail": …}`` to a request without a
    logged-in session that passed the second factor, and to a method other than GET, HEAD or
    OPTIONS (the refusals of :class:`ReadOnlyAuthenticated` and the two-factor middleware)."""
    # The monitor's ErrorSerializer is the same ``{"detail": …}`` under this name.
    result.setdefault("components", {}).setdefault("schemas", {}).setdefault("Error", DETAIL)
    refusal = {
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        "description": str(
            _(
                "Not logged in, the second factor not passed, or a method other than GET, HEAD "
                "or OPTIONS."
            )
        ),
    }
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            operation.setdefault("responses", {}).setdefault("403", refusal)
    return result


class ReadOnlyAuthenticated(BasePermission):
    """A logged-in, active user; GET, HEAD and OPTIONS only (the API changes nothing)."""

    message = _("The API is read-only: only GET, HEAD and OPTIONS are allowed.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        return request.method in SAFE_METHODS


class Pagination(LimitOffsetPagination):
    """``?limit=`` (default ``PAGE_SIZE``, at most 10,000) and ``?offset=``."""

    max_limit = 10_000

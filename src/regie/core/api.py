"""Shared pieces of the JSON API under ``/api/v1/``: permission and pagination.

The apps' endpoints live in ``<app>/api.py``; ``regie.api_urls`` routes them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import SAFE_METHODS, BasePermission

if TYPE_CHECKING:  # rest_framework.views imports the settings that name this module
    from rest_framework.request import Request
    from rest_framework.views import APIView


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

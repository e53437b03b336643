from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from regie import __version__
from regie.accounts.permissions import is_verified, memberships_of


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the page shell needs: the active organisation, the user's organisations, the role."""
    user = getattr(request, "user", None)
    memberships: list[Any] = []
    if user is not None and user.is_authenticated and is_verified(user):
        memberships = memberships_of(user)
    return {
        "active_org": getattr(request, "organisation", None),
        "active_role": getattr(request, "role", None),
        "my_memberships": memberships,
        "regie_version": __version__,
    }

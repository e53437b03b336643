from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from regie import __version__
from regie.accounts.navigation import main_menu
from regie.accounts.permissions import may_use_site, memberships_of


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the page shell needs: the active organisation, the user's organisations, the role,
    and the main menu (none for a session that still owes its second factor)."""
    user = getattr(request, "user", None)
    memberships: list[Any] = []
    menu: list[Any] = []
    if may_use_site(user):
        memberships = memberships_of(user)
        menu = main_menu(request, memberships)
    return {
        "active_org": getattr(request, "organisation", None),
        "active_role": getattr(request, "role", None),
        "my_memberships": memberships,
        "main_menu": menu,
        "regie_version": __version__,
    }

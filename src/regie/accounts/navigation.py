"""Where each role may go: the main menu and the links of the start pages (one home for that rule).

A place is shown to a user only when the view behind it lets that user in: the roles listed here
are the roles of the views' ``org_view`` decorators (``tests/test_permission_matrix.py`` and the
navigation tests request every link for every role). Apps above accounts (policy) may point a
place at a more direct page of an organisation with :func:`register_link`, e.g. the current plan
instead of the list of plans.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from regie.accounts.models import Membership, Role
from regie.accounts.permissions import ALL_ROLES, EDITOR_ROLES, STAFF_ROLES, may_use_site
from regie.core.models import Organisation

OVERVIEW = "overview"
VEILIGHEIDSBEELD = "veiligheidsbeeld"
BELEID = "beleid"
UITVOERING = "uitvoering"
RAPPORTAGE = "rapportage"
MELDPUNT = "meldpunt"
PRIVACY = "privacy"
BRONNEN = "bronnen"
WIJKEN = "gemeente_areas"
AREAS = "areas"
BEHEER = "beheer"
INSTALLATIE = "installatie"


#: Roles that open the Meldpunt (what each sees: regie.cases.selectors.visible_signals).
MELDPUNT_ROLES: frozenset[str] = frozenset(
    {Role.BEHEERDER, Role.ADVISEUR, Role.HANDHAVER, Role.KETENPARTNER}
)


@dataclass(frozen=True)
class Destination:
    """One link of the menu or the start page."""

    key: str
    label: str
    url: str
    #: What the user finds there, in one sentence (start page).
    description: str = ""
    #: Whether the page being shown belongs to this place (the menu marks it).
    current: bool = False
    #: When an app points the place at a more direct page (:func:`register_link`): that page's
    #: title, and the place's own page (the list of plans beside the current plan).
    direct_title: str = ""
    list_url: str = ""


@dataclass(frozen=True)
class _Place:
    key: str
    label: Promise
    url_name: str
    #: URL names ("veiligheidsbeeld:overview") or namespaces ("policy:") whose pages belong here.
    sections: tuple[str, ...]
    #: Roles in the organisation that may open it; None: any logged-in user (no organisation).
    roles: frozenset[str] | None
    gemeente_only: bool = False
    superuser_only: bool = False


_PLACES: tuple[_Place, ...] = (
    _Place(OVERVIEW, gettext_lazy("Overview"), "org_areas:overview", ("org_areas:overview",),
           ALL_ROLES),
    _Place(VEILIGHEIDSBEELD, gettext_lazy("Veiligheidsbeeld"), "veiligheidsbeeld:overview",
           ("veiligheidsbeeld:",), STAFF_ROLES,
           gemeente_only=True),
    _Place(BELEID, gettext_lazy("Policy"), "policy:index", ("policy:",), STAFF_ROLES,
           gemeente_only=True),
    _Place(UITVOERING, gettext_lazy("Uitvoering"), "programme:index", ("programme:",),
           STAFF_ROLES, gemeente_only=True),
    _Place(RAPPORTAGE, gettext_lazy("Reports"), "reports:index", ("reports:",), STAFF_ROLES,
           gemeente_only=True),
    _Place(MELDPUNT, gettext_lazy("Meldpunt"), "cases:queue", ("cases:",),
           MELDPUNT_ROLES),
    _Place(PRIVACY, gettext_lazy("Privacy"), "privacy:readlog", ("privacy:",),
           frozenset({Role.PRIVACY_OFFICER})),
    _Place(BRONNEN, gettext_lazy("Sources"), "monitor:dataset_list", ("monitor:",), STAFF_ROLES),
    _Place(WIJKEN, gettext_lazy("Wijken and buurten"), "org_areas:gemeente_areas",
           ("org_areas:gemeente_areas",), ALL_ROLES, gemeente_only=True),
    _Place(AREAS, gettext_lazy("Areas"), "areas:index", ("areas:",), None),
    _Place(BEHEER, gettext_lazy("Administration"), "beheer:member_list", ("beheer:",),
           frozenset({Role.BEHEERDER})),
    _Place(INSTALLATIE, gettext_lazy("Installation management"), "installatie:organisation_list",
           ("installatie:",), None, superuser_only=True),
)  # fmt: skip


def places() -> tuple[_Place, ...]:
    """Every place of the menu with the roles that see it (the permission matrix checks them)."""
    return _PLACES


_link_providers: dict[str, Callable[[Organisation], tuple[str, str] | None]] = {}


def register_link(key: str, provider: Callable[[Organisation], tuple[str, str] | None]) -> None:
    """Let an app point the place ``key`` of an organisation at a more direct page.

    ``provider(organisation)`` returns ``(url, title)`` of that page (the title is named on the
    start page) or None to keep the place's own page. Called in ``AppConfig.ready``.
    """
    if key not in {place.key for place in _PLACES}:
        raise ValueError(f"unknown place {key!r}")
    _link_providers[key] = provider


def _describe_work(key: str, org: str, editor: bool) -> str:
    """What Uitvoering and Rapportage hold (for editors: what they can do there)."""
    if key == UITVOERING:
        if editor:
            return _(
                "The yearly uitvoeringsprogramma of %(org)s: the actions for each goal, who "
                "does them, their budget and how far they are. You can add actions and report "
                "progress."
            ) % {"org": org}
        return _(
            "The yearly uitvoeringsprogramma of %(org)s: the actions for each goal, who does "
            "them, their budget and how far they are."
        ) % {"org": org}
    if editor:
        return _(
            "Raadsinformatiebrieven, the yearly evaluation and briefings for the driehoek, "
            "built from locked figures as PDF, Word and Excel."
        )
    return _(
        "Raadsinformatiebrieven, the yearly evaluation and briefings for the driehoek, as "
        "PDF, Word and Excel."
    )


def _describe_meldpunt(key: str, org: str, role: str | None) -> str:
    """What the Meldpunt and the privacy officer's place hold."""
    if key == PRIVACY:
        return _(
            "Who read which personal data and why, the retention terms with what was "
            "destroyed, and requests for access (inzage)."
        )
    if role in (Role.HANDHAVER, Role.KETENPARTNER):
        return _(
            "Report a signal to the Meldpunt Veiligheid, and follow the signals you "
            "reported or that were shared with you."
        )
    return _(
        "The signals to the Meldpunt Veiligheid of %(org)s: the werkvoorraad, earlier "
        "signals on the same person or address, and their handling."
    ) % {"org": org}


def _describe(key: str, organisation: Organisation | None, role: str | None) -> str:
    org = organisation.name if organisation is not None else ""
    editor = role in EDITOR_ROLES
    if key == VEILIGHEIDSBEELD:
        return _(
            "Figures on crime, nuisance and how safe people feel in %(org)s, over the years "
            "and compared with the region and the Netherlands."
        ) % {"org": org}
    if key == BELEID:
        if editor:
            return _(
                "The integral safety policy of %(org)s: priorities, themes and goals and how "
                "far each goal has come. You can change the plan and make new versions."
            ) % {"org": org}
        return _(
            "The integral safety policy of %(org)s: priorities, themes and goals and how far "
            "each goal has come."
        ) % {"org": org}
    if key in (UITVOERING, RAPPORTAGE):
        return _describe_work(key, org, editor)
    if key == BRONNEN:
        if editor:
            return _(
                "Where the figures come from and when they were imported. You can upload the "
                "gemeente's own figures here."
            )
        return _("Where the figures come from and when they were imported.")
    if key in (MELDPUNT, PRIVACY):
        return _describe_meldpunt(key, org, role)
    if key == WIJKEN:
        return _("The wijken and buurten of %(org)s with their CBS codes.") % {"org": org}
    if key == AREAS:
        return _(
            "Open data on every gemeente, region, wijk and buurt of the Netherlands, with the "
            "number of inhabitants."
        )
    if key == BEHEER:
        return _(
            "Who has which role in %(org)s, inviting people, and the audit log of the organisation."
        ) % {"org": org}
    if key == INSTALLATIE:
        return _(
            "The organisations and accounts of the whole installation, clearing a lost second "
            "factor, and the audit log of the installation."
        )
    return ""


def _is_current(place: _Place, request: HttpRequest | None) -> bool:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return False
    name = match.view_name or ""
    for section in place.sections:
        if section.endswith(":") and name.startswith(section):
            # a more specific place claims its own pages (Veiligheidsbeeld within monitor:)
            return not any(name in other.sections for other in _PLACES if other is not place)
        if name == section:
            return True
    return False


def _allowed(place: _Place, user: Any, organisation: Organisation | None, role: str | None) -> bool:
    if place.superuser_only:
        return bool(user.is_superuser)
    if place.roles is None:
        return True
    if organisation is None or role is None or role not in place.roles:
        return False
    return not place.gemeente_only or organisation.is_gemeente


def destinations(
    user: Any,
    organisation: Organisation | None,
    role: str | None,
    *,
    request: HttpRequest | None = None,
    describe: bool = False,
) -> list[Destination]:
    """The places ``user`` (with ``role`` in ``organisation``, if any) may open, in menu order."""
    result = []
    for place in _PLACES:
        if not _allowed(place, user, organisation, role):
            continue
        if place.roles is None:
            url = reverse(place.url_name)
        elif organisation is not None:  # always, for an allowed place of an organisation
            url = reverse(place.url_name, kwargs={"org": organisation.slug})
        else:
            continue
        direct_title = list_url = ""
        provider = _link_providers.get(place.key)
        direct = provider(organisation) if provider and organisation is not None else None
        if direct is not None:
            list_url = url
            url, direct_title = direct
        result.append(
            Destination(
                key=place.key,
                label=str(place.label),
                url=url,
                description=_describe(place.key, organisation, role) if describe else "",
                current=_is_current(place, request),
                direct_title=direct_title,
                list_url=list_url,
            )
        )
    return result


def menu_organisation(
    request: HttpRequest, memberships: list[Membership]
) -> tuple[Organisation | None, str | None]:
    """The organisation the menu is about: the one of the page, else the one used last, else
    the only one the user has a role in."""
    organisation = getattr(request, "organisation", None)
    if organisation is not None:
        return organisation, getattr(request, "role", None)
    last = request.session.get("regie_last_org") if hasattr(request, "session") else None
    for m in memberships:
        if m.organisation.slug == last:
            return m.organisation, m.role
    if len(memberships) == 1:
        return memberships[0].organisation, memberships[0].role
    return None, None


def main_menu(request: HttpRequest, memberships: list[Membership]) -> list[Destination]:
    """The main menu of this request: empty for visitors and for a session that still owes its
    second factor (it could open none of the places)."""
    user = getattr(request, "user", None)
    if not may_use_site(user):
        return []
    organisation, role = menu_organisation(request, memberships)
    return destinations(user, organisation, role, request=request)


def start_links(user: Any, organisation: Organisation, role: str) -> list[Destination]:
    """The start page's links of ``organisation`` for ``role``: every place but the start page
    itself, each with a sentence on what is there."""
    return [d for d in destinations(user, organisation, role, describe=True) if d.key != OVERVIEW]


def role_summary(role: str, organisation: Organisation) -> str:
    """What ``role`` does in ``organisation``, in one or two sentences (the start page)."""
    org = organisation.name
    if role == Role.BEHEERDER:
        text = _(
            "As beheerder you decide who has which role in %(org)s, and you can read and change "
            "everything of the organisation."
        )
    elif role == Role.ADVISEUR:
        text = _(
            "As adviseur you keep the veiligheidsbeeld up to date, write the integral safety "
            "policy of %(org)s and follow its goals."
        )
    elif role == Role.RAADPLEGER:
        text = _(
            "As raadpleger you read the veiligheidsbeeld and the integral safety policy of "
            "%(org)s, with how far each goal has come. You cannot change anything."
        )
    elif role == Role.HANDHAVER:
        text = _(
            "As handhaver you report signals to the Meldpunt Veiligheid of %(org)s and follow "
            "the ones you reported or that were shared with you; you see the wijken and buurten "
            "and the open data on areas. The veiligheidsbeeld and the policy are for the staff "
            "of the gemeente (beheerder, adviseur, raadpleger): if you need them, ask a "
            "beheerder of %(org)s for such a role."
        )
    elif role == Role.KETENPARTNER:
        text = _(
            "As ketenpartner you work with the gemeenten from %(org)s. You report signals to "
            "a gemeente's Meldpunt Veiligheid and see the signals %(org)s reported or that a "
            "gemeente shared with it. A gemeente's veiligheidsbeeld and policy are only for its "
            "own staff; you see the open data on areas."
        )
    elif role == Role.PRIVACY_OFFICER:
        text = _(
            "As functionaris gegevensbescherming you supervise how %(org)s processes personal "
            "data: the read log, the retention terms and requests for access. You do not see "
            "the signals themselves."
        )
    else:
        return ""
    return text % {"org": org}

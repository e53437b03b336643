"""The demo installation: Maassluis and Alblasserdam, partner organisations and accounts."""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from regie.accounts import services as account_services
from regie.accounts.models import Membership, Role, User
from regie.accounts.permissions import requires_two_factor
from regie.areas import services as area_services
from regie.cases.models import AccessGrant, Family, Grant
from regie.core import audit
from regie.core import services as core_services
from regie.core.models import Organisation, OrganisationKind
from regie.privacy import services as privacy_services

#: The password of every demo account. Printed by ``regie demo``; never use a demo in production.
DEMO_PASSWORD = "Regie-demo-2026"  # noqa: S105 - documented demo credential
DEMO_DEVICE_NAME = "demo"

ORGANISATIONS: list[tuple[str, str, str, str]] = [
    # (slug, name, kind, cbs_code)
    ("gm0556", "Maassluis", OrganisationKind.GEMEENTE, "GM0556"),
    ("gm0482", "Alblasserdam", OrganisationKind.GEMEENTE, "GM0482"),
    ("politie-rotterdam", "Politie-eenheid Rotterdam", OrganisationKind.POLITIE, ""),
    ("om-rotterdam", "Openbaar Ministerie Rotterdam", OrganisationKind.OM, ""),
    ("riec-rotterdam", "RIEC Rotterdam", OrganisationKind.RIEC, ""),
    ("zvh-rijnmond", "Zorg- en Veiligheidshuis Rijnmond", OrganisationKind.ZVH, ""),
    ("zorgpartner-demo", "Zorgpartner (demo)", OrganisationKind.ZORGPARTNER, ""),
    ("woningcorporatie-demo", "Woningcorporatie (demo)", OrganisationKind.WONINGCORPORATIE, ""),
    ("jongerenwerk-demo", "Jongerenwerk (demo)", OrganisationKind.JONGERENWERK, ""),
    ("handhaving-demo", "Handhaving Drechtsteden (demo)", OrganisationKind.HANDHAVING, ""),
]

ACCOUNTS: list[tuple[str, str, str, list[tuple[str, str]]]] = [
    # (username, first name, last name, [(org slug, role)])
    ("beheerder.maassluis", "Bea", "Beheer", [("gm0556", Role.BEHEERDER)]),
    ("adviseur.maassluis", "Mila", "de Vries", [("gm0556", Role.ADVISEUR)]),
    ("raadpleger.maassluis", "Ruud", "Raad", [("gm0556", Role.RAADPLEGER)]),
    ("handhaver.maassluis", "Hans", "Handhaving", [("gm0556", Role.HANDHAVER)]),
    ("beheerder.alblasserdam", "Bram", "Beheer", [("gm0482", Role.BEHEERDER)]),
    ("adviseur.alblasserdam", "Anouk", "Jansen", [("gm0482", Role.ADVISEUR)]),
    ("raadpleger.alblasserdam", "Rik", "Raad", [("gm0482", Role.RAADPLEGER)]),
    ("adviseur.regio", "Sam", "Regio", [("gm0556", Role.ADVISEUR), ("gm0482", Role.ADVISEUR)]),
    ("politie.rotterdam", "Pim", "Politie", [("politie-rotterdam", Role.KETENPARTNER)]),
    ("fg.maassluis", "Femke", "Gegevensbescherming", [("gm0556", Role.PRIVACY_OFFICER)]),
    ("fg.alblasserdam", "Floor", "Gegevensbescherming", [("gm0482", Role.PRIVACY_OFFICER)]),
    ("zorg.alblasserdam", "Zoë", "Zorgadviseur", [("gm0482", Role.ADVISEUR)]),
]

#: The Meldpunt's access grants of the demo accounts: (username, gemeente slug, grants).
#: Adviseurs see every family and the reporters' contact data, beheerders every family,
#: zorg.alblasserdam only Zorg & veiligheid.
_ALL_FAMILIES = tuple(Family.values)
MELDPUNT_GRANTS: list[tuple[str, str, tuple[str, ...]]] = [
    ("adviseur.maassluis", "gm0556", (*_ALL_FAMILIES, Grant.REPORTER_CONTACT)),
    ("adviseur.alblasserdam", "gm0482", (*_ALL_FAMILIES, Grant.REPORTER_CONTACT)),
    ("adviseur.regio", "gm0556", (*_ALL_FAMILIES, Grant.REPORTER_CONTACT)),
    ("adviseur.regio", "gm0482", (*_ALL_FAMILIES, Grant.REPORTER_CONTACT)),
    ("beheerder.maassluis", "gm0556", _ALL_FAMILIES),
    ("beheerder.alblasserdam", "gm0482", _ALL_FAMILIES),
    ("zorg.alblasserdam", "gm0482", (Family.ZORG,)),
]

SUPERUSER = "installatiebeheer"


def demo_slugs() -> frozenset[str]:
    return frozenset(org[0] for org in ORGANISATIONS)


def demo_usernames() -> frozenset[str]:
    return frozenset([account[0] for account in ACCOUNTS] + [SUPERUSER])


def no_longer_a_demo() -> None:
    """An organisation or account that is not the demo's was added: the database holds real
    data now, and ``regie demo --reset`` (or ``flush``) may never erase it (ADR 0012)."""
    if core_services.is_demo_installation():
        core_services.end_demo_installation()


@dataclass(frozen=True)
class DemoAccount:
    username: str
    roles: str
    two_factor: bool


def load_figures(*, samples: bool = False) -> list[str]:
    """Load the shipped open data and the seed figures of both demo gemeenten (idempotent);
    ``samples`` adds the format samples that tests use but the demo does not show."""
    from regie.monitor import services as figure_services

    gemeenten = list(Organisation.objects.filter(slug__in=["gm0556", "gm0482"]).order_by("slug"))
    with audit.acting_as(None, "demo"):
        return [str(item) for item in figure_services.load_demo_figures(gemeenten, samples=samples)]


def load_plans() -> list[str]:
    """The demo safety plans of both gemeenten, unless a plan of that title exists (idempotent)."""
    from regie.policy import services as policy_services

    with audit.acting_as(None, "demo"):
        policy_services.load_kbv_taxonomy()  # gone after `regie demo --reset` (flush)
        plans = policy_services.import_demo_plans()
    return [f"{plan.organisation.name}: {plan}" for plan in plans]


def load_programmes() -> list[str]:
    """The demo uitvoeringsprogramma's of both gemeenten (idempotent)."""
    from regie.programme import services as programme_services

    with audit.acting_as(None, "demo"):
        programmes = programme_services.import_demo_programmes()
    return [f"{p.organisation.name}: {p}" for p in programmes]


#: The demo's reports: per gemeente a half-year letter and the evaluation of a year.
DEMO_REPORTS = (
    ("gm0556", "raadsinformatiebrief", "2024H2"),
    ("gm0556", "evaluatie", "2023"),
    ("gm0482", "raadsinformatiebrief", "2024H2"),
    ("gm0482", "evaluatie", "2024"),
)


def load_reports(*, build: bool = False) -> list[str]:
    """The demo reports with their figures locked (idempotent); ``build`` queues a build of each
    format as a background job (``make run``'s worker builds them)."""
    from regie.core.concurrency import edit_token
    from regie.reports import services as report_services
    from regie.reports.models import Report, ReportFormat

    lines = []
    with audit.acting_as(None, "demo"):
        for slug, kind, period in DEMO_REPORTS:
            organisation = Organisation.objects.get(slug=slug)
            if Report.objects.filter(organisation=organisation, kind=kind, period=period).exists():
                continue
            report = report_services.create_report(
                organisation=organisation, kind=kind, period=period
            )
            report = report_services.lock(report, version=edit_token(report))
            if build:
                for fmt in ReportFormat.values:
                    report_services.request_build(report, fmt)
            lines.append(f"{organisation.name}: {report.title}")
    return lines


def load_signals(*, today: dt.date | None = None) -> list[str]:
    """The demo signals of the Meldpunt Veiligheid of both gemeenten (about 300, fictitious);
    a gemeente that has signals already keeps them (idempotent)."""
    from regie.demo import meldpunt

    lines = []
    if privacy_services.ensure_demo_keys():
        lines.append(_("Demo encryption keys written to the keys file (REGIE_KEYS_FILE)."))
    with audit.acting_as(None, "demo"):
        for slug in meldpunt.COUNTS:
            organisation = Organisation.objects.filter(slug=slug).first()
            if organisation is None:
                continue
            count = meldpunt.load(organisation, today=today)
            if count:
                lines.append(
                    ngettext(
                        "%(gemeente)s: %(count)d signal",
                        "%(gemeente)s: %(count)d signals",
                        count,
                    )
                    % {"gemeente": organisation.name, "count": count}
                )
    return lines


def demo_exists() -> bool:
    return Organisation.objects.filter(slug="gm0556").exists()


@transaction.atomic
def build_demo() -> list[DemoAccount]:
    """Create the demo organisations and accounts when missing (idempotent); load reference data."""
    with audit.acting_as(None, "demo"):
        if not Organisation.objects.exists() and not User.objects.exists():
            core_services.mark_demo_installation()  # built from empty: erasable by --reset
        area_services.load_reference_data()
        orgs = {}
        for slug, name, kind, code in ORGANISATIONS:
            org = Organisation.objects.filter(slug=slug).first()
            if org is None:
                org = core_services.create_organisation(
                    name=name, slug=slug, kind=kind, cbs_code=code
                )
            orgs[slug] = org
        for username, first, last, roles in ACCOUNTS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = account_services.create_user(
                    username=username,
                    email=f"{username}@example.org",
                    first_name=first,
                    last_name=last,
                    password=DEMO_PASSWORD,
                )
            for slug, role in roles:
                account_services.set_role(user=user, organisation=orgs[slug], role=role)
            _ensure_demo_device(user)
        _ensure_grants(orgs)
        admin = User.objects.filter(username=SUPERUSER).first()
        if admin is None:
            admin = account_services.create_user(
                username=SUPERUSER,
                email=f"{SUPERUSER}@example.org",
                first_name="Installatie",
                last_name="Beheer",
                password=DEMO_PASSWORD,
                is_superuser=True,
            )
        _ensure_demo_device(admin)
    return demo_accounts()


def _ensure_grants(orgs: dict[str, Organisation]) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=demo_usernames())}
    for username, slug, grants in MELDPUNT_GRANTS:
        for grant in grants:
            AccessGrant.objects.get_or_create(
                organisation=orgs[slug], user=users[username], grant=grant
            )


def _ensure_demo_device(user: User) -> None:
    if not requires_two_factor(user):
        return
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return
    TOTPDevice.objects.create(
        user=user, name=DEMO_DEVICE_NAME, confirmed=True, key=secrets.token_hex(20)
    )


def demo_accounts() -> list[DemoAccount]:
    names = [a[0] for a in ACCOUNTS] + [SUPERUSER]
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    memberships: dict[int, list[str]] = {}
    for m in Membership.objects.filter(user__in=users.values()).select_related("organisation"):
        memberships.setdefault(m.user_id, []).append(f"{m.get_role_display()} {m.organisation}")
    result = []
    for name in names:
        user = users.get(name)
        if user is None:
            continue
        roles = ", ".join(memberships.get(user.pk, [])) or _(
            "installation management (all organisations)"
        )
        result.append(DemoAccount(name, roles, requires_two_factor(user)))
    return result


def current_code(username: str) -> str:
    """The current TOTP code of a demo account (refused for accounts not made by the demo)."""
    device = TOTPDevice.objects.filter(
        user__username=username, name=DEMO_DEVICE_NAME, confirmed=True
    ).first()
    if device is None:
        raise core_services.ServiceError(
            _(
                "%(username)r is not a demo account with two-factor authentication; codes are "
                "only shown for demo accounts."
            )
            % {"username": username}
        )
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return str(code).zfill(device.digits)


def secret_of(username: str) -> str:
    device = TOTPDevice.objects.get(user__username=username, name=DEMO_DEVICE_NAME)
    return base64.b32encode(device.bin_key).decode()

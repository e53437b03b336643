"""Browser journeys through the Dutch user interface, and an axe-core check of every page.

Each test gets a fresh browser context (no cookies) and a freshly flushed database.
"""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Locator, Page, expect

from regie.accounts.models import Role, User
from regie.accounts.tests.factories import PASSWORD, MembershipFactory, UserFactory
from regie.core.models import AuditAction, Organisation
from regie.core.services import record_event
from tests.browser.conftest import A11yAudit, World

pytestmark = pytest.mark.browser

#: django-otp refuses a new code for 1 s after one wrong code (OTP_TOTP_THROTTLE_FACTOR).
THROTTLE_WAIT_MS = 1_100


# --- Helpers ---------------------------------------------------------------------------------


def make_user(
    *memberships: tuple[Organisation, str], with_device: bool = True, **fields: Any
) -> User:
    """A user with a role in each organisation and, optionally, a confirmed TOTP device."""
    user: User = UserFactory(**fields)
    for organisation, role in memberships:
        MembershipFactory(user=user, organisation=organisation, role=role)
    if with_device:
        TOTPDevice.objects.create(user=user, name="Authenticator-app", confirmed=True)
    return user


def code_for(key: bytes, *, step: int = 30, t0: int = 0, digits: int = 6, drift: int = 0) -> str:
    return f"{totp(key, step=step, t0=t0, digits=digits, drift=drift):0{digits}d}"


def device_code(user: User) -> str:
    """The code the user's authenticator app shows now."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return code_for(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)


def wrong_code(key: bytes) -> str:
    """A code that ``key`` does not produce now (outside every step of a tolerance window)."""
    valid = {code_for(key, drift=d) for d in range(-2, 3)}
    return next(c for c in ("123456", "654321", "111111") if c not in valid)


def device_key(user: User) -> bytes:
    key: bytes = TOTPDevice.objects.get(user=user, confirmed=True).bin_key
    return key


def url(name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs=kwargs or None)


def path_is(name: str, **kwargs: Any) -> re.Pattern[str]:
    """Matches the page URL for a named route, with or without a query string."""
    return re.compile(rf"^https?://[^/]+{re.escape(url(name, **kwargs))}(\?.*)?$")


def submit_password(page: Page, user: User) -> None:
    page.get_by_label("Gebruikersnaam", exact=True).fill(user.username)
    page.get_by_label("Wachtwoord", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()


def submit_code(page: Page, code: str, button: str = "Controleren") -> None:
    page.get_by_label("Code uit uw authenticator-app").fill(code)
    page.get_by_role("button", name=button, exact=True).click()


def log_in(page: Page, user: User) -> None:
    """The whole login: password and TOTP code. Ends where / sends the user."""
    page.goto(url("accounts:login"))
    submit_password(page, user)
    expect(page).to_have_url(path_is("accounts:verify"))
    submit_code(page, device_code(user))
    expect(page).not_to_have_url(path_is("accounts:verify"))


def h1(page: Page) -> Locator:
    return page.locator("main h1")


def main_nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Hoofdmenu")


# --- Journeys --------------------------------------------------------------------------------


def test_login_with_two_factor(page: Page, world: World) -> None:
    adviseur = make_user((world.maassluis, Role.ADVISEUR))

    page.goto("/")
    expect(page).to_have_url(path_is("accounts:login"))
    expect(h1(page)).to_have_text("Inloggen")
    expect(page.locator("html")).to_have_attribute("lang", "nl")

    submit_password(page, adviseur)
    expect(page).to_have_url(path_is("accounts:verify"))
    expect(h1(page)).to_have_text("Tweestapsverificatie")
    # Not verified yet: no main menu, and other pages send the user back here.
    expect(main_nav(page)).to_have_count(0)

    submit_code(page, wrong_code(device_key(adviseur)))
    expect(page).to_have_url(path_is("accounts:verify"))
    expect(page.locator(".utrecht-form-field-error-message")).to_contain_text(
        "Deze code klopt niet of is verlopen"
    )
    expect(page.get_by_role("alert")).to_be_visible()

    page.wait_for_timeout(THROTTLE_WAIT_MS)
    submit_code(page, device_code(adviseur))
    expect(page).to_have_url(path_is("org_areas:overview", org="gm0556"))
    expect(h1(page)).to_have_text("Maassluis")
    expect(main_nav(page)).to_be_visible()
    expect(page.get_by_text("Gemeente met CBS-code GM0556", exact=False)).to_be_visible()


def test_first_login_enrols_authenticator(page: Page, world: World) -> None:
    handhaver = make_user((world.maassluis, Role.HANDHAVER), with_device=False)

    page.goto("/")
    submit_password(page, handhaver)
    expect(page).to_have_url(path_is("accounts:setup_2fa"))
    expect(h1(page)).to_have_text("Tweestapsverificatie instellen")
    expect(page.get_by_role("img", name=re.compile("QR"))).to_be_visible()

    secret = page.locator(".regie-secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]+=*", secret), secret
    key = base64.b32decode(secret)
    submit_code(page, code_for(key), button="Bevestigen")

    expect(page).to_have_url(path_is("org_areas:overview", org="gm0556"))
    expect(h1(page)).to_have_text("Maassluis")
    expect(page.get_by_role("status")).to_contain_text("Tweestapsverificatie is ingesteld")
    assert TOTPDevice.objects.filter(user=handhaver, confirmed=True).count() == 1


def test_beheerder_navigates_switches_language_and_logs_out(page: Page, world: World) -> None:
    beheerder = make_user((world.maassluis, Role.BEHEERDER))
    colleague = make_user(
        (world.maassluis, Role.ADVISEUR), username="collega", first_name="Cora", last_name="Lega"
    )
    record_event(
        action=AuditAction.IMPORT,
        user=None,
        label="systeem",
        organisation=world.maassluis,
        description="Kerncijfers wijken en buurten 2022",
    )
    record_event(
        action=AuditAction.LOGIN_FAILED,
        user=None,
        label="onbekend",
        organisation=world.maassluis,
        description="poging",
    )

    log_in(page, beheerder)
    expect(page).to_have_url(path_is("org_areas:overview", org="gm0556"))
    nav = main_nav(page)

    nav.get_by_role("link", name="Wijken en buurten").click()
    expect(page).to_have_url(path_is("org_areas:gemeente_areas", org="gm0556"))
    expect(h1(page)).to_have_text("Wijken en buurten: Maassluis")
    expect(page.get_by_role("table")).to_contain_text("Buurt 01")

    nav.get_by_role("link", name="Gebieden").click()
    expect(page).to_have_url(path_is("areas:index"))
    expect(h1(page)).to_have_text("Gebieden")
    page.get_by_role("link", name="Maassluis", exact=True).click()
    expect(page).to_have_url(path_is("areas:detail", code="GM0556"))
    expect(h1(page)).to_contain_text("Maassluis")

    # The areas pages belong to no organisation: the menu keeps the one used last (Beheer
    # included), and the brand link leads back to it.
    expect(nav.get_by_role("link", name="Beheer")).to_have_count(1)
    page.get_by_role("link", name="Veiligheidsregie", exact=True).click()
    expect(page).to_have_url(path_is("org_areas:overview", org="gm0556"))
    nav.get_by_role("link", name="Overzicht").click()
    expect(h1(page)).to_have_text("Maassluis")

    nav.get_by_role("link", name="Beheer").click()
    expect(page).to_have_url(path_is("beheer:member_list", org="gm0556"))
    expect(h1(page)).to_have_text("Beheer: Maassluis")
    page.get_by_role("link", name="collega", exact=True).click()
    expect(page).to_have_url(path_is("beheer:member_detail", org="gm0556", user_id=colleague.pk))
    expect(h1(page)).to_have_text("collega")
    # Name and address belong to the account itself: shown here, changed under Mijn account.
    expect(page.locator("main")).to_contain_text("Cora Lega")
    expect(page.get_by_label("Voornaam")).to_have_count(0)

    page.get_by_role("navigation", name="Kruimelpad").get_by_role("link", name="Beheer").click()
    page.get_by_role("navigation", name="Beheer").get_by_role("link", name="Auditlog").click()
    expect(page).to_have_url(path_is("beheer:audit_log", org="gm0556"))
    page.get_by_label("Handeling", exact=False).and_(page.locator("select")).select_option("import")
    page.get_by_role("button", name="Filteren").click()
    expect(page).to_have_url(re.compile(r"[?&]action=import(&|$)"))
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Kerncijfers wijken en buurten 2022")
    rows.first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/gm0556/beheer/audit/\d+/$"))
    expect(h1(page)).to_have_text("Auditregel")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/gm0556/beheer/audit/\d+/$"))
    page.get_by_role("button", name="Nederlands").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")

    page.get_by_role("button", name="Uitloggen").click()
    expect(page).to_have_url(path_is("accounts:login"))
    expect(h1(page)).to_have_text("Inloggen")
    page.goto(url("beheer:member_list", org="gm0556"))
    expect(page).to_have_url(path_is("accounts:login"))


def test_organisation_switcher(page: Page, world: World) -> None:
    user = make_user((world.maassluis, Role.ADVISEUR), (world.alblasserdam, Role.RAADPLEGER))

    log_in(page, user)
    # Two organisations and none used yet: the user chooses.
    expect(page).to_have_url(path_is("home"))
    expect(h1(page)).to_have_text("Kies een organisatie")
    page.locator("main").get_by_role("link", name="Maassluis").click()
    expect(h1(page)).to_have_text("Maassluis")

    switcher = page.locator("details.regie-switcher")
    expect(switcher.locator("summary")).to_contain_text("Maassluis")
    switcher.locator("summary").click()
    expect(switcher.get_by_role("link", name="Maassluis")).to_have_attribute("aria-current", "true")
    switcher.get_by_role("link", name="Alblasserdam").click()
    expect(page).to_have_url(path_is("org_areas:overview", org="gm0482"))
    expect(h1(page)).to_have_text("Alblasserdam")
    expect(switcher.locator("summary")).to_contain_text("Alblasserdam")

    # The start page now remembers the organisation used last.
    page.goto("/")
    expect(page).to_have_url(path_is("org_areas:overview", org="gm0482"))


# --- Accessibility ---------------------------------------------------------------------------


def test_accessibility_of_visited_pages(page: Page, world: World, a11y: A11yAudit) -> None:
    """axe-core (WCAG 2.1 A/AA) on every page of the journeys; serious or critical fails."""
    beheerder = make_user(
        (world.maassluis, Role.BEHEERDER), (world.alblasserdam, Role.ADVISEUR), username="beheer1"
    )
    colleague = make_user((world.maassluis, Role.ADVISEUR), username="collega")
    newcomer = make_user((world.maassluis, Role.ADVISEUR), with_device=False)
    entry = record_event(
        action=AuditAction.IMPORT,
        user=None,
        label="systeem",
        organisation=world.maassluis,
        description="Kerncijfers wijken en buurten 2022",
    )

    # Anonymous pages.
    page.goto(url("accounts:login"))
    a11y.check(page, "login")
    page.goto(url("accounts:password_reset"))
    a11y.check(page, "password reset")

    # Enrolment of a new device, also with an error message.
    page.goto(url("accounts:login"))
    submit_password(page, newcomer)
    expect(page).to_have_url(path_is("accounts:setup_2fa"))
    a11y.check(page, "setup 2fa")
    key = base64.b32decode(page.locator(".regie-secret").inner_text().strip())
    submit_code(page, wrong_code(key), button="Bevestigen")
    expect(page.locator(".utrecht-form-field-error-message")).to_be_visible()
    a11y.check(page, "setup 2fa, wrong code")
    page.get_by_role("button", name="Uitloggen").click()
    expect(page).to_have_url(path_is("accounts:login"))

    # Verification, also with an error message.
    submit_password(page, beheerder)
    expect(page).to_have_url(path_is("accounts:verify"))
    a11y.check(page, "verify")
    submit_code(page, wrong_code(device_key(beheerder)))
    expect(page.locator(".utrecht-form-field-error-message")).to_be_visible()
    a11y.check(page, "verify, wrong code")
    page.wait_for_timeout(THROTTLE_WAIT_MS)
    submit_code(page, device_code(beheerder))

    expect(h1(page)).to_have_text("Kies een organisatie")
    a11y.check(page, "choose organisation")

    pages: list[tuple[str, str]] = [
        ("overview", url("org_areas:overview", org="gm0556")),
        ("wijken en buurten", url("org_areas:gemeente_areas", org="gm0556")),
        ("gebieden index", url("areas:index")),
        ("area detail", url("areas:detail", code="GM0556")),
        ("beheer member list", url("beheer:member_list", org="gm0556")),
        ("member detail", url("beheer:member_detail", org="gm0556", user_id=colleague.pk)),
        ("remove confirmation", url("beheer:member_remove", org="gm0556", user_id=colleague.pk)),
        ("organisation settings", url("beheer:organisation_settings", org="gm0556")),
        ("audit log, filtered", url("beheer:audit_log", org="gm0556") + "?action=import"),
        ("audit entry", url("beheer:audit_entry", org="gm0556", entry_id=entry.pk)),
        ("mijn account", url("accounts:profile")),
        ("password change", url("accounts:password_change")),
    ]
    for name, address in pages:
        response = page.goto(address)
        assert response is not None
        assert response.status == 200, (name, address, response.status)
        a11y.check(page, name)

    page.goto(url("org_areas:overview", org="gm0556"))
    page.locator("details.regie-switcher summary").click()
    expect(page.locator("details.regie-switcher")).to_have_attribute("open", "")
    a11y.check(page, "overview, organisation switcher open")

    response = page.goto("/gm9999/")
    assert response is not None
    assert response.status == 404
    a11y.check(page, "404 page")

    a11y.assert_clean()

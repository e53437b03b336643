"""Browser journeys of the staff of the Meldpunt Veiligheid (issue 18), with axe-core.

1. An adviseur of Maassluis with every grant opens the werkvoorraad from the main menu (no
   personal data in the list), filters it by status and saves the filter, opens a signal (first
   the purpose of reading), reads it, looks at the hermeldingen on the person, handles it
   (in behandeling, then closed with outcome and reason) and shares it with the police.
2. An adviseur registers a new signal with the professional form: first sent empty (the error
   summary, its links move the focus), then filled in with a Dutch date of birth.
3. A beheerder adds a subcategory and gives an adviseur a family on the access page.
4. The privacy officer finds the reads in the read log, filters it by date, downloads it as CSV
   and answers an inzage request (JSON) by BSN.
5. A ketenpartner of the police sees only the signal shared with it and reports a new signal to
   Maassluis in two steps (gemeente, then the form).

axe-core: serious and critical WCAG 2.1 AA findings fail (the conftest's ``A11yAudit``). Where a
journey cannot go the way a user would (a missing link), the step is recorded in ``Gaps``, the
journey goes on by URL, and the test fails at its end naming every gap.

Elements are found by id, name, value and URL rather than by Dutch text where possible, so the
journeys do not depend on the wording of the translations.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from regie.accounts.models import Role, User
from regie.cases import services
from regie.cases.models import (
    AccessGrant,
    Category,
    Channel,
    Family,
    Grant,
    Outcome,
    SavedFilter,
    Signal,
    SignalShare,
    Status,
    Subject,
)
from regie.cases.tests import factories
from regie.core.models import Organisation, OrganisationKind
from regie.privacy.models import ReadLogEntry
from tests.browser.conftest import A11yAudit, World
from tests.browser.test_journeys import log_in, make_user, path_is, url

pytestmark = pytest.mark.browser

ORG = "gm0556"
PARTNER = "politie-rotterdam"
#: A BSN that passes the eleven test (fictitious).
BSN = "111222333"
PURPOSE_ASSESS = "meldpunt-beoordelen"


# --- helpers ---------------------------------------------------------------------------------


@dataclass
class Gaps:
    """Steps a user could not take the way the journey expects (the test fails at its end)."""

    found: list[str] = field(default_factory=list)

    def link(self, page: Page, href: str, what: str) -> None:
        """Follow the link to ``href`` on the page; when there is none, note it and go by URL."""
        target = page.locator(f"a[href='{href}']")
        if target.count() == 0:
            self.found.append(f"{page.url}: no link to {what} ({href})")
            page.goto(href)
        else:
            with page.expect_navigation():
                target.first.click()

    def assert_none(self) -> None:
        assert not self.found, "the journey had to skip steps:\n" + "\n".join(self.found)


@pytest.fixture
def gaps() -> Gaps:
    return Gaps()


@pytest.fixture
def partner(world: World) -> Organisation:
    return Organisation.objects.create(
        name="Politie Rotterdam", slug=PARTNER, kind=OrganisationKind.POLITIE
    )


def main_nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Hoofdmenu")


def open_menu_item(page: Page, href: str) -> None:
    """Click the main menu's link to ``href`` (the menu item must be there)."""
    item = main_nav(page).locator(f"a[href='{href}']")
    expect(item).to_have_count(1)
    with page.expect_navigation():
        item.click()


def submit(form: Locator) -> None:
    """Send the form and wait for the page it leads to."""
    with form.page.expect_navigation():
        form.locator("button[type=submit]").first.click()


def person(surname: str = "Verzonnen", bsn: str = "") -> services.SubjectIn:
    return factories.person(surname=surname, tussenvoegsel="de", first_names="Jan", bsn=bsn)


def adviseur(world: World) -> User:
    user = make_user((world.maassluis, Role.ADVISEUR), first_name="Ada", last_name="Adviseur")
    factories.grant(user, world.maassluis)
    return user


def queue_url(org: str = ORG) -> str:
    return url("cases:queue", org=org)


def choose_purpose(page: Page, a11y: A11yAudit | None = None) -> None:
    """On the purpose page: pick "assessing a signal" and go on."""
    expect(page).to_have_url(re.compile(r"/meldpunt/[^/]+/doel/\?next="))
    if a11y is not None:
        a11y.check(page, "purpose")
    radio = page.locator(f"input[type=radio][name=activity][value='{PURPOSE_ASSESS}']")
    radio.check()
    submit(page.locator("main form"))


def table_references(page: Page) -> list[str]:
    page.wait_for_load_state("load")
    return [text.strip() for text in page.locator("main table tbody th a").all_inner_texts()]


# --- 1. the adviseur's werkvoorraad and signal page ------------------------------------------


def test_adviseur_reads_handles_and_shares_a_signal(
    page: Page, world: World, partner: Organisation, a11y: A11yAudit
) -> None:
    user = adviseur(world)
    first = factories.make_signal(world.maassluis, description="Verzonnen: geluid uit de schuur.")
    again = factories.make_signal(world.maassluis, description="Verzonnen: weer de schuur.")
    busy = factories.make_signal(
        world.maassluis, category_name="Drugs en hennep", subjects=[person("Anders")]
    )
    services.change_status(busy, status=Status.IN_PROGRESS, by=None, label="test")

    log_in(page, user)
    open_menu_item(page, queue_url())
    expect(page).to_have_url(path_is("cases:queue", org=ORG))
    assert sorted(table_references(page)) == sorted(s.reference for s in (first, again, busy))
    main = page.locator("main")
    for personal in ("Verzonnen", "schuur", "Anders", "03-02-1980"):
        expect(main).not_to_contain_text(personal)
    a11y.check(page, "werkvoorraad")

    # Filter by status with the filter form, then save the filter.
    filters = page.locator("main form[role=search]")
    filters.locator("#id_status").select_option(Status.RECEIVED.value)
    submit(filters)
    expect(page).to_have_url(re.compile(r"status=ontvangen"))
    assert sorted(table_references(page)) == sorted([first.reference, again.reference])
    a11y.check(page, "werkvoorraad filtered")
    page.locator("details.regie-save-filter summary").click()
    save = page.locator("details.regie-save-filter form")
    save.locator("#id_name").fill("Nieuw binnen")
    submit(save)
    saved = SavedFilter.objects.get(user=user)
    assert "status=ontvangen" in saved.query
    expect(page.locator("main nav a", has_text="Nieuw binnen")).to_have_attribute(
        "aria-current", "true"
    )

    # Open a signal: first the purpose, then the page with its personal data.
    detail = url("cases:detail", org=ORG, ref=first.reference)
    page.locator(f"main table a[href='{detail}']").click()
    choose_purpose(page, a11y)
    expect(page).to_have_url(path_is("cases:detail", org=ORG, ref=first.reference))
    expect(main).to_contain_text("Verzonnen: geluid uit de schuur.")
    expect(main).to_contain_text("Verzonnen")  # the person's surname
    expect(main).to_contain_text("03-02-1980")
    matches = url("cases:matches", org=ORG, ref=first.reference, kind="person")
    expect(page.locator(f"main a[href='{matches}']")).to_contain_text("1")
    a11y.check(page, "signal")
    assert ReadLogEntry.objects.filter(
        object_ref=first.reference, operation="signal.detail", user=user
    ).exists()

    # The hermeldingen on the person: the other signal on the same person.
    page.locator(f"main a[href='{matches}']").click()
    expect(page).to_have_url(path_is("cases:matches", org=ORG, ref=first.reference, kind="person"))
    assert table_references(page) == [again.reference]
    a11y.check(page, "hermeldingen persoon")
    page.locator(f"main p a[href='{detail}']").click()

    # Handling: in behandeling, then closed with outcome and reason.
    status_form = page.locator(
        f"main form[action='{url('cases:status', org=ORG, ref=first.reference)}']"
    )
    status_form.locator("#id_status_status").select_option(Status.IN_PROGRESS.value)
    submit(status_form)
    expect(page).to_have_url(path_is("cases:detail", org=ORG, ref=first.reference))
    first.refresh_from_db()
    assert first.status == Status.IN_PROGRESS
    status_form.locator("#id_status_status").select_option(Status.CLOSED.value)
    status_form.locator("#id_status_outcome").select_option(Outcome.INFORMATION.value)
    status_form.locator("#id_status_reason").fill("Verzonnen: bewaard voor de informatiepositie.")
    submit(status_form)
    first.refresh_from_db()
    assert (first.status, first.outcome) == (Status.CLOSED, Outcome.INFORMATION)
    expect(main).to_contain_text("Verzonnen: bewaard voor de informatiepositie.")

    # Sharing with a partner organisation.
    share_form = page.locator(
        f"main form[action='{url('cases:share', org=ORG, ref=first.reference)}']"
    )
    share_form.locator("#id_share_organisation").select_option(str(partner.pk))
    submit(share_form)
    assert SignalShare.objects.filter(signal=first, organisation=partner).exists()
    expect(main).to_contain_text("Politie Rotterdam")
    a11y.check(page, "signal handled and shared")
    a11y.assert_clean()


# --- 2. a new signal with the professional form ----------------------------------------------


def test_adviseur_registers_a_signal(page: Page, world: World, gaps: Gaps, a11y: A11yAudit) -> None:
    user = adviseur(world)
    category = factories.category(world.maassluis, "Woonoverlast")
    log_in(page, user)
    open_menu_item(page, queue_url())
    gaps.link(page, url("cases:new", org=ORG), "the new signal form")
    expect(page).to_have_url(path_is("cases:new", org=ORG))
    a11y.check(page, "new signal")

    # Sent empty: the error summary, its links lead to the fields.
    form = page.locator("main form[method=post]")
    page.locator("#id_received").fill("")
    submit(form)
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary.locator("a[href='#id_category']")).to_have_count(1)
    expect(summary.locator("a[href='#id_description']")).to_have_count(1)
    a11y.check(page, "new signal with errors")
    summary.locator("a[href='#id_description']").click()
    expect(page.locator("#id_description")).to_be_focused()
    summary.locator("a[href='#id_category']").click()
    expect(page.locator("#id_category")).to_be_focused()

    # Filled in: category, description, one person with a Dutch date of birth, a location.
    an_hour_ago = timezone.localtime() - dt.timedelta(hours=1)
    page.locator("#id_received").fill(an_hour_ago.strftime("%d-%m-%Y %H:%M"))
    page.locator("#id_category").select_option(str(category.pk))
    page.locator("#id_description").fill("Verzonnen: 's nachts geschreeuw op een balkon.")
    page.locator("#id_street").fill("Verzonnenstraat")
    page.locator("#id_house_number").fill("12")
    page.locator("#id_postcode").fill("3141 AB")
    page.locator("#id_city").fill("Maassluis")
    block = page.locator("details.regie-intake-block").first
    if block.get_attribute("open") is None:
        block.locator("summary").click()
    page.locator("#id_persoon1-surname").fill("Balkon")
    page.locator("#id_persoon1-first_names").fill("Bea")
    page.locator("#id_persoon1-birth_date").fill("3-2-1980")
    submit(form)

    signal = Signal.objects.get(organisation=world.maassluis)
    assert signal.channel == Channel.PROFESSIONAL
    assert signal.category == category
    assert signal.street == "Verzonnenstraat"
    subject = Subject.objects.get(signal=signal)
    assert subject.birth_date == dt.date(1980, 2, 3)
    if "/doel/" in page.url:  # the signal page asks the purpose first
        choose_purpose(page)
    expect(page).to_have_url(path_is("cases:detail", org=ORG, ref=signal.reference))
    main = page.locator("main")
    expect(main).to_contain_text("Balkon")
    expect(main).to_contain_text("03-02-1980")
    expect(main).to_contain_text("Verzonnenstraat 12")
    a11y.check(page, "registered signal")
    a11y.assert_clean()
    gaps.assert_none()


# --- 3. the beheerder's categories and access ------------------------------------------------


def test_beheerder_adds_a_subcategory_and_gives_access(
    page: Page, world: World, gaps: Gaps, a11y: A11yAudit
) -> None:
    beheerder = make_user((world.maassluis, Role.BEHEERDER))
    colleague = make_user((world.maassluis, Role.ADVISEUR), first_name="Ada", last_name="Adviseur")
    main_category = factories.category(world.maassluis, "Ondermijning")
    log_in(page, beheerder)
    open_menu_item(page, queue_url())
    gaps.link(page, url("cases:categories", org=ORG), "the categories")
    expect(page).to_have_url(path_is("cases:categories", org=ORG))
    a11y.check(page, "categories")

    sub = page.locator("main form[action='#add-sub']")
    sub.locator("#id_sub-parent").select_option(str(main_category.pk))
    sub.locator("#id_sub-name").fill("Verzonnen ondermijning")
    submit(sub)
    added = Category.objects.get(organisation=world.maassluis, name="Verzonnen ondermijning")
    assert added.parent == main_category
    assert added.family == Family.ONDERMIJNING
    expect(page.locator("main table")).to_contain_text("Verzonnen ondermijning")
    a11y.check(page, "categories after adding")

    gaps.link(page, url("cases:grants", org=ORG), "the access page")
    expect(page).to_have_url(path_is("cases:grants", org=ORG))
    a11y.check(page, "access")
    box = page.locator(
        f"main input[type=checkbox][name='user_{colleague.pk}'][value='{Grant.ONDERMIJNING}']"
    )
    box.check()
    submit(page.locator("main form[method=post]"))
    assert set(
        AccessGrant.objects.filter(organisation=world.maassluis, user=colleague).values_list(
            "grant", flat=True
        )
    ) == {Grant.ONDERMIJNING}
    expect(
        page.locator(f"main input[name='user_{colleague.pk}'][value='{Grant.ONDERMIJNING}']")
    ).to_be_checked()
    a11y.check(page, "access saved")
    a11y.assert_clean()
    gaps.assert_none()


# --- 4. the privacy officer ------------------------------------------------------------------


def read_as(client: Client, signal: Signal) -> None:
    """The client's user reads the signal page with a purpose (the server writes the read log)."""
    purpose = reverse("cases:purpose", kwargs={"org": ORG, "ref": signal.reference})
    client.post(purpose, {"activity": PURPOSE_ASSESS, "next": ""})
    response = client.get(reverse("cases:detail", kwargs={"org": ORG, "ref": signal.reference}))
    assert response.status_code == 200


def test_privacy_officer_checks_the_read_log_and_answers_an_inzage(
    page: Page,
    world: World,
    a11y: A11yAudit,
    tmp_path: Path,
    login: Callable[[User], Client],
) -> None:
    officer = make_user((world.maassluis, Role.PRIVACY_OFFICER))
    reader = adviseur(world)
    signal = factories.make_signal(world.maassluis, subjects=[person(bsn=BSN)])
    read_as(login(reader), signal)
    assert ReadLogEntry.objects.filter(object_ref=signal.reference).count() >= 1

    log_in(page, officer)
    open_menu_item(page, url("privacy:readlog", org=ORG))
    expect(page).to_have_url(path_is("privacy:readlog", org=ORG))
    log = page.locator("main table")
    expect(log).to_contain_text(signal.reference)
    expect(log).to_contain_text(reader.username)
    a11y.check(page, "read log")

    # Filter by date: today has the read, yesterday has none.
    today = timezone.localdate()
    filters = page.locator("main form[role=search]")
    filters.locator("#id_date_from").fill(today.strftime("%-d-%-m-%Y"))
    submit(filters)
    expect(page.locator("main table")).to_contain_text(signal.reference)
    yesterday = (today - dt.timedelta(days=1)).strftime("%d-%m-%Y")
    filters.locator("#id_date_from").fill(yesterday)
    filters.locator("#id_date_to").fill(yesterday)
    submit(filters)
    expect(page.locator("main table")).to_have_count(0)
    a11y.check(page, "read log, nothing found")
    page.locator(f"main a[href='{url('privacy:readlog', org=ORG)}']").first.click()

    # The CSV export downloads the log.
    export = url("privacy:readlog_export", org=ORG)
    with page.expect_download() as info:
        page.locator(f"main a[href^='{export}']").click()
    download = info.value
    assert download.suggested_filename.startswith(f"leeslog-{ORG}-")
    assert download.suggested_filename.endswith(".csv")
    csv_file = tmp_path / "leeslog.csv"
    download.save_as(csv_file)
    text = csv_file.read_text(encoding="utf-8-sig")
    assert signal.reference in text
    assert reader.username in text

    # The inzage by BSN, as JSON.
    page.locator(f"main nav a[href='{url('privacy:inzage', org=ORG)}']").click()
    expect(page).to_have_url(path_is("privacy:inzage", org=ORG))
    a11y.check(page, "inzage")
    form = page.locator("main form[method=post]")
    form.locator("#id_bsn").fill(BSN)
    form.locator("#id_fmt").select_option("json")
    with page.expect_download() as info:
        form.locator("button[type=submit]").click()
    download = info.value
    assert download.suggested_filename.endswith(".json")
    json_file = tmp_path / "inzage.json"
    download.save_as(json_file)
    document: Any = json.loads(json_file.read_text(encoding="utf-8"))
    assert signal.reference in json.dumps(document)
    assert ReadLogEntry.objects.filter(object_ref=signal.reference, user=officer).exists()
    a11y.assert_clean()


# --- 5. the ketenpartner ---------------------------------------------------------------------


def test_ketenpartner_sees_shared_signals_and_reports_one(
    page: Page, world: World, partner: Organisation, gaps: Gaps, a11y: A11yAudit
) -> None:
    agent = make_user((partner, Role.KETENPARTNER))
    shared = factories.make_signal(world.maassluis)
    hidden = factories.make_signal(world.maassluis, description="Verzonnen: niet gedeeld.")
    services.share(shared, organisation=partner, by=None, label="test")

    log_in(page, agent)
    open_menu_item(page, queue_url(PARTNER))
    expect(page).to_have_url(path_is("cases:queue", org=PARTNER))
    assert table_references(page) == [shared.reference]
    assert hidden.reference not in page.content()
    a11y.check(page, "werkvoorraad ketenpartner")
    hidden_page = page.goto(url("cases:detail", org=PARTNER, ref=hidden.reference))
    assert hidden_page is not None
    assert hidden_page.status == 404
    page.goto(queue_url(PARTNER))

    # Step 1: the gemeente; step 2: the form.
    gaps.link(page, url("cases:new", org=PARTNER), "the new signal form")
    expect(page).to_have_url(path_is("cases:new", org=PARTNER))
    a11y.check(page, "new signal, choose gemeente")
    choose = page.locator("main form")
    choose.locator("#id_gemeente").select_option(ORG)
    submit(choose)
    expect(page).to_have_url(re.compile(rf"/{PARTNER}/meldpunt/nieuw/\?gemeente={ORG}$"))
    a11y.check(page, "new signal, ketenpartner form")
    category = factories.category(world.maassluis, "Drugs en hennep")
    page.locator("#id_category").select_option(str(category.pk))
    page.locator("#id_description").fill("Verzonnen: hennepgeur bij een verzonnen loods.")
    submit(page.locator("main form[method=post]"))

    reported = Signal.objects.get(reporting_organisation=partner)
    assert reported.organisation == world.maassluis
    assert reported.category == category
    expect(page.locator("main")).to_contain_text(reported.reference)
    a11y.check(page, "signal reported by ketenpartner")

    # The partner's own list now holds its report too.
    page.goto(queue_url(PARTNER))
    assert sorted(table_references(page)) == sorted([shared.reference, reported.reference])
    a11y.assert_clean()
    gaps.assert_none()

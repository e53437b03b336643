"""Defects found in the review of issue 18 (each test fails until its finding is fixed).

Owned by the reviewer; the lead fixes the code (see the review report for the proposed diffs).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from regie.accounts.models import Role, User
from regie.cases import services
from regie.cases.models import AccessGrant, Grant, Outcome, Signal, Status, Subject
from regie.cases.services import set_grants
from regie.cases.tests import factories
from regie.core.models import Organisation
from regie.core.tests.factories import OrganisationFactory
from regie.privacy import crypto, keys, rotation
from regie.privacy import services as privacy
from regie.privacy.models import ReadLogEntry, RetentionRun, Surface

pytestmark = pytest.mark.django_db

Member = Callable[..., User]
Login = Callable[[User], Client]
PURPOSE = "meldpunt-beoordelen"


def _url(name: str, signal: Signal, org: Organisation | None = None) -> str:
    org = org or signal.organisation
    return reverse(f"cases:{name}", kwargs={"org": org.slug, "ref": signal.reference})


# --- 1. "earlier signals at intake" counts later signals ---------------------------------------


def test_intake_enrichment_counts_only_earlier_signals(maassluis: Organisation) -> None:
    """Signal.enrichment is "eerdere meldingen bij ontvangst" and `regie signals import` prints
    "Meldingen met een eerdere melding": a register row from last month must not count a signal
    received yesterday (count_earlier looks ``window`` days *after* the intake too)."""
    now = timezone.now()
    factories.make_signal(maassluis, received_at=now - dt.timedelta(days=1))
    older = factories.make_signal(maassluis, received_at=now - dt.timedelta(days=30))
    assert older.enrichment.get("person") == 0


# --- 2. a reopened signal keeps its outcome ------------------------------------------------------


def test_reopening_a_closed_signal_clears_its_outcome(maassluis: Organisation) -> None:
    """Afgehandeld → in behandeling leaves outcome "niet opgepakt" and its reason on a signal in
    progress: the werkvoorraad, the page and the API then show an outcome for an open signal."""
    signal = factories.make_signal(maassluis)
    services.change_status(
        signal,
        status=Status.CLOSED,
        outcome=Outcome.NOT_TAKEN_UP,
        reason="Geen aanleiding",
        by=None,
        label="test",
    )
    reopened = services.change_status(signal, status=Status.IN_PROGRESS, by=None, label="test")
    reopened.refresh_from_db()
    assert reopened.status == Status.IN_PROGRESS
    assert reopened.outcome == ""


# --- 3. a ketenpartner learns which other organisations received the signal ---------------------


def test_partner_does_not_see_the_other_recipients(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    """Need-to-know: a partner the signal was shared with sees the section "Gedeeld met" and the
    history, which name every other recipient (e.g. a GGZ partner: health data by implication)."""
    police = OrganisationFactory(name="Politie Eenheid Review", slug="politie-review")
    ggz = OrganisationFactory(name="GGZ Instelling Review", slug="ggz-review")
    adviseur = member(maassluis, Role.ADVISEUR)
    factories.grant(adviseur, maassluis)
    signal = factories.make_signal(maassluis)
    services.share(signal, organisation=police, by=adviseur, label="adv")
    services.share(signal, organisation=ggz, by=adviseur, label="adv")
    client = login(member(police, Role.KETENPARTNER))
    assert client.post(_url("purpose", signal, police), {"activity": PURPOSE}).status_code == 302
    page = client.get(_url("detail", signal, police)).content.decode()
    assert "GGZ Instelling Review" not in page


# --- 4. the privacy officer's pages show developer codes and other gemeenten's counts -----------


@pytest.fixture
def officer_client(member: Member, login: Login, maassluis: Organisation) -> Client:
    return login(member(maassluis, Role.PRIVACY_OFFICER))


def test_retention_page_shows_dutch_labels_not_codes(
    officer_client: Client, maassluis: Organisation
) -> None:
    signal = factories.make_signal(maassluis, received_at=timezone.now() - dt.timedelta(days=800))
    services.change_status(
        signal,
        status=Status.CLOSED,
        outcome=Outcome.NOT_TAKEN_UP,
        reason="Geen aanleiding",
        by=None,
        label="test",
    )
    privacy.run_retention(label="test")
    page = officer_client.get(
        reverse("privacy:retention", kwargs={"org": maassluis.slug})
    ).content.decode()
    assert "niet_opgepakt" not in page  # the tombstone's outcome as its stored code
    assert "cases.destroyed" not in page  # the run's counts as dictionary keys


def test_retention_page_does_not_show_another_gemeentes_counts(
    officer_client: Client, maassluis: Organisation, alblasserdam: Organisation
) -> None:
    RetentionRun.objects.create(
        today=timezone.localdate(),
        actor_label="test",
        counts={"cases.destroyed": 4321},
        started_at=timezone.now(),
        finished_at=timezone.now(),
    )
    page = officer_client.get(
        reverse("privacy:retention", kwargs={"org": maassluis.slug})
    ).content.decode()
    # a run's counts are for the whole installation: Alblasserdam's destroyed signals show in
    # Maassluis ("4.321"); the counts per gemeente exist (retention.BY_ORGANISATION) but are
    # not stored
    assert "4.321" not in page
    assert "4321" not in page


def test_read_log_page_shows_dutch_field_names(
    officer_client: Client, maassluis: Organisation
) -> None:
    activity = privacy.activity(maassluis, PURPOSE)
    ReadLogEntry.objects.create(
        trace_id="t" * 32,
        span_id="s" * 16,
        operation="signal.detail",
        surface=Surface.PAGE,
        organisation=maassluis,
        actor_label="adv1",
        actor_organisation=maassluis.name,
        processing_activity=activity,
        processing_activity_code=activity.code,
        legal_basis=activity.legal_basis,
        object_type="signal",
        object_ref="GM0556-2026-00001",
        fields=["description", "reporter_phone"],
    )
    page = officer_client.get(
        reverse("privacy:readlog", kwargs={"org": maassluis.slug})
    ).content.decode()
    assert "reporter_phone" not in page
    assert ">signal.detail<" not in page  # shown text (the filter's option value is the code)
    assert "signal.detail</td>" not in page


# --- 5. key rotation says "every value is under the newest key" when it is not -------------------

OLD = "test1:" + "A" * 42 + "Q"
NEW = "test2:" + "C" * 42 + "Q"


def _use(settings: Any, encryption: str) -> None:
    settings.REGIE_ENCRYPTION_KEYS = encryption
    keys.reset()


def test_rotation_does_not_skip_values_written_under_an_old_key_later(
    settings: Any, maassluis: Organisation
) -> None:
    """A worker still configured with the old key writes after the rotation finished a model
    (KeyRotation.finished_at is sticky per model and target): the next `regie keys rotate`
    skips the model and prints that old keys can be removed — removing it loses the value."""
    try:
        factories.make_signal(maassluis)
        _use(settings, f"{NEW},{OLD}")
        assert rotation.rotate().complete
        _use(settings, OLD)  # a process that has not been restarted yet
        late = factories.make_signal(maassluis)
        _use(settings, f"{NEW},{OLD}")
        report = rotation.rotate()
        with connection.cursor() as cursor:
            cursor.execute("SELECT surname FROM cases_subject WHERE signal_id = %s", [late.pk])
            blob = bytes(cursor.fetchone()[0])
        assert not (report.complete and crypto.key_id_of(blob) == "test1")
    finally:
        _use(settings, OLD)


# --- 6. the queue's hermelding flag and the page disagree ----------------------------------------


def test_queue_flags_a_signal_whose_page_shows_hermeldingen(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    """The werkvoorraad flags "hermelding" from the counts at intake only; the signal's page counts
    signals within the window on both sides. The first of two signals about one person shows
    "1 andere melding" on its page and no flag in the list."""
    user = member(maassluis, Role.ADVISEUR)
    factories.grant(user, maassluis, Grant.ZORG, Grant.OVERIG, Grant.ONDERMIJNING)
    first = factories.make_signal(maassluis, received_at=timezone.now() - dt.timedelta(days=3))
    factories.make_signal(maassluis)
    client = login(user)
    page = client.get(reverse("cases:queue", kwargs={"org": maassluis.slug})).content.decode()
    row = page.split(first.reference, 2)[-1].split("</tr>", 1)[0]
    assert "regie-hermelding" in row


# --- 7. dates in the history ----------------------------------------------------------------------


def test_correction_history_keeps_a_birth_date_in_dutch_notation(
    maassluis: Organisation,
) -> None:
    """The history shows "Geboortedatum: 1980-02-03 → 1981-02-03" (ISO): dates on a page are
    dd-mm-jjjj. correct_subject stores str(date); the page prints the stored text."""
    from regie.cases.views.signal import _event_change

    signal = factories.make_signal(maassluis)
    subject = Subject.objects.get(signal=signal)
    services.correct_subject(
        subject,
        field="birth_date",
        value=dt.date(1981, 2, 3),
        reason="Typefout",
        by=None,
        label="test",
    )
    event = signal.events.get(dimension="correctie")
    assert "1981-02-03" not in _event_change(event)


# --- 8. the access page overwrites a grant changed since it was shown --------------------------


def test_stale_access_page_does_not_restore_a_revoked_grant(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    """Beheerder A opens Meldpunt > Toegang; beheerder B revokes adviseur X's grant for
    Ondermijning (X left the team); A saves the page for another change. The form has no
    version: A's stale checkboxes silently give X the grant back (a need-to-know hole)."""
    a = member(maassluis, Role.BEHEERDER)
    b = member(maassluis, Role.BEHEERDER)
    x = member(maassluis, Role.ADVISEUR)
    set_grants(maassluis, x, [Grant.ONDERMIJNING], by=b)
    client = login(a)
    page = client.get(reverse("cases:grants", kwargs={"org": maassluis.slug})).content.decode()
    data: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page):
        data.setdefault(name, []).append(value)
    for tag in re.findall(r"<input[^>]*checked[^>]*>", page):
        name = re.search(r'name="(user_\d+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and value:
            data.setdefault(name.group(1), []).append(value.group(1))
    assert Grant.ONDERMIJNING.value in data[f"user_{x.pk}"]  # what A's browser will send
    set_grants(maassluis, x, [], by=b)  # B revokes meanwhile
    data[f"user_{a.pk}"] = [*data.get(f"user_{a.pk}", []), Grant.ZORG.value]  # A's own change
    client.post(reverse("cases:grants", kwargs={"org": maassluis.slug}), data)
    assert not AccessGrant.objects.filter(
        organisation=maassluis, user=x, grant=Grant.ONDERMIJNING
    ).exists()


# --- 9. inzage with a BSN and a name searches the BSN only ------------------------------------


def test_inzage_with_bsn_and_name_also_finds_signals_without_the_bsn(
    maassluis: Organisation,
) -> None:
    """The inzage form (and the provider) accept a BSN and a name with a birth date together,
    but Identity.of returns at the BSN: a signal that recorded the person by name and birth
    date only is left out of the AVG art. 15 answer without a word."""
    identity = privacy.Identity.of(
        bsn="111222333",
        surname="Vries",
        tussenvoegsel="de",
        first_names="Jan",
        birth_date="03-02-1980",
    )
    assert {kind for kind, _digest in identity.digests()} == {"bsn", "person"}

"""The werkvoorraad (``cases:queue``) and saved filters, through HTTP with verified logins."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from regie.accounts.models import Role, User
from regie.cases import queue, services
from regie.cases.models import Grant, SavedFilter, Signal, Status
from regie.cases.tests import factories
from regie.core.models import Organisation
from regie.core.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

Member = Callable[..., User]
Login = Callable[[User], Client]


def queue_url(org: Organisation, query: str = "") -> str:
    url = reverse("cases:queue", kwargs={"org": org.slug})
    return f"{url}?{query}" if query else url


def staff(member: Member, org: Organisation, *grants: str, role: str = Role.ADVISEUR) -> User:
    user = member(org, role)
    if grants:
        factories.grant(user, org, *grants)
    return user


def html(response: Any) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_family_grant_decides_what_the_list_shows(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    user = staff(member, maassluis, Grant.ZORG)
    zorg = factories.make_signal(maassluis, category_name="Woonoverlast")
    ondermijning = factories.make_signal(maassluis, category_name="Witwassen")
    page = html(login(user).get(queue_url(maassluis)))
    assert zorg.reference in page
    assert ondermijning.reference not in page


def test_handhaver_sees_only_what_they_registered(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    handhaver = staff(member, maassluis, role=Role.HANDHAVER)
    own = factories.make_signal(maassluis, by=handhaver)
    other = factories.make_signal(maassluis)
    page = html(login(handhaver).get(queue_url(maassluis)))
    assert own.reference in page
    assert other.reference not in page


def test_ketenpartner_sees_what_its_organisation_reported(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    politie = OrganisationFactory(name="Politie Test", slug="politie-test")
    partner = member(politie, Role.KETENPARTNER)
    reported = factories.make_signal(maassluis, reporting_organisation=politie)
    other = factories.make_signal(maassluis)
    page = html(login(partner).get(queue_url(politie)))
    assert reported.reference in page
    assert other.reference not in page
    assert maassluis.name in page  # the gemeente column of a partner's list


@pytest.mark.parametrize("role", [Role.RAADPLEGER, Role.PRIVACY_OFFICER])
def test_roles_without_a_queue_are_refused(
    maassluis: Organisation, member: Member, login: Login, role: str
) -> None:
    assert login(member(maassluis, role)).get(queue_url(maassluis)).status_code == 403


def test_another_gemeente_is_not_found(
    maassluis: Organisation, alblasserdam: Organisation, member: Member, login: Login
) -> None:
    user = staff(member, alblasserdam, *Grant.values)
    assert login(user).get(queue_url(maassluis)).status_code == 404


def test_the_list_shows_no_personal_data(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    user = staff(member, maassluis, *Grant.values)
    factories.make_signal(
        maassluis,
        description="Omschrijving Zeldzaamwoord",
        subjects=[
            factories.person(surname="Bijzondernaam", first_names="Kwirijn", bsn="111222333")
        ],
        reporter_type="inwoner",
        reporter_name="Melder Achternaamxyz",
        reporter_phone="0612345678",
        reporter_email="melder@voorbeeld.test",
        location=services.AddressIn(
            street="Verzonnenstraat", house_number="12", postcode="3141AB", city="Fantasiestad"
        ),
    )
    page = html(login(user).get(queue_url(maassluis)))
    for secret in (
        "Zeldzaamwoord",
        "Bijzondernaam",
        "Kwirijn",
        "111222333",
        "Achternaamxyz",
        "0612345678",
        "melder@voorbeeld.test",
        "Verzonnenstraat",
        "Fantasiestad",
        "3141",
    ):
        assert secret not in page


def test_filters_by_status_reference_and_dutch_dates(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    user = staff(member, maassluis, *Grant.values)
    tz = timezone.get_current_timezone()
    old = factories.make_signal(maassluis, received_at=dt.datetime(2025, 3, 4, 10, tzinfo=tz))
    new = factories.make_signal(maassluis, received_at=dt.datetime(2025, 6, 2, 10, tzinfo=tz))
    services.change_status(new, status=Status.IN_PROGRESS, by=user, label="test")
    client = login(user)

    page = html(client.get(queue_url(maassluis, "status=in_behandeling")))
    assert new.reference in page
    assert old.reference not in page

    page = html(client.get(queue_url(maassluis, "van=01-05-2025&tot=30-06-2025")))
    assert new.reference in page
    assert old.reference not in page

    page = html(client.get(queue_url(maassluis, "tot=4-3-2025")))
    assert old.reference in page
    assert new.reference not in page

    page = html(client.get(queue_url(maassluis, f"zoek={old.reference.lower()}")))
    assert old.reference in page
    assert new.reference not in page

    response = client.get(queue_url(maassluis, "van=31-31-2025"))
    assert "van" in response.context["form"].errors
    assert response.context["invalid"] == ("van",)
    assert old.reference in html(response)  # an invalid filter is ignored


def test_counts_per_status(maassluis: Organisation, member: Member, login: Login) -> None:
    user = staff(member, maassluis, *Grant.values)
    factories.make_signal(maassluis)
    moving = factories.make_signal(maassluis)
    services.change_status(moving, status=Status.IN_PROGRESS, by=user, label="test")
    response = login(user).get(queue_url(maassluis))
    counts = {link["value"]: link["count"] for link in response.context["status_links"]}
    assert counts == {Status.RECEIVED: "1", Status.IN_PROGRESS: "1", Status.CLOSED: "0"}


def test_counts_and_the_list_stop_at_their_caps(
    maassluis: Organisation, member: Member, login: Login, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counting a Meldpunt's whole history on every view would read every row: counts stop at
    a cap ("1.000+"), the list at its own (then the user narrows the filter)."""
    from regie.cases import queue as queue_module

    monkeypatch.setattr(queue_module, "COUNT_CAP", 2)
    monkeypatch.setattr(queue_module, "LIST_CAP", 2)
    user = staff(member, maassluis, *Grant.values)
    for _ in range(3):
        factories.make_signal(maassluis)
    response = login(user).get(queue_url(maassluis))
    counts = {link["value"]: link["count"] for link in response.context["status_links"]}
    assert counts[Status.RECEIVED] == "2+"
    assert response.context["page"].paginator.capped


def test_overdue_signals_are_flagged_and_closed_ones_never(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    user = staff(member, maassluis, *Grant.values)
    tz = timezone.get_current_timezone()
    received = dt.datetime(2025, 1, 6, 10, tzinfo=tz)  # a Monday; deadline 13-01-2025
    late = factories.make_signal(maassluis, received_at=received)
    closed = factories.make_signal(maassluis, received_at=received)
    services.change_status(
        closed, status=Status.CLOSED, outcome="niet_opgepakt", reason="geen", by=user, label="t"
    )
    fresh = factories.make_signal(maassluis)
    assert late.deadline == dt.date(2025, 1, 13)

    response = login(user).get(queue_url(maassluis))
    rows = {row.signal.reference: row for row in response.context["rows"]}
    assert rows[late.reference].overdue_days > 0
    assert rows[closed.reference].overdue_days == 0
    assert rows[fresh.reference].overdue_days == 0
    assert "regie-overdue" in html(response)

    page = html(login(user).get(queue_url(maassluis, "te_laat=1")))
    assert late.reference in page
    assert closed.reference not in page
    assert fresh.reference not in page


def test_hermelding_and_verification_flags(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    user = staff(member, maassluis, *Grant.values)
    factories.make_signal(maassluis)
    again = factories.make_signal(maassluis)  # the same (default) person
    mma = factories.make_signal(maassluis, channel="mma", reporter_type="mma", subjects=[])
    response = login(user).get(queue_url(maassluis))
    rows = {row.signal.reference: row for row in response.context["rows"]}
    assert rows[again.reference].hermelding
    assert not rows[mma.reference].hermelding
    assert rows[mma.reference].signal.verification_needed
    page = html(response)
    assert "regie-hermelding" in page
    assert "regie-verification" in page


def test_empty_state(maassluis: Organisation, member: Member, login: Login) -> None:
    user = staff(member, maassluis, *Grant.values)
    response = login(user).get(queue_url(maassluis))
    assert list(response.context["rows"]) == []
    assert "<table" not in html(response)


def test_pagination_keeps_the_filter(
    maassluis: Organisation, member: Member, login: Login, monkeypatch: Any
) -> None:
    monkeypatch.setattr(queue, "PAGE_SIZE", 2)
    user = staff(member, maassluis, *Grant.values)
    made = [factories.make_signal(maassluis) for _ in range(3)]
    response = login(user).get(queue_url(maassluis, "status=ontvangen"))
    assert len(response.context["rows"]) == 2
    assert response.context["next_query"] == "status=ontvangen&pagina=2"
    second = login(user).get(queue_url(maassluis, "status=ontvangen&pagina=2"))
    assert [r.signal.reference for r in second.context["rows"]] == [made[0].reference]


def test_ordering_by_deadline(maassluis: Organisation, member: Member, login: Login) -> None:
    user = staff(member, maassluis, *Grant.values)
    tz = timezone.get_current_timezone()
    early = factories.make_signal(maassluis, received_at=dt.datetime(2025, 1, 6, 10, tzinfo=tz))
    late = factories.make_signal(maassluis)
    newest = login(user).get(queue_url(maassluis))
    assert [r.signal.pk for r in newest.context["rows"]] == [late.pk, early.pk]
    by_deadline = login(user).get(queue_url(maassluis, "volgorde=deadline"))
    assert [r.signal.pk for r in by_deadline.context["rows"]] == [early.pk, late.pk]


# --- saved filters --------------------------------------------------------------------------


def save(client: Client, org: Organisation, name: str, query: str) -> Any:
    url = reverse("cases:filter_save", kwargs={"org": org.slug})
    return client.post(url, {"name": name, "query": query})


def test_save_and_use_a_filter(maassluis: Organisation, member: Member, login: Login) -> None:
    user = staff(member, maassluis, *Grant.values)
    client = login(user)
    response = save(client, maassluis, "Mijn open", "status=ontvangen&onzin=1&te_laat=ja")
    assert response.status_code == 302
    saved = SavedFilter.objects.get(user=user, organisation=maassluis)
    assert saved.name == "Mijn open"
    assert saved.query == "status=ontvangen&te_laat=1"  # canonical, unknown names dropped
    assert response["Location"] == queue_url(maassluis, saved.query)
    page = html(client.get(queue_url(maassluis)))
    assert "Mijn open" in page


def test_saving_needs_a_new_name_and_has_a_limit(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    user = staff(member, maassluis, *Grant.values)
    client = login(user)
    assert save(client, maassluis, "Een", "status=ontvangen").status_code == 302
    again = save(client, maassluis, "een", "status=afgehandeld")
    assert again.status_code == 200
    assert "name" in again.context["save_form"].errors
    for n in range(queue.MAX_SAVED - 1):
        SavedFilter.objects.create(organisation=maassluis, user=user, name=f"f{n}", query="")
    full = save(client, maassluis, "Te veel", "")
    assert full.status_code == 200
    assert "name" in full.context["save_form"].errors
    assert SavedFilter.objects.filter(user=user).count() == queue.MAX_SAVED


def test_a_filter_of_another_user_is_not_found(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    owner = staff(member, maassluis, *Grant.values)
    other = staff(member, maassluis, *Grant.values)
    saved = SavedFilter.objects.create(organisation=maassluis, user=owner, name="x", query="")
    url = reverse("cases:filter_delete", kwargs={"org": maassluis.slug, "pk": saved.pk})
    assert login(other).post(url).status_code == 404
    assert login(owner).get(url).status_code == 405
    assert login(owner).post(url).status_code == 302
    assert not SavedFilter.objects.filter(pk=saved.pk).exists()


def test_parse_is_lenient_and_canonical() -> None:
    choices = queue.Choices(families=frozenset({"zorg_veiligheid"}), categories=frozenset({7}))
    parsed = queue.parse(
        "familie=ondermijning&categorie=7&kanaal=mma&van=2025-01-02&tot=x&volgorde=deadline",
        choices,
    )
    assert parsed.invalid == ("familie", "tot")
    assert parsed.filter.category == 7
    assert parsed.filter.received_from == dt.date(2025, 1, 2)
    assert parsed.filter.query() == "categorie=7&kanaal=mma&van=02-01-2025&volgorde=deadline"


def test_signal_count_in_list_is_of_visible_signals_only(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    user = staff(member, maassluis, Grant.ONDERMIJNING)
    factories.make_signal(maassluis, category_name="Woonoverlast")
    response = login(user).get(queue_url(maassluis))
    assert response.context["total"] == 0
    assert Signal.objects.count() == 1


def test_queries_do_not_grow_with_the_rows(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    user = staff(member, maassluis, *Grant.values)
    client = login(user)
    factories.make_signal(maassluis)
    client.get(queue_url(maassluis))  # warm the session and caches
    with CaptureQueriesContext(connection) as one:
        html(client.get(queue_url(maassluis)))
    for _ in range(5):
        factories.make_signal(maassluis, category_name="Witwassen")
    with CaptureQueriesContext(connection) as six:
        html(client.get(queue_url(maassluis)))
    assert len(six.captured_queries) == len(one.captured_queries)

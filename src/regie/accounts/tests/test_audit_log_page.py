"""The audit log for people: every filter works (logins included), entries read as sentences
with local times and Dutch values, one action is one entry with its details, and it pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation

from regie.accounts import audit_display, events, services
from regie.accounts.models import Invitation, Membership, Role, User
from regie.accounts.tests.factories import PASSWORD
from regie.accounts.views.common import AUDIT_PAGE_SIZE
from regie.core import audit
from regie.core.models import SECURITY_ACTIONS, AuditAction, AuditEntry, Organisation

pytestmark = pytest.mark.django_db


def log_url(org: Organisation) -> str:
    return reverse("beheer:audit_log", kwargs={"org": org.slug})


def shown(response: Any) -> list[AuditEntry]:
    """Every entry on the page: the main entry of each group and the entries inside it."""
    result = []
    for group in response.context["groups"]:
        result.append(group.main)
        result.extend(line.entry for line in group.lines)
    return result


def test_every_action_of_the_filter_shows_exactly_its_entries(
    maassluis: Organisation, member: Callable[..., User], login: Any
) -> None:
    admin = member(maassluis, Role.BEHEERDER)
    colleague = member(maassluis, Role.RAADPLEGER)
    for action in AuditAction:
        if action in SECURITY_ACTIONS:
            # about an account: no organisation, seen while the account is a member here
            events.record(action, account=colleague, description=f"proef {action}")
        else:
            audit.write_entry(
                action=action,
                object_type="event",
                object_repr=f"proef {action}",
                organisation=maassluis,
            )
    client = login(admin)
    choices = [value for value, _ in response_form_choices(client, maassluis)]
    assert set(choices) == set(AuditAction.values)
    for action in AuditAction:
        response = client.get(log_url(maassluis), {"action": action})
        entries = shown(response)
        assert entries, action
        assert {e.action for e in entries} == {action}, action
        assert any(f"proef {action}" in e.object_repr for e in entries), action


def response_form_choices(client: Client, org: Organisation) -> list[tuple[str, str]]:
    form = client.get(log_url(org)).context["form"]
    return [(v, label) for v, label in form.fields["action"].choices if v]


def test_the_login_filter_shows_the_logins_of_members(
    maassluis: Organisation, alblasserdam: Organisation, member: Callable[..., User], login: Any
) -> None:
    admin = member(maassluis, Role.BEHEERDER)
    raadpleger = member(maassluis, Role.RAADPLEGER)
    elsewhere = member(alblasserdam, Role.RAADPLEGER)
    for user in (raadpleger, elsewhere):
        response = Client().post(
            reverse("accounts:login"), {"username": user.username, "password": PASSWORD}
        )
        assert response.status_code == 302
    client = login(admin)
    entries = shown(client.get(log_url(maassluis), {"action": AuditAction.LOGIN}))
    # the raadpleger's password login and the beheerder's own; not a member elsewhere
    assert {e.object_id for e in entries} == {str(raadpleger.pk), str(admin.pk)}
    # the same in the installation's log, for both
    superuser = User.objects.create_superuser("installatie", "i@example.org", PASSWORD)
    everything = shown(
        login(superuser).get(reverse("installatie:audit_log"), {"action": AuditAction.LOGIN})
    )
    assert {str(raadpleger.pk), str(elsewhere.pk)} <= {e.object_id for e in everything}


def test_kind_user_and_date_filters(
    maassluis: Organisation, member: Callable[..., User], login: Any
) -> None:
    admin = member(maassluis, Role.BEHEERDER)
    other = member(maassluis, Role.RAADPLEGER)
    services.set_role(user=other, organisation=maassluis, role=Role.ADVISEUR)
    client = login(admin)
    url = log_url(maassluis)
    memberships = shown(client.get(url, {"object_type": "accounts.Membership"}))
    assert memberships
    assert {e.object_type for e in memberships} == {"accounts.Membership"}
    by_name = shown(client.get(url, {"actor": admin.username[:6]}))
    assert by_name
    assert all(admin.username[:6] in e.actor_label for e in by_name)
    today = timezone.localdate()
    assert shown(client.get(url, {"date_from": today.isoformat(), "date_to": today.isoformat()}))
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    empty = client.get(url, {"date_to": yesterday})
    assert shown(empty) == []
    assert empty.context["filtered"]
    assert reverse("beheer:audit_log", kwargs={"org": maassluis.slug}) in empty.content.decode()
    assert not shown(client.get(url, {"date_from": (today + dt.timedelta(days=1)).isoformat()}))


def test_one_action_of_many_rows_is_one_entry_with_its_details(
    maassluis: Organisation, member: Callable[..., User], login: Any
) -> None:
    admin = member(maassluis, Role.BEHEERDER)
    adviseur = member(maassluis, Role.ADVISEUR)
    with audit.acting_as(adviseur):  # as a service call that writes a new plan version
        main = audit.write_entry(
            action=AuditAction.CREATE,
            object_type="core.Organisation",
            object_repr="Integraal Veiligheidsplan v2",
            organisation=maassluis,
        )
        for n in range(59):
            audit.write_entry(
                action=AuditAction.CREATE,
                object_type="accounts.Membership",
                object_repr=f"onderdeel {n}",
                organisation=maassluis,
            )
    response = login(admin).get(log_url(maassluis), {"actor": adviseur.username})
    groups = response.context["groups"]
    assert len(groups) == 1
    group = groups[0]
    assert group.main == main
    assert group.count == 60
    assert len(group.lines) == 59
    body = response.content.decode()
    assert body.count('<details class="regie-audit-group"') == 1
    assert "Integraal Veiligheidsplan v2" in body
    with translation.override("nl"):
        plural = str(Membership._meta.verbose_name_plural).lower()
    assert "59" in group.summary
    assert plural in group.summary  # kinds in words, never by model name
    assert "accounts.Membership" not in body.split("<table", 1)[-1]


def test_a_huge_action_is_counted_in_the_database_and_lists_a_bounded_number_of_rows(
    maassluis: Organisation,
    member: Callable[..., User],
    login: Any,
    django_assert_max_num_queries: Any,
) -> None:
    admin = member(maassluis, Role.BEHEERDER)
    adviseur = member(maassluis, Role.ADVISEUR)
    with audit.acting_as(adviseur):  # e.g. a plan file of many items read in one request
        for n in range(3 * audit_display.GROUP_LIST_LIMIT):
            audit.write_entry(
                action=AuditAction.READ if n < 2 * audit_display.GROUP_LIST_LIMIT else "create",
                object_type="accounts.Membership",
                object_repr=f"onderdeel {n}",
                organisation=maassluis,
            )
    client = login(admin)
    client.get(log_url(maassluis))  # the session and the menu settle
    with django_assert_max_num_queries(40):
        response = client.get(log_url(maassluis), {"actor": adviseur.username})
    group = response.context["groups"][0]
    total = 3 * audit_display.GROUP_LIST_LIMIT
    assert group.count == total
    # The entry that says what the action was is its first change, even after many reads.
    assert group.main.action == AuditAction.CREATE
    assert len(group.lines) == audit_display.GROUP_LIST_LIMIT
    assert group.hidden == total - 1 - audit_display.GROUP_LIST_LIMIT
    assert str(2 * audit_display.GROUP_LIST_LIMIT) in group.summary  # the reads, counted


def test_one_request_is_one_entry(
    maassluis: Organisation, member: Callable[..., User], login: Any
) -> None:
    client = login(member(maassluis, Role.BEHEERDER))
    members = reverse("beheer:member_list", kwargs={"org": maassluis.slug})
    client.post(members, {"email": "een@example.org", "role": Role.RAADPLEGER})
    client.post(members, {"email": "een@example.org", "role": Role.ADVISEUR})
    groups = client.get(log_url(maassluis), {"object_type": "accounts.Invitation"}).context[
        "groups"
    ]
    # two requests: two entries, the second with the cancelled invitation inside it
    assert len(groups) == 2
    assert groups[0].count == 2
    assert {line.entry.action for line in groups[0].lines} | {groups[0].main.action} == {
        AuditAction.CREATE,
        AuditAction.UPDATE,
    }
    # the entry's own page lists the rest of its action
    main = groups[0].main
    detail = client.get(
        reverse("beheer:audit_entry", kwargs={"org": maassluis.slug, "entry_id": main.pk})
    )
    same = {line.entry.pk for line in detail.context["same_action"]}
    group = AuditEntry.objects.filter(group=main.group).exclude(pk=main.pk)
    assert same == set(group.values_list("pk", flat=True))
    assert len(same) == 2  # the new invitation and the invitation event


def test_the_log_pages_through_actions_and_keeps_the_filters(
    maassluis: Organisation, member: Callable[..., User], login: Any
) -> None:
    client = login(member(maassluis, Role.BEHEERDER))
    for n in range(AUDIT_PAGE_SIZE + 5):
        audit.write_entry(
            action=AuditAction.IMPORT,
            object_type="event",
            object_repr=f"levering {n}",
            organisation=maassluis,
        )
    first = client.get(log_url(maassluis), {"action": AuditAction.IMPORT})
    assert len(first.context["groups"]) == AUDIT_PAGE_SIZE
    assert first.context["page"].paginator.count == AUDIT_PAGE_SIZE + 5
    assert "action=import&amp;pagina=2" in first.content.decode()
    second = client.get(log_url(maassluis), {"action": AuditAction.IMPORT, "pagina": 2})
    assert len(second.context["groups"]) == 5
    texts = [g.main.object_repr for g in first.context["groups"] + second.context["groups"]]
    assert texts == [f"levering {n}" for n in reversed(range(AUDIT_PAGE_SIZE + 5))]


def test_entries_read_as_sentences_with_local_times_and_dutch_values(
    maassluis: Organisation, member: Callable[..., User], login: Any
) -> None:
    admin = member(maassluis, Role.BEHEERDER)
    with audit.acting_as(admin):
        invitation = services.invite(
            organisation=maassluis,
            email="x@example.org",
            role=Role.RAADPLEGER,
            invited_by=admin,
            base_url="http://testserver",
        )
        services.cancel_invitation(invitation=invitation)
    invitation = Invitation.objects.get(pk=invitation.pk)
    entry = AuditEntry.objects.filter(
        object_type="accounts.Invitation", action=AuditAction.UPDATE
    ).latest("id")
    client = login(admin)
    detail = client.get(
        reverse("beheer:audit_entry", kwargs={"org": maassluis.slug, "entry_id": entry.pk})
    )
    body = detail.content.decode()
    assert invitation.cancelled_at is not None
    with translation.override("nl"):
        local = formats.date_format(timezone.localtime(invitation.cancelled_at), "j F Y H:i")
        changes = {c.label: c.after for c in audit_display.changes(entry)}
        sentence = audit_display.sentence(entry)
    assert local in body  # Amsterdam time, Dutch month name
    assert invitation.cancelled_at.isoformat() not in body  # not the stored UTC value
    assert local in changes.values()
    assert admin.username in sentence
    assert "accounts.Invitation" not in sentence
    assert "cancelled_at" not in body
    log = client.get(log_url(maassluis)).content.decode()
    assert "cancelled_at" not in log
    assert "accounts.Invitation" not in log.split("<table", 1)[-1]


def test_reading_the_log_is_still_recorded(
    maassluis: Organisation, member: Callable[..., User], login: Any
) -> None:
    admin = member(maassluis, Role.BEHEERDER)
    client = login(admin)
    client.get(log_url(maassluis))
    entry = AuditEntry.objects.filter(action=AuditAction.READ, actor=admin).latest("id")
    client.get(reverse("beheer:audit_entry", kwargs={"org": maassluis.slug, "entry_id": entry.pk}))
    assert AuditEntry.objects.filter(action=AuditAction.READ, actor=admin).count() == 2

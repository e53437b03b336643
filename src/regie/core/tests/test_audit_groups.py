"""One action, one group: the entries written by one request, command or service call share a
``group``; the column keeps the log append-only (ADR 0012)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from regie.accounts.models import Role, User
from regie.accounts.tests.factories import MembershipFactory, UserFactory
from regie.core import append_only, audit
from regie.core.models import AppendOnlyError, AuditAction, AuditEntry
from regie.core.tests.factories import GemeenteFactory

pytestmark = pytest.mark.django_db


def _event(text: str) -> AuditEntry:
    return audit.write_entry(action=AuditAction.IMPORT, object_type="event", object_repr=text)


def test_entries_inside_one_block_share_a_group_and_nested_blocks_join_it() -> None:
    outside = _event("los")
    with audit.grouped() as group:
        first = _event("een")
        with audit.acting_as(None, "regie import"), audit.grouped() as inner:
            second = _event("twee")
        assert inner == group
    with audit.acting_as(None, "regie import"):
        third = _event("drie")
    assert outside.group is None
    assert first.group == second.group == group
    assert third.group is not None
    assert third.group != group
    assert AuditEntry.objects.filter(group=group).count() == 2


def test_a_separate_block_inside_a_group_starts_its_own() -> None:
    with audit.grouped() as group:
        first = _event("een")
        with audit.grouped(separate=True) as own:
            anonymous = _event("anoniem")
        after = _event("twee")
    assert own != group
    assert first.group == after.group == group
    assert anonymous.group == own


def test_one_request_is_one_group(login: Callable[[User], Client]) -> None:
    gemeente = GemeenteFactory()
    admin = UserFactory()
    MembershipFactory(user=admin, organisation=gemeente, role=Role.BEHEERDER)
    client = login(admin)
    url = reverse("beheer:member_list", kwargs={"org": gemeente.slug})
    before = AuditEntry.objects.count()
    client.post(url, {"email": "een@example.org", "role": Role.RAADPLEGER})
    client.post(url, {"email": "een@example.org", "role": Role.ADVISEUR})  # replaces the first
    written = list(AuditEntry.objects.order_by("id")[before:])
    groups = {e.group for e in written}
    assert None not in groups
    assert len(groups) == 2
    second = [e for e in written if e.group == written[-1].group]
    # the old invitation cancelled, the new one created, the invitation event
    assert {(e.action, e.object_type) for e in second} >= {
        (AuditAction.UPDATE, "accounts.Invitation"),
        (AuditAction.CREATE, "accounts.Invitation"),
        (AuditAction.INVITATION, "event"),
    }


def test_the_group_cannot_be_changed_afterwards() -> None:
    with audit.grouped():
        entry = _event("vast")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(group=uuid.uuid4())
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute('UPDATE core_auditentry SET "group" = NULL WHERE id = %s', [entry.pk])
    entry.refresh_from_db()
    assert entry.group is not None
    assert append_only.triggers_present()

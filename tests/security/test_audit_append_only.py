"""The audit log is append-only in the database itself: raw SQL cannot change or remove it, and
only a demo or test database may be erased (``flush``, ``regie demo --reset``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from regie.core import append_only
from regie.core import services as core_services
from regie.core.models import AuditAction, AuditEntry


def _entry() -> AuditEntry:
    return core_services.record_event(
        action=AuditAction.LOGIN, user=None, label="tester", description="kept"
    )


def _raw(sql: str, params: list[Any] | None = None) -> None:
    # A savepoint: on PostgreSQL a failed statement would otherwise end the test's transaction.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])


@pytest.mark.django_db
def test_raw_update_of_an_audit_entry_fails() -> None:
    entry = _entry()
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("UPDATE core_auditentry SET actor_label = %s WHERE id = %s", ["someone", entry.pk])
    entry.refresh_from_db()
    assert entry.actor_label == "tester"


@pytest.mark.django_db
def test_raw_delete_of_audit_entries_fails() -> None:
    entry = _entry()
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("DELETE FROM core_auditentry WHERE id = %s", [entry.pk])
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("DELETE FROM core_auditentry")
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db(transaction=True)  # TRUNCATE refuses to run beside pending FK checks
def test_raw_truncate_of_the_audit_log_fails_on_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE (its DELETE is refused above)")
    entry = _entry()
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("TRUNCATE core_auditentry CASCADE")
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db
def test_the_purge_of_a_demo_database_is_the_only_way_and_the_guard_returns() -> None:
    entry = _entry()
    with append_only.purging():
        _raw("DELETE FROM core_auditentry WHERE id = %s", [entry.pk])
    assert not AuditEntry.objects.filter(pk=entry.pk).exists()
    other = _entry()
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("DELETE FROM core_auditentry WHERE id = %s", [other.pk])
    with append_only.purging(), pytest.raises(DatabaseError, match="append-only"):
        # Even while purging, an entry is never changed.
        _raw("UPDATE core_auditentry SET actor_label = 'x' WHERE id = %s", [other.pk])


@pytest.mark.django_db
def test_flush_is_refused_on_a_database_that_is_not_a_demo(settings: Any) -> None:
    settings.REGIE_ALLOW_AUDIT_PURGE = False
    entry = _entry()
    with pytest.raises(CommandError, match="geen demo"):
        call_command("flush", interactive=False, verbosity=0)
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db
def test_demo_reset_is_refused_on_a_database_that_is_not_a_demo(settings: Any) -> None:
    settings.REGIE_ALLOW_AUDIT_PURGE = False
    entry = _entry()
    with pytest.raises(CommandError, match="geen demo"):
        call_command("demo", reset=True, yes=True)
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db
def test_a_database_built_by_the_demo_from_empty_is_a_demo(settings: Any) -> None:
    settings.REGIE_ALLOW_AUDIT_PURGE = False
    assert not append_only.purge_allowed()
    core_services.mark_demo_installation()
    assert append_only.purge_allowed()
    assert core_services.is_demo_installation()


@pytest.mark.django_db
def test_a_demo_stops_being_one_when_real_organisations_or_accounts_arrive(
    settings: Any,
) -> None:
    from regie.accounts.tests.factories import UserFactory
    from regie.core.tests.factories import GemeenteFactory
    from regie.demo import services as demo_services

    settings.REGIE_ALLOW_AUDIT_PURGE = False
    core_services.mark_demo_installation()
    GemeenteFactory(name="Maassluis", slug="gm0556", cbs_code="GM0556")  # the demo's own
    assert append_only.purge_allowed()
    GemeenteFactory(name="Vlaardingen", slug="gm0622", cbs_code="GM0622")
    assert not append_only.purge_allowed()
    with pytest.raises(CommandError, match="geen demo"):
        call_command("demo", reset=True, yes=True)
    # An account that is not the demo's ends it too (regie demo marks only an empty database).
    core_services.mark_demo_installation()
    assert append_only.purge_allowed()
    UserFactory(username="echte.gebruiker")
    assert not append_only.purge_allowed()
    assert "echte.gebruiker" not in demo_services.demo_usernames()


@pytest.mark.django_db
def test_the_kbv_themes_come_back_after_a_database_was_erased() -> None:
    """`regie demo --reset` erases the database (flush), data migrations included; the demo's
    plans name KBV themes, so loading the plans loads them again."""
    from regie.policy import services as policy_services
    from regie.policy.models import SafetyField, SafetyTheme

    SafetyTheme.objects.all().delete()
    SafetyField.objects.all().delete()
    policy_services.load_kbv_taxonomy()
    assert SafetyField.objects.count() == 5
    assert SafetyTheme.objects.filter(code="2.2").exists()
    policy_services.load_kbv_taxonomy()  # idempotent
    assert SafetyField.objects.count() == 5

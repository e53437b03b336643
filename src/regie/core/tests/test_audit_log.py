from __future__ import annotations

import pytest

from regie.accounts.models import Role
from regie.accounts.services import set_role
from regie.accounts.tests.factories import UserFactory
from regie.core import audit
from regie.core.models import AppendOnlyError, AuditAction, AuditEntry, Organisation
from regie.core.services import ServiceError, create_organisation, record_read, update_organisation
from regie.core.tests.factories import GemeenteFactory

pytestmark = pytest.mark.django_db


def test_create_update_delete_are_recorded_with_before_and_after() -> None:
    user = UserFactory()
    with audit.acting_as(user):
        org = create_organisation(
            name="Vlaardingen", slug="gm0622", kind="gemeente", cbs_code="GM0622"
        )
        update_organisation(organisation=org, name="Gemeente Vlaardingen", is_active=True)
    entries = list(AuditEntry.objects.filter(object_type="core.Organisation").order_by("id"))
    assert [e.action for e in entries] == [AuditAction.CREATE, AuditAction.UPDATE]
    created, updated = entries
    assert created.actor == user
    assert created.before is None
    assert created.after["name"] == "Vlaardingen"
    assert updated.before["name"] == "Vlaardingen"
    assert updated.after["name"] == "Gemeente Vlaardingen"
    assert updated.changes == [("name", "Vlaardingen", "Gemeente Vlaardingen")]
    assert updated.organisation == org


def test_membership_changes_belong_to_the_organisation_and_deletes_are_logged() -> None:
    org = GemeenteFactory()
    user = UserFactory()
    membership = set_role(user=user, organisation=org, role=Role.ADVISEUR)
    set_role(user=user, organisation=org, role=Role.RAADPLEGER)
    membership.refresh_from_db()
    membership.delete()
    actions = list(
        AuditEntry.objects.filter(object_type="accounts.Membership", organisation=org)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE]


def test_password_hash_is_never_written_to_the_log() -> None:
    user = UserFactory()
    user.set_password("Nog-een-ander-wachtwoord-9")
    user.save()
    for entry in AuditEntry.objects.filter(object_type="accounts.User"):
        for snapshot in (entry.before or {}, entry.after or {}):
            assert "pbkdf2" not in str(snapshot.get("password", ""))
            assert "md5" not in str(snapshot.get("password", ""))


def test_last_login_alone_does_not_create_an_entry() -> None:
    user = UserFactory()
    before = AuditEntry.objects.count()
    from django.utils import timezone

    user.last_login = timezone.now()
    user.save()
    assert AuditEntry.objects.count() == before


def test_entries_cannot_be_changed_or_removed() -> None:
    org = GemeenteFactory()
    entry = AuditEntry.objects.filter(organisation=org).first()
    assert entry is not None
    entry.object_repr = "vervalst"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(object_repr="vervalst")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


def test_record_read_of_personal_data_needs_a_purpose() -> None:
    org: Organisation = GemeenteFactory()
    user = UserFactory()
    entry = record_read(
        user=user, organisation=org, subject="Signaal 2024-0031", purpose="triage signalenoverleg"
    )
    assert entry.action == AuditAction.READ
    assert entry.actor == user
    assert entry.purpose == "triage signalenoverleg"
    assert entry.organisation == org
    with pytest.raises(ServiceError):
        record_read(user=user, organisation=org, subject="Signaal 2024-0031", purpose="  ")


def test_every_domain_model_is_audited() -> None:
    from django.apps import apps

    domain_apps = {
        "core",
        "accounts",
        "areas",
        "monitor",
        "policy",
        "programme",
        "reports",
        "privacy",
        "cases",
    }
    audited = set(audit.registered_models()) | set(audit.exempted_models())
    missing = [
        m._meta.label
        for m in apps.get_models()
        if m._meta.app_label in domain_apps and m is not AuditEntry and m not in audited
    ]
    assert missing == []
    assert all(reason.strip() for reason in audit.exempted_models().values())


def test_organisation_rules() -> None:
    with pytest.raises(ServiceError, match="CBS-gebiedscode"):
        create_organisation(name="X", slug="x", kind="gemeente")
    with pytest.raises(ServiceError, match="gereserveerd"):
        create_organisation(name="X", slug="beheer", kind="politie")

"""Retention of signals: the defaults, a gemeente's own rules, legal holds, tombstones, dry runs
and a second run that changes nothing (docs/privacy.md §6)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from regie.cases import retention, services
from regie.cases.models import (
    Attachment,
    Category,
    Outcome,
    RetentionAction,
    RetentionRule,
    RetentionStart,
    Signal,
    SignalEvent,
    SignalShare,
    Status,
    Subject,
    SubjectKey,
)
from regie.cases.tests import factories
from regie.core.models import Organisation
from regie.privacy import services as privacy
from regie.privacy.models import RetentionRun, Tombstone

pytestmark = pytest.mark.django_db

RECEIVED = timezone.make_aware(dt.datetime(2024, 1, 10, 12, 0))
CLOSED = timezone.make_aware(dt.datetime(2024, 2, 1, 9, 0))
#: 13 months after receipt and after closure; 6 years after closure.
AFTER_13_MONTHS = dt.date(2025, 3, 1)
AFTER_6_YEARS = dt.date(2030, 3, 1)


def _signal(
    organisation: Organisation,
    outcome: str | None = Outcome.HANDLED,
    *,
    category_name: str = "Woonoverlast",
    reporter: bool = True,
    received: dt.datetime = RECEIVED,
    closed: dt.datetime = CLOSED,
) -> Signal:
    signal = factories.make_signal(
        organisation,
        category_name=category_name,
        received_at=received,
        reporter_name="Piet Verzonnen" if reporter else "",
        reporter_phone="0612345678" if reporter else "",
        reporter_email="piet@example.invalid" if reporter else "",
    )
    Attachment.objects.create(
        signal=signal, name="foto.jpg", content_type="image/jpeg", size=3, content=b"abc"
    )
    if outcome is not None:
        services.change_status(
            signal,
            status=Status.CLOSED,
            outcome=outcome,
            reason="Verzonnen reden",
            by=None,
            label="test",
        )
        Signal.objects.filter(pk=signal.pk).update(closed_at=closed)
    return Signal.objects.get(pk=signal.pk)


def _run(today: dt.date, *, dry_run: bool = False) -> RetentionRun:
    return privacy.run_retention(today=today, dry_run=dry_run, label="test")


def test_the_handler_is_registered() -> None:
    assert privacy._retention["cases"] is retention.handler


def test_not_taken_up_is_destroyed_after_a_year_with_a_tombstone(
    maassluis: Organisation, alblasserdam: Organisation
) -> None:
    gone = _signal(maassluis, Outcome.NOT_TAKEN_UP)
    kept = _signal(maassluis, Outcome.HANDLED)
    services.share(gone, organisation=alblasserdam, by=None, label="test")
    assert SignalShare.objects.filter(signal=gone).exists()
    assert Subject.objects.filter(signal=gone).exists()
    assert SubjectKey.objects.filter(signal=gone).exists()

    run = _run(AFTER_13_MONTHS)

    assert run.counts["cases.destroyed"] == 1
    assert run.counts["cases.anonymised"] == 1
    assert not Signal.objects.filter(pk=gone.pk).exists()
    for model in (Subject, SubjectKey, Attachment, SignalEvent, SignalShare):
        assert not model.objects.filter(signal_id=gone.pk).exists(), model
    stone = Tombstone.objects.get(object_ref=gone.reference, action=retention.DESTROYED)
    assert stone.object_type == "signal"
    assert stone.organisation == maassluis
    assert stone.category == str(gone.category)
    assert stone.outcome == Outcome.NOT_TAKEN_UP
    assert stone.received_on == dt.date(2024, 1, 10)
    assert stone.closed_on == dt.date(2024, 2, 1)
    assert stone.run_id == run.pk
    assert "CCV" in stone.policy
    text = " ".join((stone.category, stone.reason, stone.policy, stone.object_ref))
    for personal in ("Vries", "Jan", "Piet", "0612345678", "example.invalid", "Verzonnen"):
        assert personal not in text
    # The handled signal stays, without its reporter's contact details.
    kept.refresh_from_db()
    assert kept.reporter_name == kept.reporter_phone == kept.reporter_email == ""
    assert kept.reporter_anonymised_at is not None
    assert kept.description == "Verzonnen omschrijving van overlast"
    assert Subject.objects.filter(signal=kept).exists()
    assert Tombstone.objects.filter(object_ref=kept.reference, action=retention.ANONYMISED).exists()


def test_a_second_run_with_the_same_date_changes_nothing(maassluis: Organisation) -> None:
    _signal(maassluis, Outcome.NOT_TAKEN_UP)
    _signal(maassluis, Outcome.CASE)
    _run(AFTER_13_MONTHS)
    signals, stones = Signal.objects.count(), Tombstone.objects.count()

    again = _run(AFTER_13_MONTHS)

    assert again.counts == {"cases.destroyed": 0, "cases.anonymised": 0, "cases.held": 0}
    assert (Signal.objects.count(), Tombstone.objects.count()) == (signals, stones)


def test_before_the_term_nothing_happens(maassluis: Organisation) -> None:
    _signal(maassluis, Outcome.NOT_TAKEN_UP)
    _signal(maassluis, Outcome.HANDLED)
    run = _run(dt.date(2025, 1, 9))
    assert run.counts["cases.destroyed"] == 0
    assert run.counts["cases.anonymised"] == 0
    # The term ends on the day: received 10-01-2024, 12 months → due on 10-01-2025.
    assert _run(dt.date(2025, 1, 10)).counts["cases.destroyed"] == 1


def test_closed_signals_are_destroyed_after_five_years(maassluis: Organisation) -> None:
    signal = _signal(maassluis, Outcome.REFERRED)
    assert _run(dt.date(2029, 1, 31)).counts["cases.destroyed"] == 0
    assert Signal.objects.filter(pk=signal.pk).exists()
    run = _run(AFTER_6_YEARS)
    assert run.counts["cases.destroyed"] == 1
    assert not Signal.objects.filter(pk=signal.pk).exists()
    stone = Tombstone.objects.get(object_ref=signal.reference, action=retention.DESTROYED)
    assert "Selectielijst" in stone.policy


def test_the_closed_term_is_configurable(maassluis: Organisation, settings: Any) -> None:
    settings.REGIE_RETENTION_CLOSED_YEARS = 2
    _signal(maassluis, Outcome.REFERRED)
    assert _run(dt.date(2026, 2, 1)).counts["cases.destroyed"] == 1


def test_open_signals_are_never_destroyed(maassluis: Organisation) -> None:
    received = _signal(maassluis, None)
    in_progress = _signal(maassluis, None)
    services.change_status(in_progress, status=Status.IN_PROGRESS, by=None, label="test")
    run = _run(dt.date(2040, 1, 1))
    assert run.counts["cases.destroyed"] == 0
    assert run.counts["cases.anonymised"] == 0
    assert Signal.objects.filter(pk__in=[received.pk, in_progress.pk]).count() == 2
    received.refresh_from_db()
    assert received.reporter_name == "Piet Verzonnen"


def test_a_legal_hold_stops_retention(maassluis: Organisation) -> None:
    signal = _signal(maassluis, Outcome.NOT_TAKEN_UP)
    other = _signal(maassluis, Outcome.HANDLED)
    for item in (signal, other):
        services.set_legal_hold(item, on=True, reason="Rechtszaak", by=None, label="test")

    run = _run(AFTER_6_YEARS)

    assert run.counts == {"cases.destroyed": 0, "cases.anonymised": 0, "cases.held": 2}
    other.refresh_from_db()
    assert other.reporter_name == "Piet Verzonnen"
    assert Signal.objects.filter(pk=signal.pk).exists()
    assert not Tombstone.objects.exists()


def test_dry_run_changes_nothing(maassluis: Organisation) -> None:
    gone = _signal(maassluis, Outcome.NOT_TAKEN_UP)
    kept = _signal(maassluis, Outcome.HANDLED)

    run = _run(AFTER_13_MONTHS, dry_run=True)

    assert run.counts == {"cases.destroyed": 1, "cases.anonymised": 1, "cases.held": 0}
    assert Signal.objects.filter(pk=gone.pk).exists()
    kept.refresh_from_db()
    assert kept.reporter_name == "Piet Verzonnen"
    assert kept.reporter_anonymised_at is None
    assert not Tombstone.objects.exists()
    assert getattr(run, retention.BY_ORGANISATION)["Maassluis"]["destroyed"] == 1


def test_an_anonymous_signal_needs_no_anonymising(maassluis: Organisation) -> None:
    _signal(maassluis, Outcome.HANDLED, reporter=False)
    assert _run(AFTER_13_MONTHS).counts["cases.anonymised"] == 0
    assert not Tombstone.objects.exists()


def _ondermijning(organisation: Organisation) -> Category:
    services.ensure_categories(organisation)
    return Category.objects.get(organisation=organisation, name="Ondermijning", parent=None)


def test_a_gemeente_rule_for_a_main_category_covers_its_subcategories(
    maassluis: Organisation,
) -> None:
    RetentionRule.objects.create(
        organisation=maassluis,
        category=_ondermijning(maassluis),
        action=RetentionAction.DESTROY,
        months=24,
        starts=RetentionStart.RECEIVED,
        source="Convenant RIEC",
    )
    drugs = _signal(maassluis, Outcome.NOT_TAKEN_UP, category_name="Drugs en hennep")
    overlast = _signal(maassluis, Outcome.NOT_TAKEN_UP)

    run = _run(AFTER_13_MONTHS)

    assert run.counts["cases.destroyed"] == 1
    assert Signal.objects.filter(pk=drugs.pk).exists()
    assert not Signal.objects.filter(pk=overlast.pk).exists()
    run = _run(dt.date(2026, 1, 10))
    assert not Signal.objects.filter(pk=drugs.pk).exists()
    stone = Tombstone.objects.get(object_ref=drugs.reference, action=retention.DESTROYED)
    assert "Convenant RIEC" in stone.policy
    assert stone.run_id == run.pk


def test_the_most_specific_rule_wins(maassluis: Organisation) -> None:
    main = _ondermijning(maassluis)
    common = {"organisation": maassluis, "action": RetentionAction.DESTROY, "source": "x"}
    RetentionRule.objects.create(category=main, months=36, starts="afgehandeld", **common)
    RetentionRule.objects.create(
        category=main, outcome=Outcome.NOT_TAKEN_UP, months=6, starts="ontvangen", **common
    )
    RetentionRule.objects.create(outcome=Outcome.CASE, months=1, starts="afgehandeld", **common)
    found = retention.policy(maassluis)
    drugs = Category.objects.get(organisation=maassluis, name="Drugs en hennep")
    woon = Category.objects.get(organisation=maassluis, name="Woonoverlast")
    destroy = RetentionAction.DESTROY

    assert found.rule(destroy, drugs.pk, Outcome.NOT_TAKEN_UP).months == 6  # type: ignore[union-attr]
    assert found.rule(destroy, drugs.pk, Outcome.CASE).months == 36  # type: ignore[union-attr]
    assert found.rule(destroy, woon.pk, Outcome.CASE).months == 1  # type: ignore[union-attr]
    default = found.rule(destroy, woon.pk, Outcome.NOT_TAKEN_UP)
    assert default is not None
    assert default.is_default
    assert default.months == 12
    anonymise = found.rule(RetentionAction.ANONYMISE_REPORTER, drugs.pk, Outcome.CASE)
    assert anonymise is not None
    assert anonymise.is_default


def test_rules_for_lists_the_defaults_with_their_source(maassluis: Organisation) -> None:
    RetentionRule.objects.create(
        organisation=maassluis,
        action=RetentionAction.ANONYMISE_REPORTER,
        months=3,
        starts=RetentionStart.CLOSED,
        source="Eigen beleid",
    )
    rules = retention.rules_for(maassluis)
    defaults = [r for r in rules if r.is_default]
    assert len(defaults) == 3
    assert all(r.source and r.term and r.policy for r in rules)
    own = [r for r in rules if not r.is_default]
    assert [(r.action, r.months, r.source) for r in own] == [
        (RetentionAction.ANONYMISE_REPORTER, 3, "Eigen beleid")
    ]


def test_each_gemeente_has_its_own_rules(
    maassluis: Organisation, alblasserdam: Organisation
) -> None:
    RetentionRule.objects.create(
        organisation=alblasserdam,
        action=RetentionAction.DESTROY,
        outcome=Outcome.NOT_TAKEN_UP,
        months=60,
        starts=RetentionStart.RECEIVED,
        source="Eigen beleid",
    )
    here = _signal(maassluis, Outcome.NOT_TAKEN_UP)
    there = _signal(alblasserdam, Outcome.NOT_TAKEN_UP)
    run = _run(AFTER_13_MONTHS)
    assert not Signal.objects.filter(pk=here.pk).exists()
    assert Signal.objects.filter(pk=there.pk).exists()
    per_org = getattr(run, retention.BY_ORGANISATION)
    assert per_org["Maassluis"]["destroyed"] == 1
    assert per_org["Alblasserdam"]["destroyed"] == 0


def test_due_works_in_batches(maassluis: Organisation, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retention, "BATCH_SIZE", 2)
    for _ in range(5):
        _signal(maassluis, Outcome.NOT_TAKEN_UP, reporter=False)
    to_destroy, to_anonymise = retention.due(maassluis, AFTER_13_MONTHS)
    assert to_destroy.count() == 5
    assert to_anonymise.count() == 0
    assert _run(AFTER_13_MONTHS).counts["cases.destroyed"] == 5
    assert not Signal.objects.exists()


def test_months_before_keeps_to_the_month() -> None:
    assert retention.months_before(dt.date(2025, 3, 31), 1) == dt.date(2025, 2, 28)
    assert retention.months_before(dt.date(2025, 1, 15), 12) == dt.date(2024, 1, 15)
    assert retention.months_before(dt.date(2025, 1, 15), 13) == dt.date(2023, 12, 15)
    assert retention.months_before(dt.date(2024, 12, 31), 60) == dt.date(2019, 12, 31)

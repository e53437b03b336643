"""``regie retention run [--today DATE] [--dry-run]``."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django.utils.translation import gettext

from regie.cases import (
    retention,  # noqa: F401 - registers the cases handler (apps.ready too)
    services,
)
from regie.cases.models import Outcome, Signal, Status
from regie.cases.tests import factories
from regie.core.models import AuditEntry, Organisation
from regie.privacy.management.commands.retention import parse_day
from regie.privacy.models import RetentionRun, Tombstone

pytestmark = pytest.mark.django_db

RECEIVED = timezone.make_aware(dt.datetime(2024, 1, 10, 12, 0))


def _closed(organisation: Organisation, outcome: str) -> Signal:
    signal = factories.make_signal(
        organisation, received_at=RECEIVED, reporter_name="Piet Verzonnen"
    )
    services.change_status(
        signal, status=Status.CLOSED, outcome=outcome, reason="Reden", by=None, label="test"
    )
    Signal.objects.filter(pk=signal.pk).update(closed_at=RECEIVED + dt.timedelta(days=20))
    return signal


def _call(*args: str) -> str:
    out = io.StringIO()
    call_command("retention", "run", *args, stdout=out)
    return out.getvalue()


def test_run_destroys_and_reports_per_gemeente(
    maassluis: Organisation, alblasserdam: Organisation
) -> None:
    gone = _closed(maassluis, Outcome.NOT_TAKEN_UP)
    _closed(alblasserdam, Outcome.HANDLED)

    out = _call("--today", "01-03-2025")

    run = RetentionRun.objects.get()
    assert run.today == dt.date(2025, 3, 1)
    assert not run.dry_run
    assert run.actor_label == "regie retention"
    assert run.finished_at is not None
    assert str(run.pk) in out
    assert "Maassluis" in out
    assert "Alblasserdam" in out
    assert "01-03-2025" in out
    assert not Signal.objects.filter(pk=gone.pk).exists()
    assert Tombstone.objects.filter(run=run).count() == 2
    event = AuditEntry.objects.filter(object_type="event", actor_label="regie retention").get()
    assert str(run.pk) in event.object_repr
    assert "Piet" not in event.object_repr


def test_dry_run_says_nothing_changed(maassluis: Organisation) -> None:
    signal = _closed(maassluis, Outcome.NOT_TAKEN_UP)

    out = _call("--today", "2025-03-01", "--dry-run")

    assert RetentionRun.objects.get().dry_run
    assert Signal.objects.filter(pk=signal.pk).exists()
    assert not Tombstone.objects.exists()
    assert "Maassluis" in out
    assert out.strip().splitlines()[-1] == gettext("Dry run: nothing was changed.")


def test_a_second_run_changes_nothing(maassluis: Organisation) -> None:
    _closed(maassluis, Outcome.NOT_TAKEN_UP)
    _closed(maassluis, Outcome.CASE)
    _call("--today", "2025-03-01")
    stones = Tombstone.objects.count()
    _call("--today", "2025-03-01")
    second = RetentionRun.objects.order_by("-pk").first()
    assert second is not None
    assert second.counts == {"cases.destroyed": 0, "cases.anonymised": 0, "cases.held": 0}
    assert Tombstone.objects.count() == stones


def test_without_today_it_runs_as_of_today(maassluis: Organisation) -> None:
    _call()
    assert RetentionRun.objects.get().today == timezone.localdate()


@pytest.mark.parametrize("text", ["2025-3-1x", "32-01-2025", "morgen", "2025-02-30"])
def test_a_bad_day_is_refused(text: str) -> None:
    with pytest.raises(CommandError):
        _call("--today", text)
    assert not RetentionRun.objects.exists()


def test_parse_day_takes_iso_and_dutch() -> None:
    assert parse_day("2025-03-01") == dt.date(2025, 3, 1)
    assert parse_day("1-3-2025") == dt.date(2025, 3, 1)
    assert parse_day(" 01-03-2025 ") == dt.date(2025, 3, 1)

"""``regie report build|list``: clear refusals, nothing half-made, a sent report kept."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from regie.core.concurrency import edit_token
from regie.core.models import Organisation
from regie.programme.tests.test_programme_file import build_programme, make_plan
from regie.reports import services
from regie.reports.models import Report, ReportFile

pytestmark = pytest.mark.django_db


@pytest.fixture
def gemeente(alblasserdam: Organisation) -> Organisation:
    build_programme(make_plan(alblasserdam))
    return alblasserdam


def _build(*args: str) -> None:
    call_command("report", "build", *args)


def test_wrong_input_is_refused_and_stores_nothing(gemeente: Organisation, tmp_path: Path) -> None:
    out = str(tmp_path / "x.xlsx")
    for args, message in (
        (("GM9999", "--kind", "evaluatie", "--period", "2024"), "GM9999"),
        (("GM0482", "--kind", "evaluatie", "--period", "2024H1"), "2024H1"),
        (("GM0482", "--kind", "raadsinformatiebrief", "--period", "2024"), "2024"),
        (("GM0482", "--kind", "briefing", "--period", "oktober"), "OKTOBER"),
    ):
        with pytest.raises(CommandError, match=message):
            _build(*args, "--format", "xlsx", "--out", out)
    assert not Report.objects.exists()
    assert not Path(out).exists()


def test_build_locks_once_and_a_sent_report_is_not_refreshed(
    gemeente: Organisation, tmp_path: Path
) -> None:
    out = tmp_path / "evaluatie.xlsx"
    _build(
        "GM0482", "--kind", "evaluatie", "--period", "2024", "--format", "xlsx", "--out", str(out)
    )
    assert out.read_bytes()[:2] == b"PK"
    report = Report.objects.get(organisation=gemeente)
    taken = report.snapshot_taken_at
    _build(
        "gm0482", "--kind", "evaluatie", "--period", "2024", "--format", "xlsx", "--out", str(out)
    )
    report.refresh_from_db()
    assert report.snapshot_taken_at == taken  # built again from the same snapshot
    assert ReportFile.objects.filter(report=report).count() == 2
    services.mark_sent(report, version=edit_token(report), sent_on=dt.date(2025, 1, 31))
    with pytest.raises(CommandError, match="verzonden"):
        _build("GM0482", "--kind", "evaluatie", "--period", "2024", "--refresh", "--out", str(out))


def test_list_names_each_report(gemeente: Organisation, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("report", "list", "GM0482")
    assert "2024" not in capsys.readouterr().out
    services.create_report(organisation=gemeente, kind="briefing", period="2024-10")
    call_command("report", "list", "GM0482")
    assert "2024-10" in capsys.readouterr().out


def test_a_build_is_a_job_and_an_unchanged_report_is_not_built_twice(
    gemeente: Organisation, settings: Any
) -> None:
    from regie.reports.models import BuildState

    settings.REGIE_TASKS_EAGER = False
    report = services.create_report(organisation=gemeente, kind="evaluatie", period="2024")
    with pytest.raises(services.ServiceError):
        services.request_build(report, "xlsx")  # no figures locked yet
    report = services.lock(report, version=edit_token(report))
    queued = services.request_build(report, "xlsx")
    assert queued.state == BuildState.QUEUED  # nothing is built in the request
    assert services.request_build(report, "xlsx").pk == queued.pk  # the same job, not a second
    settings.REGIE_TASKS_EAGER = True
    done = services.request_build(report, "pdf")
    assert done.state == BuildState.DONE
    assert done.file is not None
    again = services.request_build(report, "pdf")
    assert again.file_id == done.file_id  # unchanged since: the same file
    assert ReportFile.objects.filter(report=report, format="pdf").count() == 1
    services.save_texts(report, version=edit_token(report), texts={"inleiding": "Nieuw"})
    assert services.request_build(report, "pdf").file_id != done.file_id

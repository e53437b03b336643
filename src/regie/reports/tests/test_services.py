"""Reports through their services: kinds and periods, the locked snapshot, the frozen sent
report, and effort kept apart from effect in the snapshot."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from regie.accounts.tests.factories import UserFactory
from regie.core.concurrency import StaleEditError, edit_token
from regie.core.errors import ServiceError
from regie.core.models import Organisation
from regie.policy import plan_file
from regie.policy import services as policy_services
from regie.policy.engine import Status
from regie.policy.models import Indicator, Plan, StatusSnapshot
from regie.programme import selectors as programme_selectors
from regie.programme import services as programme_services
from regie.reports import compose, services
from regie.reports.document import Figure, Table
from regie.reports.models import Report, ReportKind
from tests.test_monitor_cli import demo_figures  # noqa: F401 - the module fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(demo_figures: Any) -> Plan:  # noqa: F811 - the fixture imported above
    path = plan_file.DEMO_DIR / "gm0556.yaml"
    return plan_file.import_plan(plan_file.parse(path.read_text(encoding="utf-8")))


@pytest.fixture
def report(plan: Plan) -> Report:
    programme = programme_services.create_programme(plan=plan, period="2024", title="P 2024")
    goals = list(programme_selectors.goals_of(plan))
    programme_services.save_action(
        programme, goals=[goals[0]], title="Buurtpreventie", owner="Team OOV", status="loopt"
    )
    programme_services.save_action(
        programme, goals=[goals[0]], title="Voorlichting", owner="Politie", status="vertraagd"
    )
    return services.create_report(
        organisation=plan.organisation, kind=ReportKind.EVALUATIE, period="2024"
    )


def test_kinds_have_their_own_periods(plan: Plan) -> None:
    organisation = plan.organisation
    for kind, wrong in (
        (ReportKind.EVALUATIE, "2024H1"),
        (ReportKind.RAADSINFORMATIEBRIEF, "2024"),
        (ReportKind.BRIEFING, "2024-13"),
        (ReportKind.BRIEFING, "2024"),
    ):
        with pytest.raises(ServiceError):
            services.create_report(organisation=organisation, kind=kind, period=wrong)
    letter = services.create_report(
        organisation=organisation, kind=ReportKind.RAADSINFORMATIEBRIEF, period="2024h2"
    )
    assert letter.period == "2024H2"
    assert letter.plan == plan
    with pytest.raises(ServiceError, match="al een"):
        services.create_report(
            organisation=organisation, kind=ReportKind.RAADSINFORMATIEBRIEF, period="2024H2"
        )


def test_the_snapshot_holds_the_status_momentopname_and_the_programme(report: Report) -> None:
    assert report.programme is not None
    report = services.lock(report, version=edit_token(report), user=UserFactory())
    snap = report.snapshot
    assert snap is not None
    moment = StatusSnapshot.objects.get(pk=report.status_snapshot_id)
    assert snap["status"] == moment.payload  # what `regie plan status --snapshot` prints
    assert {a["title"] for a in snap["actions"]} == {"Buurtpreventie", "Voorlichting"}
    first = next(g for g in snap["goals"] if g.get("actions"))
    assert first["effort"]["effort"] == "achter"  # one delayed action
    assert first["effect"]["status"] in {s.value for s in Status}
    assert "effort" not in first["effect"]
    assert "status" not in first["effort"]
    # locking again while a concept takes a new momentopname, never overwrites one
    again = services.lock(report, version=edit_token(report))
    assert again.status_snapshot_id != moment.pk
    assert StatusSnapshot.objects.filter(pk=moment.pk).exists()


def test_a_sent_report_keeps_its_numbers_when_figures_change(report: Report) -> None:
    report = services.lock(report, version=edit_token(report))
    before = compose.document(report)
    with pytest.raises(ServiceError):
        services.mark_sent(
            services.create_report(
                organisation=report.organisation, kind=ReportKind.BRIEFING, period="2024-10"
            ),
            version="0",
            sent_on=dt.date(2025, 1, 1),
        )
    report = services.mark_sent(report, version=edit_token(report), sent_on=dt.date(2025, 2, 3))
    # new judgement after sending: an override on every indicator
    for indicator in Indicator.objects.filter(goal__theme__priority__plan=report.plan):
        policy_services.override_status(
            indicator=indicator,
            status=Status.NOT_ACHIEVED,
            reason="later",
            user=None,
            version=policy_services.history_version(indicator),
        )
    fresh = Report.objects.get(pk=report.pk)
    after = compose.document(fresh)
    assert [_rows(b) for b in before.blocks] == [_rows(b) for b in after.blocks]
    with pytest.raises(services.ReportFrozen):
        services.lock(fresh, version=edit_token(fresh))
    with pytest.raises(services.ReportFrozen):
        services.save_texts(fresh, version=edit_token(fresh), texts={"inleiding": "x"})


def _rows(block: Any) -> Any:
    if isinstance(block, Table):
        return block.table.rows
    if isinstance(block, Figure):
        return block.chart.table.rows
    return getattr(block, "text", None)


def test_texts_are_the_kind_s_own_blocks_and_stale_edits_lose(report: Report) -> None:
    seen = edit_token(report)
    services.save_texts(report, version=seen, texts={"inleiding": "Eerste tekst"})
    with pytest.raises(StaleEditError):
        services.save_texts(report, version=seen, texts={"inleiding": "Tweede"})
    with pytest.raises(ServiceError):
        services.save_texts(report, version=edit_token(report), texts={"kern": "x"})
    with pytest.raises(ServiceError):
        services.save_texts(
            report, version=edit_token(report), texts={"inleiding": "x" * (services.MAX_TEXT + 1)}
        )
    report.refresh_from_db()
    assert report.texts["inleiding"] == "Eerste tekst"


def test_effort_and_effect_are_two_columns_of_the_document(report: Report) -> None:
    report = services.lock(report, version=edit_token(report))
    document = compose.document(report)
    table = next(
        b.table
        for b in document.blocks
        if isinstance(b, Table) and b.table.key == "inspanning-en-effect"
    )
    keys = [c.key for c in table.columns]
    assert "effort" in keys
    assert "effect" in keys
    for row in table.rows:
        assert row["effort"] != ""
        assert row["effect"] != ""


def test_budget_rows_are_exact_money(report: Report) -> None:
    programme = report.programme
    assert programme is not None
    action = programme.actions.first()
    assert action is not None
    programme_services.save_action(
        programme,
        action=action,
        version=edit_token(action),
        budget=Decimal("1234.56"),
        spent=Decimal("0.10"),
    )
    report = services.lock(report, version=edit_token(report))
    assert report.snapshot is not None
    row = report.snapshot["budget"][0]
    assert (row["planned"], row["spent"]) == ("1234.56", "0.10")


def test_a_report_of_another_gemeente_sees_no_plan(plan: Plan, report: Report) -> None:
    """Maassluis has a plan and a programme 2024; Alblasserdam's report finds neither."""
    other = services.create_report(
        organisation=Organisation.objects.get(slug="gm0482"),
        kind=ReportKind.EVALUATIE,
        period="2024",
    )
    assert report.plan == plan
    assert report.programme is not None
    assert other.plan is None
    assert other.programme is None
    other = services.lock(other, version=edit_token(other))
    assert other.snapshot is not None
    assert "indicators" not in other.snapshot
    assert "actions" not in other.snapshot

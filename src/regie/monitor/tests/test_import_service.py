"""The one import service: atomic, idempotent, revisions, and the pitfalls of DOMAIN.md §4."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regie.areas.models import Area, AreaLevel
from regie.core.models import AuditEntry
from regie.core.services import ServiceError
from regie.monitor import selectors, services
from regie.monitor.models import BatchState, ImportBatch, Observation, Revision
from regie.monitor.sources.base import FormatError, RowError, Status
from regie.monitor.tests.factories import dataset, load

pytestmark = pytest.mark.django_db


def test_new_values_are_stored_with_status_and_vintage(areas) -> None:
    report = load(("GM0556", "cbs:T001161", "2022", 1245.0, Status.VOORLOPIG), table="83648NED")
    assert report.state == BatchState.DONE
    assert (report.rows_read, report.stored, report.rejected) == (1, 1, 0)
    obs = Observation.objects.get()
    assert (obs.value, obs.status, obs.period_kind) == (1245.0, "voorlopig", "year")
    assert obs.batch.dataset.table == "83648NED"
    assert AuditEntry.objects.filter(action="import").exists()


def test_one_bad_row_rejects_the_whole_file_and_names_row_column_value(areas) -> None:
    report = load(
        ("GM0556", "politie:1.1.1", "2022", 10.0),
        ("GM9999", "politie:1.1.1", "2022", 3.0),
        ("GM0556", "politie:9.9.9", "2022", 3.0),
        ("GM0556", "politie:1.1.2", "2022Q7", 3.0),
    )
    assert report.state == BatchState.REJECTED
    assert Observation.objects.count() == 0
    assert [(e.line, e.column, e.value) for e in report.errors] == [
        (2, "gebied", "GM9999"),
        (3, "maatstaf", "politie:9.9.9"),
        (4, "periode", "2022Q7"),
    ]
    assert report.rejected == 3
    assert ImportBatch.objects.get().state == BatchState.REJECTED


def test_adapter_errors_reject_too(areas) -> None:
    services.load_catalogue()
    report = services.import_rows(
        [RowError(7, "Waarde", "abc", "not a number")],
        dataset=dataset(),
        lookup=services.CatalogueLookup(None),
        fmt="test",
        filename="x.csv",
    )
    assert report.state == BatchState.REJECTED
    assert report.errors[0].line == 7


def test_repeated_row_in_file_is_rejected(areas) -> None:
    report = load(
        ("GM0556", "politie:1.1.1", "2022", 10.0), ("GM0556", "politie:1.1.1", "2022", 11.0)
    )
    assert report.state == BatchState.REJECTED
    assert report.errors[0].line == 2
    assert "1" in report.errors[0].message
    assert Observation.objects.count() == 0


def test_repeated_row_across_chunks_is_rejected(areas, monkeypatch) -> None:
    monkeypatch.setattr(services.rows, "CHUNK", 2)
    report = load(
        ("GM0556", "politie:1.1.1", "2022", 10.0),
        ("GM0556", "politie:1.1.2", "2022", 10.0),
        ("GM0556", "politie:1.1.1", "2022", 11.0),
    )
    assert report.state == BatchState.REJECTED
    assert report.errors[0].line == 3
    assert Observation.objects.count() == 0


def test_reimport_is_idempotent(areas) -> None:
    values = [("GM0556", "politie:1.1.1", "2022", 10.0), ("NL01", "politie:1.1.1", "2022", 9.0)]
    load(*values)
    again = load(*values)
    assert (again.stored, again.unchanged, again.revised) == (0, 2, 0)
    assert Observation.objects.count() == 2
    assert Revision.objects.count() == 0


def test_newer_vintage_revises_and_keeps_a_revision_log(areas, monkeypatch) -> None:
    monkeypatch.setattr(services.rows, "CHUNK", 1)
    first = load(("GM0556", "politie:1.1.1", "2023", 50.0, Status.VOORLOPIG))
    second = load(
        ("GM0556", "politie:1.1.1", "2023", 52.0, Status.DEFINITIEF),
        ("GM0556", "politie:1.1.2", "2023", 5.0, Status.DEFINITIEF),
    )
    assert (second.stored, second.unchanged, second.revised) == (1, 0, 1)
    obs = Observation.objects.get(measure__code="politie:1.1.1")
    assert (obs.value, obs.status, obs.batch_id) == (52.0, "definitief", second.batch_id)
    rev = Revision.objects.get()
    assert (rev.old_value, rev.new_value, rev.old_status, rev.new_status) == (
        50.0,
        52.0,
        "voorlopig",
        "definitief",
    )
    assert (rev.previous_batch_id, rev.batch_id) == (first.batch_id, second.batch_id)


def test_revisions_are_append_only(areas) -> None:
    load(("GM0556", "politie:1.1.1", "2023", 50.0))
    load(("GM0556", "politie:1.1.1", "2023", 51.0))
    rev = Revision.objects.get()
    with pytest.raises(Exception, match="cannot"):
        rev.save()
    with pytest.raises(Exception, match="cannot"):
        Revision.objects.all().delete()


def test_not_published_is_null_never_zero(areas) -> None:
    load(("GM0556", "politie:1.4.1", "2022", None))
    obs = Observation.objects.get()
    assert obs.value is None
    fig = selectors.figure("GM0556", "politie:1.4.1", "2022")
    assert fig.value is None
    assert fig.as_dict()["value"] is None
    # …and a later publication of a number is a revision, not a new row.
    report = load(("GM0556", "politie:1.4.1", "2022", 0.0))
    assert report.revised == 1
    assert Observation.objects.get().value == 0.0


def test_dry_run_reports_but_stores_nothing(areas) -> None:
    report = load(("GM0556", "politie:1.1.1", "2022", 10.0), dry_run=True)
    assert report.state == BatchState.DRY_RUN
    assert report.stored == 1
    assert Observation.objects.count() == 0


def test_derived_measure_is_computed_on_read_with_its_definition(areas) -> None:
    load(
        ("NL01", "politie:1.1.1", "2018", 42887.0),
        ("NL01", "politie:1.4.6", "2018", 3534.0),
        ("NL01", "politie:1.4.7", "2018", 1148.0, Status.VOORLOPIG),
    )
    fig = selectors.figure("NL01", "derived:hic-kern", "2018")
    assert fig.value == 42887 + 3534 + 1148
    assert fig.definition == "politie:1.1.1 + politie:1.4.6 + politie:1.4.7"
    assert fig.status == "voorlopig"  # the worst status of its parts
    assert [c.measure for c in fig.components] == [
        "politie:1.1.1",
        "politie:1.4.6",
        "politie:1.4.7",
    ]
    assert not Observation.objects.filter(measure__code__startswith="derived:").exists()


def test_derived_measure_needs_every_part(areas) -> None:
    load(("NL01", "politie:1.1.1", "2018", 42887.0))
    with pytest.raises(selectors.FigureNotFound, match=r"1\.4\.6"):
        selectors.figure("NL01", "derived:hic-kern", "2018")


def test_derived_measures_cannot_be_imported(areas) -> None:
    report = load(("NL01", "derived:hic-kern", "2018", 1.0))
    assert report.state == BatchState.REJECTED
    assert report.errors[0].column == "maatstaf"


def test_a_sum_refuses_a_total_with_its_own_parts(areas) -> None:
    services.load_catalogue()
    with pytest.raises(ServiceError, match=r"twice|dubbel"):
        services.define_derived_measure(
            key="dubbel", name="x", components=["politie:0.0.0", "politie:1.1.1"]
        )
    with pytest.raises(ServiceError):
        services.define_derived_measure(
            key="dubbel", name="x", components=["cbs:CRI1000", "cbs:CRI1110"]
        )
    measure = services.define_derived_measure(
        key="inbraak", name="Inbraak", components=["politie:1.1.1", "politie:1.1.2"]
    )
    assert measure.code == "derived:inbraak"


def test_rollups_are_flagged_in_the_catalogue(db) -> None:
    services.load_catalogue()
    from regie.monitor.models import Measure

    assert Measure.objects.get(code="politie:0.0.0").is_rollup
    assert Measure.objects.get(code="cbs:T001161").is_rollup
    assert Measure.objects.get(code="cbs:CRI1100").is_rollup
    assert not Measure.objects.get(code="cbs:CRI1110").is_rollup
    assert Measure.objects.get(code="cbs:CRI1110").parent.code == "cbs:CRI1100"
    assert Measure.objects.filter(source="politie").count() == 59
    # 75 crime types of 83648NED, and the population on 1 January (cbs:bevolking, CONTRACT I3)
    assert Measure.objects.filter(source="cbs").exclude(code="cbs:bevolking").count() == 75
    assert Measure.objects.filter(code="cbs:bevolking").count() <= 1
    assert Measure.objects.filter(source="overlast").count() == 9


def test_monthly_types_need_not_add_up_to_the_total(areas) -> None:
    # Some types are published yearly only: a month's parts may sum to less than its total, and
    # the import must keep both exactly as published.
    report = load(
        ("GM0556", "politie:0.0.0", "2023M01", 100.0),
        ("GM0556", "politie:1.1.1", "2023M01", 4.0),
        ("GM0556", "politie:1.4.1", "2023M01", None),
    )
    assert report.state == BatchState.DONE
    assert selectors.figure("GM0556", "politie:0.0.0", "2023M01").value == 100


def test_own_figures_are_private_to_their_gemeente(areas, maassluis, alblasserdam) -> None:
    Area.objects.create(code="GM0482", name="Alblasserdam", level=AreaLevel.GEMEENTE, source="t")
    load(("GM0482", "local:huisverboden", "2022", 7.0), table="lokaal", organisation=alblasserdam)
    assert (
        selectors.figure("GM0482", "local:huisverboden", "2022", organisation=alblasserdam).value
        == 7
    )
    for org in (maassluis, None):
        with pytest.raises(selectors.FigureNotFound):
            selectors.figure("GM0482", "local:huisverboden", "2022", organisation=org)


def test_the_same_cell_may_be_held_by_two_gemeenten(areas, maassluis, alblasserdam) -> None:
    load(("RE07", "local:rapportcijfer_veiligheid_woonbuurt", "2021", 7.1), organisation=maassluis)
    report = load(
        ("RE07", "local:rapportcijfer_veiligheid_woonbuurt", "2021", 7.0),
        organisation=alblasserdam,
    )
    assert report.stored == 1
    code = "local:rapportcijfer_veiligheid_woonbuurt"
    assert selectors.figure("RE07", code, "2021", organisation=maassluis).value == 7.1
    assert selectors.figure("RE07", code, "2021", organisation=alblasserdam).value == 7.0


def test_partial_periods_keep_their_extent(areas) -> None:
    load(
        ("GM0556", "local:huiselijk_geweld_aangiften", "2022H1", 27.0),
        ("GM0556", "local:fixi_meldingen_totaal", "2021-03/2022-03", 1101.0),
    )
    half = Observation.objects.get(period="2022H1")
    assert (half.period_start.isoformat(), half.period_end.isoformat()) == (
        "2022-01-01",
        "2022-06-30",
    )
    window = Observation.objects.get(period="2021-03/2022-03")
    assert window.period_end.isoformat() == "2022-02-28"


def test_the_shipped_template_imports_cleanly(areas, maassluis) -> None:
    from regie.monitor.catalogue import DATA

    services.load_catalogue()
    for name in ("lokale-cijfers-sjabloon.csv", "lokale-cijfers-sjabloon.xlsx"):
        report = services.import_file(
            DATA / "templates" / name, fmt="local", organisation=maassluis, dry_run=True
        )
        assert report.state == BatchState.DRY_RUN, report.errors


def test_a_file_that_breaks_half_way_marks_the_import_failed(areas) -> None:
    from regie.monitor.sources.base import FormatError, Row

    def rows():
        yield Row(1, "GM0556", "politie:1.1.1", "2022", 1.0)
        raise FormatError("damaged")

    services.load_catalogue()
    with pytest.raises(FormatError):
        services.import_rows(
            rows(),
            dataset=dataset(),
            lookup=services.CatalogueLookup(None),
            fmt="test",
            filename="x.csv",
        )
    assert ImportBatch.objects.get().state == BatchState.FAILED
    assert Observation.objects.count() == 0


_CELLS = st.sampled_from(
    [
        "GM0556",
        "GM9999",
        "huisverboden",
        "politie:1.1.1",
        "2022",
        "2022H3",
        "12",
        "1.245",
        "",
        ".",
        "x",
        "7,3",
        "-1",
        "NL01",
        "2023M10",
        '"',
        ";",
        "\n",
    ]
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(cells=st.lists(st.lists(_CELLS, min_size=1, max_size=6), max_size=8))
def test_malformed_files_never_crash_and_never_import_partly(areas, maassluis, cells) -> None:
    services.load_catalogue()
    text = "gebied;maatstaf;periode;waarde\n" + "\n".join(";".join(row) for row in cells)
    before = list(Observation.objects.values_list("id", "value"))
    try:
        report = services.import_file(
            text.encode(), fmt="local", organisation=maassluis, filename="x.csv"
        )
    except FormatError:
        assert list(Observation.objects.values_list("id", "value")) == before
        return
    after = list(Observation.objects.values_list("id", "value"))
    if report.state == BatchState.DONE:
        assert report.rejected == 0
        assert len(after) == len(before) + report.stored
    else:
        assert after == before
        assert report.errors or report.rows_read == 0


def test_checks_are_not_listed_as_imports(areas) -> None:
    done = load(("GM0556", "politie:1.1.1", "2022", 10.0))
    load(("GM9999", "politie:1.1.1", "2022", 10.0), dry_run=True)  # a rejected check
    assert ImportBatch.objects.filter(dry_run=True).count() == 1
    (row,) = selectors.datasets_overview(None)
    assert row["latest"].pk == done.batch_id
    assert row["dataset"].rows == 1


def test_catalogue_labels_win_over_a_matching_key() -> None:
    """MiK's "Woninginbraak" is the incident-feed measure, not local:woninginbraak's key."""
    services.load_catalogue()
    lookup = services.CatalogueLookup(None)
    assert lookup.measure_by_label("incidents", "Woninginbraak") == "local:mik_woninginbraak"
    # A gemeente writing the key in its own template still means its own measure.
    assert lookup.measure_by_label("local", "woninginbraak") == "local:woninginbraak"
    assert lookup.measure_by_label("local", "Woninginbraken (politie-opgave)") == (
        "local:woninginbraak"
    )

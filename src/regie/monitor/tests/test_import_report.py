"""The import report a beleidsmedewerker reads: skipped rows, rows and values, problems by kind,
no false revisions, area names and former gemeenten (issue 14)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from regie.areas.models import Area, AreaLevel
from regie.monitor import bulk, services
from regie.monitor.models import BatchState, ImportBatch, Observation, Revision
from regie.monitor.sources.base import (
    AmbiguousName,
    Row,
    RowError,
    Skip,
    SkipReason,
    Status,
)
from regie.monitor.tests.factories import dataset, load

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(areas: Any) -> None:
    services.load_catalogue()


def run(items: list[Row | RowError | Skip], **kwargs: Any) -> services.ImportReport:
    services.load_catalogue()
    return services.import_rows(
        items,
        dataset=dataset(),
        lookup=services.CatalogueLookup(None),
        fmt="test",
        filename="x.csv",
        **kwargs,
    )


def wide_row(line: int, area: str = "GM0556", value: float | None = 1.0) -> list[Row]:
    """One file row holding seven values (a StatLine table with seven columns)."""
    return [
        Row(line, area, f"politie:{code}", "2022", value, Status.DEFINITIEF)
        for code in ("0.0.0", "1.1.1", "1.1.2", "1.2.1", "1.2.2", "1.2.3", "1.4.1")
    ]


# --- 1. Skipped rows ------------------------------------------------------------------------------


def test_skipped_rows_are_counted_per_reason_and_never_an_error(areas: Any) -> None:
    report = run(
        [
            Row(2, "GM0556", "politie:1.1.1", "2022", 10.0, Status.DEFINITIEF),
            Skip(3, SkipReason.PSEUDO_REGION, "Regio's", "Buitenland"),
            Skip(4, SkipReason.PSEUDO_REGION, "Regio's", "Niet in te delen"),
            Skip(5, SkipReason.EMPTY, "", ""),
            # A pseudo-region that reaches the service as a Row is skipped too (once per row).
            *wide_row(6, area="GM0999"),
        ]
    )
    assert report.state == BatchState.DONE, report.errors
    assert (report.rows_read, report.values, report.stored, report.rejected) == (5, 1, 1, 0)
    assert report.errors == []
    assert report.skipped == {"pseudo_region": 3, "empty": 1, "ceased": 0}
    text = report.skipped_text()
    assert "Buitenland" in text
    assert "Niet in te delen" in text
    assert "GM0999" in text
    assert "4" in text
    assert text in report.notes
    data = report.as_dict()
    assert data["skipped"] == {"pseudo_region": 3, "empty": 1, "ceased": 0}
    assert data["skipped_text"] == text
    batch = ImportBatch.objects.get()
    assert text in batch.notes
    assert batch.rows_read == 5


def test_a_pseudo_region_held_as_an_area_is_still_skipped(areas: Any) -> None:
    Area.objects.create(code="RE99", name="Niet in te delen", level="politie_eenheid", source="t")
    report = run(
        [
            Row(2, "GM0556", "politie:1.1.1", "2022", 10.0),
            Row(3, "RE99", "politie:1.1.1", "2022", 5.0),
        ]
    )
    assert report.state == BatchState.DONE
    assert report.skipped["pseudo_region"] == 1
    assert Observation.objects.filter(area__code="RE99").count() == 0


def test_a_file_with_only_skipped_rows_holds_no_figures(areas: Any) -> None:
    report = run(
        [
            Skip(2, SkipReason.PSEUDO_REGION, "Regio's", "Buitenland"),
            Row(3, "GM0998", "politie:1.1.1", "2022", 5.0),
            Skip(4, SkipReason.EMPTY),
        ]
    )
    assert report.state == BatchState.REJECTED
    assert report.rejected == 0
    assert report.errors == []
    assert (report.rows_read, report.values) == (3, 0)
    assert report.skipped == {"pseudo_region": 2, "empty": 1, "ceased": 0}
    assert report.notes[-1] == services._("The file holds no figures.")
    assert Observation.objects.count() == 0


def test_the_bulk_path_skips_pseudo_regions_too(catalogue: None) -> None:
    header = "ID;SoortMisdrijf;RegioS;Perioden;GeregistreerdeMisdrijven_1\n"
    lines = [
        '0;"1.1.1 ";"GM0556    ";"2022JJ00";10',
        '1;"1.1.1 ";"GM0999    ";"2022JJ00";3',
        '2;"1.1.1 ";"RE99      ";"2022JJ00";4',
        '3;"1.1.1 ";"NL01      ";"2022JJ00";12',
    ]
    data = (header + "\n".join(lines) + "\n").encode()
    taken: list[int] = []
    store = bulk.store

    def spy(prepared: bulk.Prepared, writer: Any) -> None:
        taken.append(prepared.count)
        store(prepared, writer)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bulk, "store", spy)
        report = services.import_file(data, fmt="odata-csv", table="47013NED")
    assert taken == [2]  # the fast path, without the two pseudo-regions
    assert report.state == BatchState.DONE, report.errors
    assert (report.rows_read, report.values, report.stored) == (4, 2, 2)
    assert report.skipped["pseudo_region"] == 2
    assert "GM0999" in report.skipped_text()


# --- 2. Rows, values and problems by kind ---------------------------------------------------------


def test_a_wide_row_is_one_row_read_with_its_values(areas: Any) -> None:
    report = run([*wide_row(2), *wide_row(3, area="NL01")])
    assert report.state == BatchState.DONE, report.errors
    assert (report.rows_read, report.values, report.stored) == (2, 14, 14)
    assert ImportBatch.objects.get().rows_read == 2
    data = report.as_dict()
    assert (data["rows_read"], data["values"]) == (2, 14)


def test_rejected_counts_rows_and_the_groups_count_problems(areas: Any) -> None:
    report = run(
        [
            Row(2, "GM0556", "politie:9.9.8", "2022", 1.0),
            Row(2, "GM0556", "politie:9.9.9", "2022", 1.0),
            Row(3, "GM0556", "politie:1.1.1", "2022", 1.0),
        ]
    )
    assert report.state == BatchState.REJECTED
    assert report.rejected == 1  # one file row …
    (group,) = report.error_groups
    assert group.count == 2  # … with two problems
    assert [e.value for e in group.examples] == ["politie:9.9.8", "politie:9.9.9"]


def test_a_second_kind_of_problem_is_not_hidden_behind_many_of_the_first(areas: Any) -> None:
    many = services.MAX_ERRORS + 100
    items: list[Row | RowError | Skip] = [
        Row(line, "GM9999", "politie:1.1.1", "2022", 1.0) for line in range(2, many + 2)
    ]
    items += [Row(many + 2 + n, "GM0556", "politie:9.9.9", "2022", 1.0) for n in range(3)]
    items.append(RowError(many + 10, "Perioden", "2022XX", "unknown period"))
    report = run(items)
    assert report.state == BatchState.REJECTED
    assert report.rejected == many + 4
    kinds = [(g.kind, g.count, len(g.examples)) for g in report.error_groups]
    assert kinds == [
        (services._("unknown area code"), many, services.EXAMPLES_PER_KIND),
        (services._("unknown measure"), 3, 3),
        (services._("unknown period"), 1, 1),
    ]
    assert report.error_groups[2].examples[0].column == "Perioden"  # the file's own column
    # The flat list (back-compat) stays capped, and holds examples of every kind.
    assert len(report.errors) == services.MAX_ERRORS
    assert {e.value for e in report.errors} >= {"politie:9.9.9", "2022XX"}
    data = report.as_dict()
    assert len(data["errors"]) == services.MAX_ERRORS
    assert [g["count"] for g in data["error_groups"]] == [many, 3, 1]
    assert set(data["error_groups"][0]["examples"][0]) == {"row", "column", "value", "message"}
    # The batch keeps them so that the pages can group them again.
    batch = ImportBatch.objects.get()
    assert len(batch.errors) == services.MAX_ERRORS
    groups = services.error_groups_of(batch.errors)
    assert [(g["kind"], g["count"]) for g in groups] == [(k, n) for k, n, _e in kinds]
    assert [len(g["examples"]) for g in groups] == [services.EXAMPLES_PER_KIND, 3, 1]


def test_kinds_of_problems_are_bounded(areas: Any) -> None:
    kinds = services.MAX_ERROR_KINDS + 20
    report = run([RowError(n + 2, "kolom", "x", f"problem {n}") for n in range(kinds)])
    groups = report.error_groups
    assert len(groups) == services.MAX_ERROR_KINDS + 1
    assert groups[-1].kind == services._(services.OTHER_PROBLEMS)
    assert groups[-1].count == 20
    assert sum(g.count for g in groups) == kinds
    assert len(report.errors) <= services.MAX_ERRORS


def test_repeated_rows_are_one_kind_however_many_rows_they_repeat(areas: Any) -> None:
    report = load(
        ("GM0556", "politie:1.1.1", "2022", 1.0),
        ("GM0556", "politie:1.1.2", "2022", 1.0),
        ("GM0556", "politie:1.1.1", "2022", 1.0),
        ("GM0556", "politie:1.1.2", "2022", 1.0),
    )
    (group,) = report.error_groups
    assert group.count == 2
    assert [e.line for e in group.examples] == [3, 4]
    assert "1" in group.examples[0].message  # names the row it repeats


# --- 3. No false revisions ------------------------------------------------------------------------


def test_an_unknown_status_never_changes_a_known_one(areas: Any) -> None:
    load(("GM0556", "politie:1.1.1", "2022", 50.0, Status.VOORLOPIG))
    check = load(("GM0556", "politie:1.1.1", "2022", 50.0, Status.ONBEKEND), dry_run=True)
    assert (check.unchanged, check.revised) == (1, 0)
    again = load(("GM0556", "politie:1.1.1", "2022", 50.0, Status.ONBEKEND))
    assert (again.stored, again.unchanged, again.revised) == (0, 1, 0)
    assert Revision.objects.count() == 0
    assert Observation.objects.get().status == "voorlopig"
    # A new value from a file without status is a revision; the status held stays.
    newer = load(("GM0556", "politie:1.1.1", "2022", 52.0, Status.ONBEKEND))
    assert newer.revised == 1
    obs = Observation.objects.get()
    assert (obs.value, obs.status) == (52.0, "voorlopig")
    rev = Revision.objects.get()
    assert (rev.old_status, rev.new_status) == ("voorlopig", "voorlopig")


def test_another_known_status_for_the_same_value_is_a_revision(areas: Any) -> None:
    load(("GM0556", "politie:1.1.1", "2022", 50.0, Status.VOORLOPIG))
    report = load(("GM0556", "politie:1.1.1", "2022", 50.0, Status.DEFINITIEF))
    assert (report.unchanged, report.revised) == (0, 1)
    rev = Revision.objects.get()
    assert (rev.old_value, rev.new_value, rev.old_status, rev.new_status) == (
        50.0,
        50.0,
        "voorlopig",
        "definitief",
    )


def test_a_status_learned_for_a_value_held_fills_it_in_without_a_revision(areas: Any) -> None:
    first = load(("GM0556", "politie:1.1.1", "2022", 50.0, Status.ONBEKEND))
    check = load(("GM0556", "politie:1.1.1", "2022", 50.0, Status.DEFINITIEF), dry_run=True)
    assert (check.unchanged, check.revised) == (1, 0)
    report = load(("GM0556", "politie:1.1.1", "2022", 50.0, Status.DEFINITIEF))
    assert (report.unchanged, report.revised) == (1, 0)
    assert Revision.objects.count() == 0
    obs = Observation.objects.get()
    assert (obs.status, obs.batch_id) == ("definitief", first.batch_id)  # its vintage stays


STATLINE_83648 = (
    '\ufeff"Soort misdrijf";"Regio\'s";"Perioden";"Totaal geregistreerde misdrijven (aantal)"\n'
    '"Misdrijven, totaal";"Maassluis";"2021";1180\n'
    '"Misdrijven, totaal";"Maassluis";"2022*";1245\n'
    '"Misdrijven, totaal";"Nederland";"2022*";815525\n'
)
ODATA_CSV_83648 = (
    "ID;SoortMisdrijf;RegioS;Perioden;TotaalGeregistreerdeMisdrijven_1\n"
    '0;"T001161";"GM0556    ";"2021JJ00";1180\n'
    '1;"T001161";"GM0556    ";"2022JJ00";1245\n'
    '2;"T001161";"NL01      ";"2022JJ00";815525\n'
)


@pytest.mark.parametrize("path", ["bulk", "rows"])
def test_the_same_figures_from_a_format_without_status_are_unchanged(areas: Any, path: str) -> None:
    services.load_catalogue()
    first = services.import_file(STATLINE_83648.encode(), fmt="statline-csv", table="83648NED")
    assert first.state == BatchState.DONE, first.errors
    assert first.stored == 3
    statuses = dict(Observation.objects.values_list("period", "status").distinct())
    assert statuses == {"2021": "definitief", "2022": "voorlopig"}
    with pytest.MonkeyPatch.context() as patch:
        if path == "rows":
            patch.setattr(bulk, "prepare", lambda columns, lookup: None)
        again = services.import_file(ODATA_CSV_83648.encode(), fmt="odata-csv", table="83648NED")
    assert again.state == BatchState.DONE, again.errors
    assert (again.stored, again.unchanged, again.revised) == (0, 3, 0)
    assert Revision.objects.count() == 0
    assert dict(Observation.objects.values_list("period", "status").distinct()) == statuses


# --- 4. Area names --------------------------------------------------------------------------------


def test_an_ambiguous_area_name_lists_the_candidates(areas: Any) -> None:
    Area.objects.create(code="PV26", name="Utrecht", level=AreaLevel.PROVINCIE, source="t")
    Area.objects.create(code="GM0344", name="Utrecht", level=AreaLevel.GEMEENTE, source="t")
    lookup = services.CatalogueLookup(None)
    with pytest.raises(AmbiguousName) as ambiguous:
        lookup.area_by_name("Utrecht")
    assert ambiguous.value.candidates == ("GM0344 Utrecht", "PV26 Utrecht")
    message = str(ambiguous.value)
    assert "'Utrecht'" in message
    assert "GM0344 Utrecht (gemeente)" in message
    assert "PV26 Utrecht (provincie)" in message
    assert lookup.area_by_name("Utrecht", level="gemeente") == "GM0344"
    assert lookup.area_by_name("Utrecht (PV)") == "PV26"
    assert lookup.area_by_name("Maassluis", year=2022) == "GM0556"
    assert lookup.area_by_name("Nergenshuizen") is None


# --- 5. Former gemeenten --------------------------------------------------------------------------


@pytest.fixture
def leerdam(areas: Any) -> Area:
    successor = Area.objects.create(
        code="GM1961",
        name="Vijfheerenlanden",
        level=AreaLevel.GEMEENTE,
        source="t",
        valid_from=dt.date(2019, 1, 1),
    )
    former = Area.objects.create(
        code="GM0545",
        name="Leerdam",
        level=AreaLevel.GEMEENTE,
        source="t",
        active=False,
        valid_to=dt.date(2019, 1, 1),
    )
    former.successors.add(successor)
    return former


def test_a_figure_of_a_former_gemeente_is_stored_under_its_own_code(leerdam: Area) -> None:
    report = load(("GM0545", "politie:1.1.1", "2018", 40.0))
    assert report.state == BatchState.DONE, report.errors
    assert Observation.objects.get().area.code == "GM0545"


@pytest.mark.parametrize("path", ["bulk", "rows"])
def test_a_figure_after_the_gemeente_ceased_names_its_successor(leerdam: Area, path: str) -> None:
    services.load_catalogue()
    data = (
        b"ID;SoortMisdrijf;RegioS;Perioden;GeregistreerdeMisdrijven_1\n"
        b'0;"1.1.1 ";"GM0545    ";"2018JJ00";40\n'
        b'1;"1.1.1 ";"GM0545    ";"2020JJ00";41\n'
    )
    with pytest.MonkeyPatch.context() as patch:
        if path == "rows":
            patch.setattr(bulk, "prepare", lambda columns, lookup: None)
        report = services.import_file(data, fmt="odata-csv", table="47013NED")
    assert report.state == BatchState.REJECTED
    (error,) = report.errors  # the 2018 figure is fine
    assert (error.column, error.value) == ("gebied", "GM0545")
    assert "GM1961 Vijfheerenlanden" in error.message
    assert "2020" in error.message
    assert Observation.objects.count() == 0


@pytest.mark.parametrize("path", ["bulk", "rows"])
def test_a_former_gemeente_without_a_figure_after_it_ceased_is_skipped(
    leerdam: Area, path: str
) -> None:
    """StatLine lists a former gemeente for every year, "." after it ceased: counted as
    skipped, never a reason to reject the file."""
    services.load_catalogue()
    data = (
        b"ID;SoortMisdrijf;RegioS;Perioden;GeregistreerdeMisdrijven_1\n"
        b'0;"1.1.1 ";"GM0545    ";"2018JJ00";40\n'
        b'1;"1.1.1 ";"GM0545    ";"2020JJ00";\n'
    )
    with pytest.MonkeyPatch.context() as patch:
        if path == "rows":
            patch.setattr(bulk, "prepare", lambda columns, lookup: None)
        report = services.import_file(data, fmt="odata-csv", table="47013NED")
    assert report.state == BatchState.DONE, [str(e) for e in report.errors]
    assert report.skipped[SkipReason.CEASED] == 1
    assert [(o.period, o.value) for o in Observation.objects.all()] == [("2018", 40.0)]


# --- 2. `regie import --json` always prints the report -----------------------------------------


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any], str]:
    from django.core.management import call_command

    try:
        call_command("import", *args, "--json")
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, json.loads(out), err


@pytest.mark.parametrize(
    ("name", "content", "args"),
    [
        ("missing", None, ["--format", "local"]),
        ("onbekend.bin", b"\x00\x01\x02 geen cijfers", []),
        ("kapot.csv.gz", b"\x1f\x8b\x08\x00" + b"kapot" * 20, ["--format", "local"]),
        ("geen_sjabloon.csv", b"dit is geen sjabloon\n1;2;3\n", ["--format", "local"]),
        (
            "groot.csv",
            b"gebied;maatstaf;periode;waarde\n" + b"GM0556;x;2022;1\n" * 200,
            ["--format", "local"],
        ),
    ],
    ids=["missing-file", "unknown-format", "damaged-gzip", "format-error", "too-large"],
)
def test_import_json_prints_the_report_for_file_level_errors(
    catalogue: None,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    content: bytes | None,
    args: list[str],
) -> None:
    from regie.monitor.sources import local

    monkeypatch.setattr(local, "LOCAL_MAX_BYTES", 1000)
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    code, data, err = cli(capsys, str(path), *args)
    assert code == 1
    assert data["state"] == BatchState.FAILED
    assert data["error"]
    assert data["error"] in err
    assert data["errors"] == []
    assert data["error_groups"] == []
    assert data["skipped"] == {"pseudo_region": 0, "empty": 0, "ceased": 0}
    assert Observation.objects.count() == 0


def test_import_json_prints_the_report_for_an_unknown_organisation(
    catalogue: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "x.csv"
    path.write_text("gebied;maatstaf;periode;waarde\nGM0556;huisverboden;2022;1\n")
    code, data, _err = cli(capsys, str(path), "--format", "local", "--org", "nergens")
    assert code == 1
    assert "nergens" in data["error"]


def test_import_json_of_a_rejected_file_groups_the_errors(
    catalogue: None, maassluis: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "x.csv"
    path.write_text(
        "gebied;maatstaf;periode;waarde\n"
        "GM0556;huisverboden;2022;twaalf\n"
        "GM0556;huisverboden;2023;dertien\n"
        "GM9999;huisverboden;2021;1\n"
    )
    code, data, _err = cli(capsys, str(path), "--format", "local", "--org", "gm0556")
    assert code == 1
    assert data["state"] == BatchState.REJECTED
    assert (data["rows_read"], data["rejected"]) == (3, 3)
    assert [g["count"] for g in data["error_groups"]] == [2, 1]
    assert data["error_groups"][0]["examples"][0] == {
        "row": 2,
        "column": "waarde",
        "value": "twaalf",
        "message": data["error_groups"][0]["kind"],
    }
    assert len(data["errors"]) == 3


def test_import_text_report_groups_the_errors(
    catalogue: None, maassluis: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from django.core.management import call_command

    path = tmp_path / "x.csv"
    path.write_text(
        "gebied;maatstaf;periode;waarde\n"
        + "".join(f"GM0556;huisverboden;{2000 + n};twaalf\n" for n in range(8))
        + "GM9999;huisverboden;2021;1\n"
    )
    with pytest.raises(SystemExit):
        call_command("import", str(path), "--format", "local", "--org", "gm0556")
    _out, err = capsys.readouterr()
    assert "GM9999" in err  # the second kind is shown, not hidden behind the first
    assert err.count("twaalf") == services.EXAMPLES_PER_KIND
    assert ": 8" in err


# --- 6. The pages show the report's counts ------------------------------------------------------


def test_the_pages_show_rows_values_skips_and_problems_by_kind(
    catalogue: None, maassluis: Any, member: Any, login: Any
) -> None:
    from django.urls import reverse

    from regie.accounts.models import Role

    services.load_catalogue()
    good = services.import_file(
        b"gebied;maatstaf;periode;waarde\nGM0556;huisverboden;2022;12\nGM0556;huisverboden;2023;\n",
        fmt="local",
        organisation=maassluis,
        filename="x.csv",
        dry_run=True,
    )
    assert good.state == BatchState.DRY_RUN, good.errors
    client = login(member(maassluis, Role.ADVISEUR))
    page = client.get(
        reverse("monitor:upload_check", kwargs={"org": "gm0556", "batch_id": good.batch_id})
    )
    assert page.context["values"] == good.values
    html = page.content.decode()
    for note in good.notes:
        assert note in html

    bad = services.import_file(
        (
            "gebied;maatstaf;periode;waarde\n"
            + "".join(f"GM0556;huisverboden;{2000 + n};twaalf\n" for n in range(8))
            + "GM9999;huisverboden;2021;1\n"
        ).encode(),
        fmt="local",
        organisation=maassluis,
        filename="x.csv",
    )
    assert bad.state == BatchState.REJECTED
    page = client.get(
        reverse("monitor:import_status", kwargs={"org": "gm0556", "batch_id": bad.batch_id})
    )
    groups = page.context["error_groups"]
    assert [(g["kind"], g["count"]) for g in groups] == [
        (g.kind, g.count) for g in bad.error_groups
    ]
    html = page.content.decode()
    assert "GM9999" in html
    assert bad.error_groups[0].kind in html


def test_import_json_prints_the_report_when_the_program_fails(
    catalogue: None,
    maassluis: Any,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("internal detail")

    monkeypatch.setattr(services._SeriesWriter, "add", broken)
    path = tmp_path / "x.csv"
    path.write_text("gebied;maatstaf;periode;waarde\nGM0556;huisverboden;2022;1\n")
    code, data, err = cli(capsys, str(path), "--format", "local", "--org", "gm0556")
    assert code == 1
    assert data["state"] == BatchState.FAILED
    assert data["batch"] == ImportBatch.objects.get().pk
    assert data["error"] == services.failure_note(dry_run=False)
    # The report and the message shown never carry the internal error's text; the log (which
    # may go to stderr, depending on the logging set up by earlier commands) may.
    assert "internal detail" not in json.dumps(data)
    assert data["error"] in err


def test_errors_of_the_service_name_the_files_own_columns(areas: Any) -> None:
    services.load_catalogue()
    lookup = services.CatalogueLookup(None)
    lookup.columns = {"area": "RegioS", "measure": "SoortMisdrijf", "period": "Perioden"}
    report = services.import_rows(
        [
            Row(2, "GM9999", "politie:1.1.1", "2022", 1.0),
            Row(3, "GM0556", "politie:9.9.9", "2022", 1.0),
            Row(4, "GM0556", "politie:1.1.1", "2022", 1.0),
            Row(5, "GM0556", "politie:1.1.1", "2022", 1.0),
        ],
        dataset=dataset(),
        lookup=lookup,
        fmt="test",
        filename="x.csv",
    )
    assert [(e.line, e.column) for e in report.errors] == [
        (2, "RegioS"),
        (3, "SoortMisdrijf"),
        (5, "Perioden"),
    ]
    # Without the adapter's names: the service's own Dutch names.
    default = services.CatalogueLookup(None)
    assert (default.column("area"), default.column("value")) == ("gebied", "waarde")

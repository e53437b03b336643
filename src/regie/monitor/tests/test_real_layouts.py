"""Real download layouts import without hand editing (issue 14).

The files in ``real_layouts/`` are built from the real files of ``shared/data`` (same labels,
names and figures; see ``real_layouts/README.md``): StatLine table views with the periods or the
regions in columns, the police portal's download with title, filter lines and footer, a StatLine
CSV of one gemeente's wijken and buurten, older 83648NED labels, former gemeenten and
pseudo-regions, a Windows-1252 Excel CSV with merged cells, and an XLSX table view. Each is
imported through the import service and every figure is read back.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from regie.areas.services import load_reference_data
from regie.monitor import services
from regie.monitor.models import BatchState, Observation
from regie.monitor.sources import detect, statline_csv
from regie.monitor.sources.base import (
    AmbiguousName,
    ReadContext,
    Row,
    RowError,
    Skip,
    SkipReason,
    Status,
)

LAYOUTS = Path(__file__).parent / "real_layouts"

pytestmark = pytest.mark.django_db


@pytest.fixture
def reference(db: Any) -> None:
    load_reference_data()
    services.load_catalogue()


def stored(measure: str) -> dict[tuple[str, str], tuple[float | None, str]]:
    return {
        (o.area.code, o.period): (o.value, o.status)
        for o in Observation.objects.filter(measure__code=measure).select_related("area")
    }


def table_view_figures(path: Path, encoding: str = "utf-8-sig") -> dict[tuple[str, str], float]:
    """(region label, period label) → value, read independently of the adapter: the data rows
    of a table view with the regions in the first column and the periods in columns."""
    text = path.read_bytes().decode(encoding)
    records = list(csv.reader(io.StringIO(text), delimiter=";"))
    header = next(r for r in records if r and r[0] == "Regio's")
    out: dict[tuple[str, str], float] = {}
    for record in records[records.index(header) + 1 :]:
        if not record or not record[0] or record[0].startswith("Bron"):
            continue
        for label, cell in zip(header[3:], record[3:], strict=False):
            if cell.strip():
                out[(record[0], label)] = float(cell)
    return out


def test_statline_table_view_with_periods_in_columns(reference: None) -> None:
    """CBS 37230ned table view: title, spanning "Perioden" row, unit column, "Bron: CBS"."""
    path = LAYOUTS / "cbs_37230ned_tabel_perioden_in_kolommen.csv"
    assert detect(path.read_bytes()[:65536], path.name).name == "statline-csv"
    report = services.import_file(path)
    assert report.state == BatchState.DONE, [str(e) for e in report.errors]
    assert report.rejected == 0
    got = stored("cbs:bevolking")
    names = {
        "Nederland": "NL01",
        "Zuid-Holland (PV)": "PV28",
        "Utrecht (PV)": "PV26",
        "Utrecht (gemeente)": "GM0344",
        "Alblasserdam": "GM0482",
        "Maassluis": "GM0556",
        "Vijfheerenlanden": "GM1961",
    }
    expected = table_view_figures(path)
    assert len(expected) == len(got) > 100
    for (name, label), value in expected.items():
        # "Bevolking aan het einde van de periode" of year Y = population on 1 January Y+1
        assert got[(names[name], str(int(label) + 1))] == (value, "onbekend")
    assert got[("GM0556", "2025")] == (36436.0, "onbekend")  # DOMAIN check figure (end 2024)


def test_statline_table_view_months_markers_and_padded_footer(reference: None) -> None:
    """The ``;`` export without quotes: "2025 januari*" markers, footer "Bron: CBS;;;;"."""
    path = LAYOUTS / "cbs_37230ned_maand_markeringen.csv"
    report = services.import_file(path)
    assert report.state == BatchState.DONE, [str(e) for e in report.errors]
    got = stored("cbs:bevolking")
    # end of 2021 = 1 January 2022; the file marks periods, so an unmarked one is definitief
    assert got[("GM0556", "2022")] == (34148.0, "definitief")
    assert got[("GM0482", "2022")] == (20087.0, "definitief")
    assert ("GM0556", "2023") not in got  # 2022 is missing in this export
    assert got[("NL01", "2025")] == (18044027.0, "definitief")
    assert report.rows_read == 3
    # noted before the first row: the 30 month-ends of 2025 are not 1 January figures
    assert any("30" in note for note in report.notes), report.notes


def test_police_portal_download_regions_in_columns_with_filters(reference: None) -> None:
    path = LAYOUTS / "politie_47018ned_tabel_regios_in_kolommen.csv"
    report = services.import_file(path)
    assert report.state == BatchState.DONE, [str(e) for e in report.errors]
    got = stored("politie:0.0.0")
    assert got == {
        ("GM0556", "2021"): (1181.0, "definitief"),
        ("GM0556", "2022"): (1234.0, "definitief"),
        ("GM0556", "2023"): (1135.0, "definitief"),
        ("GM0556", "2024"): (1219.0, "definitief"),
        ("GM0556", "2025"): (1222.0, "voorlopig"),
        ("GM0482", "2021"): (591.0, "definitief"),
        ("GM0482", "2022"): (526.0, "definitief"),
        ("GM0482", "2023"): (532.0, "definitief"),
        ("GM0482", "2024"): (549.0, "definitief"),
        ("GM0482", "2025"): (614.0, "voorlopig"),
    }
    assert report.rows_read == 5


def test_statline_csv_of_one_gemeentes_wijken_and_buurten(reference: None) -> None:
    path = LAYOUTS / "politie_47018ned_buurten_maassluis.csv"
    report = services.import_file(path, table="47018NED")
    assert report.state == BatchState.DONE, [str(e) for e in report.errors]
    got = stored("politie:0.0.0")
    assert got[("GM0556", "2023")] == (1135.0, "onbekend")
    assert got[("WK055601", "2023")] == (107.0, "onbekend")
    assert got[("WK055602", "2023")] == (207.0, "onbekend")
    assert got[("BU05560203", "2023")] == (54.0, "onbekend")  # Bomendal
    assert got[("BU05560801", "2023")] == (24.0, "onbekend")  # Wilgenrijk
    assert len(got) == 22
    assert report.skipped[SkipReason.PSEUDO_REGION] == 2  # Wijk onbekend, Buurt onbekend
    assert report.skipped[SkipReason.EMPTY] == 1  # suppressed 1.4.1
    # buurt names that other gemeenten share are read in the gemeente of the rows above
    assert not any("Bloemenbuurt" in note for note in report.notes)


def test_83648ned_older_labels_and_pseudo_regions(reference: None) -> None:
    path = LAYOUTS / "cbs_83648ned_oudere_labels.csv"
    report = services.import_file(path)  # the table id is in the file name
    assert report.state == BatchState.DONE, [str(e) for e in report.errors]
    assert stored("cbs:T001161") == {
        ("GM0556", "2022"): (1245.0, "voorlopig"),
        ("GM0482", "2022"): (530.0, "voorlopig"),
    }
    assert report.skipped[SkipReason.PSEUDO_REGION] == 2


def test_former_gemeenten_by_the_names_of_their_time(reference: None) -> None:
    """Leerdam, Vianen and Zederik (merged into Vijfheerenlanden in 2019) import as their own
    former gemeenten. Needs the former gemeenten of the areas helper (CONTRACT I1)."""
    path = LAYOUTS / "cbs_37230ned_voormalige_gemeenten.csv"
    report = services.import_file(path)
    assert report.state == BatchState.DONE, [str(e) for e in report.errors]
    got = stored("cbs:bevolking")
    assert got[("GM0545", "2003")] == (21074.0, "onbekend")  # Leerdam, end of 2002
    # End of 2018 is 1 January 2019, the day Vianen and Zederik became Vijfheerenlanden: no
    # gemeente's population of that day; skipped and counted, never a reason to reject.
    assert ("GM0620", "2019") not in got
    assert ("GM0707", "2019") not in got
    assert got[("GM0620", "2018")] == (19967.0, "onbekend")  # Vianen, end of 2017
    assert report.skipped[SkipReason.CEASED] >= 3


def test_windows_1252_excel_csv_with_merged_cells(reference: None) -> None:
    path = LAYOUTS / "politie_excel_cp1252_samengevoegde_kop.csv"
    report = services.import_file(path)
    assert report.state == BatchState.DONE, [str(e) for e in report.errors]
    total = stored("politie:0.0.0")
    fiets = stored("politie:1.2.3")
    assert total[("NL01", "2013")] == (1078439.0, "onbekend")
    assert total[("PV21", "2018")] == (21705.0, "onbekend")  # "Fryslân (PV)" in Windows-1252
    # the merged "Soort misdrijf" cell is blank on the rows below its first
    assert fiets[("PV20", "2014")] == (5064.0, "onbekend")
    assert fiets[("PV28", "2018")] == (19261.0, "onbekend")
    assert len(total) == len(fiets) == 24
    assert report.skipped[SkipReason.PSEUDO_REGION] == 2  # "Niet in te delen (PV)"


def _xlsx_table_view() -> bytes:
    import openpyxl

    source = LAYOUTS / "cbs_37230ned_tabel_perioden_in_kolommen.csv"
    records = list(csv.reader(io.StringIO(source.read_text(encoding="utf-8-sig")), delimiter=";"))
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for record in records:
        cells: list[object] = []
        for index, cell in enumerate(record):
            # as StatLine's Excel download: numbers as numbers, header years as text
            if index >= 3 and cell.isdigit() and record[0] not in ("Regio's", ""):
                cells.append(int(cell))
            else:
                cells.append(cell or None)
        sheet.append(cells)
    sheet.merge_cells(start_row=3, start_column=4, end_row=3, end_column=10)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_xlsx_table_view(reference: None) -> None:
    data = _xlsx_table_view()
    assert detect(data[:65536], "tabel.xlsx").name == "statline-csv"
    report = services.import_file(data, filename="tabel.xlsx")
    assert report.state == BatchState.DONE, [str(e) for e in report.errors]
    got = stored("cbs:bevolking")
    assert got[("GM0556", "2025")] == (36436.0, "onbekend")
    assert got[("GM0482", "2003")] == (18425.0, "onbekend")
    assert got[("NL01", "2003")] == (16192572.0, "onbekend")


def test_veiligheidsmonitor_bounds_are_imported(reference: None) -> None:
    """Marges "Ondergrens/Bovengrens 95%-interval" → vm:<key>.ondergrens/.bovengrens (I3)."""
    data = (
        '\ufeff"Marges";"Perioden";"Regio\'s";'
        '"(On)veiligheidsbeleving /Algemeen/Onveiligheidsgevoelens/'
        'Voelt zich wel eens onveilig (%)"'
        '\r\n"Waarde";"2017";"Zuid-Holland (PV)";36,7\r\n'
        '"Ondergrens 95%-interval";"2017";"Zuid-Holland (PV)";35,9\r\n'
        '"Bovengrens 95%-interval";"2017";"Zuid-Holland (PV)";37,5\r\n'
    ).encode()
    report = services.import_file(data, table="81877NED", fmt="statline-csv")
    assert report.state == BatchState.DONE, [str(e) for e in report.errors]
    assert stored("vm:onveilig_algemeen_pct") == {("PV28", "2017"): (36.7, "onbekend")}
    assert stored("vm:onveilig_algemeen_pct.ondergrens") == {("PV28", "2017"): (35.9, "onbekend")}
    assert stored("vm:onveilig_algemeen_pct.bovengrens") == {("PV28", "2017"): (37.5, "onbekend")}


def test_70072ned_population_and_other_topics_noted(reference: None) -> None:
    data = (
        '\ufeff"Regio\'s";"Perioden";'
        '"Bevolking/Bevolkingssamenstelling op 1 januari/Totale bevolking (aantal)";'
        '"Bevolking/Bevolkingssamenstelling op 1 januari/Geslacht/Mannen (aantal)";'
        '"Bedrijfsvestigingen/Totaal bedrijfsvestigingen (aantal)"\r\n'
        '"Maassluis";"2022";34148;16853;2575\r\n'
        '"Alblasserdam";"2022";20087;9950;1860\r\n'
    ).encode()
    report = services.import_file(data, table="70072NED", fmt="statline-csv")
    assert report.state == BatchState.DONE, [str(e) for e in report.errors]
    assert stored("cbs:bevolking") == {
        ("GM0556", "2022"): (34148.0, "onbekend"),
        ("GM0482", "2022"): (20087.0, "onbekend"),
    }
    assert any("Bedrijfsvestigingen" in note for note in report.notes)


# --- the adapter on its own: levels, years, unknown labels --------------------------------------


def test_the_region_level_and_year_are_passed_to_the_name_lookup() -> None:
    calls: list[tuple[str, str | None, int | None]] = []

    def area_by_name(name: str, level: str | None = None, year: int | None = None) -> str:
        calls.append((name, level, year))
        return "GM0545"

    header = '"Soort misdrijf";"Perioden";"Gemeenten";"Geregistreerde misdrijven (aantal)"'
    data = (
        f"{header}\r\n"
        '"Totaal misdrijven";"2015";"Leerdam";800\r\n'
        '"Totaal misdrijven";"2015";"Utrecht (PV)";800\r\n'
        '"Totaal misdrijven";"2015";"Wijk 00 Annen";800\r\n'
    ).encode()
    context = ReadContext(
        area_by_name=area_by_name, measure_by_label=lambda source, label: "politie:0.0.0"
    )
    list(statline_csv.ADAPTER.read(io.BytesIO(data), context))
    assert calls == [
        ("Leerdam", "gemeente", 2015),
        ("Utrecht (PV)", "provincie", 2015),
        ("Wijk 00 Annen", "wijk", 2015),
    ]


def test_an_ambiguous_name_is_a_row_error_naming_the_candidates() -> None:
    def area_by_name(name: str, level: str | None = None, year: int | None = None) -> str:
        raise AmbiguousName(
            "'Utrecht' could be several areas: PV26 Utrecht (provincie), GM0344 Utrecht "
            "(gemeente); use the code",
            ("PV26 Utrecht", "GM0344 Utrecht"),
        )

    data = (
        b'"Soort misdrijf";"Perioden";"Regio\'s";"Geregistreerde misdrijven (aantal)"\r\n'
        b'"Totaal misdrijven";"2015";"Utrecht";800\r\n'
    )
    context = ReadContext(
        area_by_name=area_by_name, measure_by_label=lambda source, label: "politie:0.0.0"
    )
    items = list(statline_csv.ADAPTER.read(io.BytesIO(data), context))
    assert len(items) == 1
    assert isinstance(items[0], RowError)
    assert items[0].line == 2
    assert "PV26" in items[0].message
    assert "GM0344" in items[0].message


def test_an_unknown_crime_label_names_the_nearest_known_one() -> None:
    data = (
        b'"Soort misdrijf";"Perioden";"Regio\'s";"Geregistreerde misdrijven (aantal)"\r\n'
        b'"1.1.1 Diefstal/inbraak woningen";"2015";"GM0556";8\r\n'
    )
    items = list(statline_csv.ADAPTER.read(io.BytesIO(data), ReadContext()))
    error = items[0]
    assert isinstance(error, RowError)
    assert error.msgid == "unknown crime type; did you mean %(suggestion)r?"
    assert error.message == "unknown crime type; did you mean '1.1.1 Diefstal/inbraak woning'?"
    assert error.text(lambda m: "onbekende soort misdrijf; bedoelt u %(suggestion)r?") == (
        "onbekende soort misdrijf; bedoelt u '1.1.1 Diefstal/inbraak woning'?"
    )


def test_labels_of_earlier_editions_map_to_todays_measures() -> None:
    data = (
        b'"Soort misdrijf";"Perioden";"Regio\'s";"Geregistreerde misdrijven (aantal)"\r\n'
        b'"1.4.1 Zedendelicten";"2025*";"GM0556";8\r\n'
    )
    items = list(statline_csv.ADAPTER.read(io.BytesIO(data), ReadContext()))
    assert items == [Row(2, "GM0556", "politie:1.4.1", "2025", 8.0, Status.VOORLOPIG)]


def test_skips_are_never_errors() -> None:
    data = (
        b'"Soort misdrijf";"Perioden";"Regio\'s";"Geregistreerde misdrijven (aantal)"\r\n'
        b'"Totaal misdrijven";"2015";"RE99";8\r\n'
        b'"Totaal misdrijven";"2015";"GM0999";8\r\n'
        b'"Totaal misdrijven";"2015";"Niet in te delen (RE)";8\r\n'
        b'"Totaal misdrijven";"2015";"GM0556";\r\n'
    )
    items = list(statline_csv.ADAPTER.read(io.BytesIO(data), ReadContext()))
    assert [(i.line, i.reason) for i in items if isinstance(i, Skip)] == [
        (2, SkipReason.PSEUDO_REGION),
        (3, SkipReason.PSEUDO_REGION),
        (4, SkipReason.PSEUDO_REGION),
        (5, SkipReason.EMPTY),
    ]
    assert len(items) == 4


def test_regie_import_reads_the_police_portal_download(
    reference: None, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.test_cli import run_main

    path = LAYOUTS / "politie_excel_cp1252_samengevoegde_kop.csv"
    code, out, err = run_main(capsys, "import", str(path), "--json")
    assert code == 0, out + err
    report = json.loads(out)
    assert report["rejected"] == 0
    assert stored("politie:0.0.0")[("PV28", "2013")] == (249250.0, "onbekend")


def test_03759ned_odata_v3_download_imports_as_population(reference: None) -> None:
    url = "https://opendata.cbs.nl/ODataApi/OData/03759ned/$metadata#Cbs.OData.WebAPI.TypedDataSet"

    def record(i: int, sex: str, area: str, value: int) -> dict[str, object]:
        return {"ID": i, "Geslacht": sex, "Leeftijd": "10000", "BurgerlijkeStaat": "T001019",
                "RegioS": area, "Perioden": "2022JJ00", "BevolkingOp1Januari_1": value}  # fmt: skip

    records = [
        record(0, "T001038", "GM0556    ", 34148),
        record(1, "3000   ", "GM0556    ", 16853),
        record(2, "T001038", "GM0482    ", 20087),
        record(3, "T001038", "GM0999    ", 0),
    ]
    data = json.dumps({"odata.metadata": url, "value": records}).encode()
    report = services.import_file(data, filename="03759ned.json")
    assert report.state == BatchState.DONE, [str(e) for e in report.errors]
    assert stored("cbs:bevolking") == {
        ("GM0556", "2022"): (34148.0, "onbekend"),
        ("GM0482", "2022"): (20087.0, "onbekend"),
    }
    assert report.skipped[SkipReason.PSEUDO_REGION] == 1


def test_an_older_export_with_an_id_column_and_no_title(reference: None) -> None:
    """An "ID" column first is not an OData file; CBS labels and the 83648NED topic tell the
    table (noted); the former gemeenten of 2015 are their own areas; the per-1,000 and relative
    columns are noted, not imported."""
    path = LAYOUTS / "cbs_export_met_id_zonder_titel.csv"
    assert detect(path.read_bytes()[:65536], path.name).name == "statline-csv"
    report = services.import_file(path)
    assert report.state == BatchState.DONE, [str(e) for e in report.errors]
    got = stored("cbs:T001161")
    assert got[("GM0545", "2015")] == (1012.0, "definitief")  # Leerdam, merged in 2019
    assert got[("GM0707", "2015")] == (301.0, "definitief")  # Zederik
    assert got[("GM0556", "2022")] == (1245.0, "voorlopig")
    assert got[("NL01", "2015")] == (1018230.0, "definitief")
    assert len(got) == 6
    assert report.dataset.startswith("CBS 83648NED")
    assert any("83648NED" in note for note in report.notes)  # the table, from the columns


def test_a_police_download_with_its_title_split_over_two_cells(reference: None) -> None:
    path = LAYOUTS / "politie_47013ned_titel_zonder_aanhalingstekens_cp1252.csv"
    report = services.import_file(path)
    assert report.state == BatchState.DONE, [str(e) for e in report.errors]
    assert report.dataset.startswith("Politie 47013NED")
    got = stored("politie:0.0.0")
    assert got[("GM0556", "2019")] == (1310.0, "definitief")
    assert got[("GM0556", "2023")] == (1234.0, "voorlopig")
    assert got[("GM0482", "2020")] == (None, "definitief")  # "." is not published, not zero
    assert got[("GM1900", "2022")] == (2650.0, "definitief")  # Súdwest-Fryslân in cp1252
    assert report.skipped[SkipReason.PSEUDO_REGION] == 1


def test_buurten_of_one_gemeente_without_a_title(reference: None) -> None:
    """The table follows from the columns (wijken and buurten, years: 47018NED); "Binnenstad"
    is a buurt of many gemeenten and is read in Maassluis, the gemeente above it."""
    path = LAYOUTS / "politie_buurten_maassluis_zonder_titel.csv"
    report = services.import_file(path)
    assert report.state == BatchState.DONE, [str(e) for e in report.errors]
    assert report.dataset.startswith("Politie 47018NED")
    got = stored("politie:0.0.0")
    assert got[("BU05560303", "2023")] == (90.0, "onbekend")  # Binnenstad, Maassluis
    assert got[("WK055608", "2023")] == (12.0, "onbekend")  # Wijk 08 Wilgenrijk
    assert got[("BU05560801", "2023")] == (12.0, "onbekend")  # Wilgenrijk
    assert got[("WK055603", "2023")] == (200.0, "onbekend")  # Sluispolder (a wijk)
    assert got[("GM0556", "2023")] == (1132.0, "onbekend")
    assert len(got) == 8
    assert report.skipped[SkipReason.PSEUDO_REGION] == 1  # Buurt onbekend

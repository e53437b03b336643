"""Every adapter: pseudo-regions and empty rows are skipped (never errors), population tables,
row numbers (header = 1, a data row its physical line; JSON: the record number), translatable
messages, no guessed status (issue 14)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from regie.monitor.sources import local, odata_api, odata_csv, odata_v3, odata_v4, statline_csv
from regie.monitor.sources.base import (
    FormatError,
    ReadContext,
    Row,
    RowError,
    Skip,
    SkipReason,
    Status,
)

LAYOUTS = Path(__file__).parent / "real_layouts"


def read(adapter: object, data: bytes, context: ReadContext) -> list[Row | RowError | Skip]:
    return list(adapter.read(io.BytesIO(data), context))  # type: ignore[attr-defined]


def v3(table: str, records: list[dict[str, object]]) -> bytes:
    url = f"https://opendata.cbs.nl/ODataApi/OData/{table}/$metadata#Cbs.OData.WebAPI.TypedDataSet"
    return json.dumps({"odata.metadata": url, "value": records}).encode()


# --- pseudo-regions ----------------------------------------------------------------------------


def test_odata_v3_pseudo_regions_are_skipped() -> None:
    records = [
        {"ID": i, "SoortMisdrijf": "0.0.0 ", "RegioS": code, "Perioden": "2023JJ00",
         "GeregistreerdeMisdrijven_1": 5}
        for i, code in enumerate(["GM0556    ", "GM0998    ", "GM0999    ", "RE99      ", "PV99  "])
    ]  # fmt: skip
    items = read(odata_v3.ADAPTER, v3("47013NED", records), ReadContext())
    assert items[0] == Row(1, "GM0556", "politie:0.0.0", "2023", 5.0, Status.ONBEKEND)
    assert [(i.line, i.reason, i.value) for i in items[1:] if isinstance(i, Skip)] == [
        (2, SkipReason.PSEUDO_REGION, "GM0998"),
        (3, SkipReason.PSEUDO_REGION, "GM0999"),
        (4, SkipReason.PSEUDO_REGION, "RE99"),
        (5, SkipReason.PSEUDO_REGION, "PV99"),
    ]


def test_odata_csv_pseudo_buurt_is_skipped_and_lines_are_physical() -> None:
    data = (
        b'"ID","SoortMisdrijf","WijkenEnBuurten","Perioden","GeregistreerdeMisdrijven_1"\n'
        b'1,"0.0.0 ","BU05560101","2023JJ00",107\n'
        b"\n"
        b'2,"0.0.0 ","BU00000000","2023JJ00",12\n'
        b'3,"0.0.0 ","WK000000  ","2023JJ00",12\n'
    )
    items = read(odata_csv.ADAPTER, data, ReadContext(table="47018NED"))
    assert items == [
        Row(2, "BU05560101", "politie:0.0.0", "2023", 107.0, Status.ONBEKEND),
        Skip(4, SkipReason.PSEUDO_REGION, "WijkenEnBuurten", "BU00000000"),
        Skip(5, SkipReason.PSEUDO_REGION, "WijkenEnBuurten", "WK000000"),
    ]


def test_odata_v4_pseudo_region_and_line_numbers() -> None:
    def obs(i: int, area: str) -> dict[str, object]:
        return {"Id": i, "Measure": "M004200_2", "ValueAttribute": "None", "Value": 3.0,
                "SoortMisdrijf": "T001161", "RegioS": area, "Perioden": "2022JJ00"}  # fmt: skip

    url = "https://datasets.cbs.nl/odata/v1/CBS/83648NED/$metadata#Observations"
    data = json.dumps({"@odata.context": url, "value": [obs(0, "GM0556"), obs(1, "LD99")]})
    items = read(odata_v4.ADAPTER, data.encode(), ReadContext())
    assert items == [
        Row(1, "GM0556", "cbs:T001161", "2022", 3.0, Status.ONBEKEND),  # JSON: record number
        Skip(2, SkipReason.PSEUDO_REGION, "RegioS", "LD99"),
    ]


def test_local_pseudo_region_is_skipped() -> None:
    data = (
        b"gebied;maatstaf;periode;waarde\n"
        b"GM0556;huisverboden;2022;19\n"
        b"Buitenland;huisverboden;2022;1\n"
    )
    items = read(local.ADAPTER, data, ReadContext())
    assert items == [
        Row(2, "GM0556", "local:huisverboden", "2022", 19.0, Status.ONBEKEND),
        Skip(3, SkipReason.PSEUDO_REGION, "gebied", "Buitenland"),
    ]


# --- population tables (CONTRACT I3) ------------------------------------------------------------


def test_03759ned_odata_v3_reads_only_the_totals() -> None:
    def record(i: int, sex: str, age: str, value: int) -> dict[str, object]:
        return {"ID": i, "Geslacht": sex, "Leeftijd": age, "BurgerlijkeStaat": "T001019",
                "RegioS": "GM0556", "Perioden": "2022JJ00", "BevolkingOp1Januari_1": value,
                "GemiddeldeBevolking_2": value + 10}  # fmt: skip

    records = [
        record(0, "T001038", "10000", 34148),
        record(1, "3000   ", "10000", 16853),  # mannen
        record(2, "T001038", "70100", 400),  # an age group
    ]
    context = ReadContext()
    items = read(odata_v3.ADAPTER, v3("03759ned", records), context)
    assert items == [Row(1, "GM0556", "cbs:bevolking", "2022", 34148.0, Status.ONBEKEND)]
    assert context.info.source == "CBS"
    assert any("GemiddeldeBevolking_2" in note for note in context.notes)
    assert any("only the totals of Geslacht" in note for note in context.notes)


def test_37230ned_end_of_period_is_1_january_of_the_next_year() -> None:
    data = (
        b"RegioS;Perioden;BevolkingAanHetEindeVanDePeriode_15\n"
        b"GM0556;2021MM11;34100\n"
        b"GM0556;2021MM12;34148\n"
        b"GM0556;2022JJ00;35303\n"
    )
    context = ReadContext(table="37230NED")
    items = read(odata_csv.ADAPTER, data, context)
    assert items == [
        Row(3, "GM0556", "cbs:bevolking", "2022", 34148.0, Status.ONBEKEND),
        Row(4, "GM0556", "cbs:bevolking", "2023", 35303.0, Status.ONBEKEND),
    ]
    assert any("end of December" in note for note in context.notes)


def test_03759ned_odata_v4_single_measure() -> None:
    url = "https://datasets.cbs.nl/odata/v1/CBS/03759ned/$metadata#Observations"
    values = [
        {"Id": 0, "Measure": "M000352", "ValueAttribute": "None", "Value": 20087.0,
         "Geslacht": "T001038", "Leeftijd": "10000", "BurgerlijkeStaat": "T001019",
         "RegioS": "GM0482", "Perioden": "2022JJ00", "StringValue": None},
    ]  # fmt: skip
    data = json.dumps({"@odata.context": url, "value": values}).encode()
    items = read(odata_v4.ADAPTER, data, ReadContext())
    assert items == [Row(1, "GM0482", "cbs:bevolking", "2022", 20087.0, Status.ONBEKEND)]


def test_70072ned_statline_csv_population_other_topics_noted_not_errors() -> None:
    data = (
        '\ufeff"Regio\'s";"Perioden";'
        '"Bevolking/Bevolkingssamenstelling op 1 januari/Totale bevolking (aantal)";'
        '"Bedrijfsvestigingen/Totaal bedrijfsvestigingen (aantal)"\r\n'
        '"GM0556";"2022";34148;2575\r\n'
    ).encode()
    context = ReadContext(table="70072NED")
    items = read(statline_csv.ADAPTER, data, context)
    assert items == [Row(2, "GM0556", "cbs:bevolking", "2022", 34148.0, Status.ONBEKEND)]
    assert context.notes == [
        "columns not imported: Bedrijfsvestigingen/Totaal bedrijfsvestigingen (aantal)"
    ]


# --- row numbers, messages ----------------------------------------------------------------------


def test_xlsx_rows_carry_their_sheet_row_numbers() -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Geregistreerde misdrijven; soort misdrijf, regio"])
    sheet.append(["Soort misdrijf: Totaal misdrijven"])
    sheet.append([])
    sheet.append([None, "Perioden"])
    sheet.append(["Regio's", "2022", "2023*"])
    sheet.append(["GM0556", 1234, 1135])
    sheet.append(["Bron: Politie"])
    out = io.BytesIO()
    workbook.save(out)
    context = ReadContext(measure_by_label=lambda source, label: f"{source}:0.0.0")
    items = read(statline_csv.ADAPTER, out.getvalue(), context)
    assert items == [
        Row(6, "GM0556", "politie:0.0.0", "2022", 1234.0, Status.DEFINITIEF),
        Row(6, "GM0556", "politie:0.0.0", "2023", 1135.0, Status.VOORLOPIG),
    ]
    assert context.info.table == "47025NED"


def test_statline_csv_blank_lines_keep_physical_line_numbers() -> None:
    data = (
        b'"Geregistreerde misdrijven; soort misdrijf, regio"\r\n\r\n'
        b'"Soort misdrijf";"Perioden";"Regio\'s";"Geregistreerde misdrijven (aantal)"\r\n'
        b'"Totaal misdrijven";"2022";"GM0556";1234\r\n\r\n'
        b'"Totaal misdrijven";"2022 maart";"Niet bestaand";5\r\n'
    )
    items = read(statline_csv.ADAPTER, data, ReadContext())
    assert [item.line for item in items] == [4, 6]


def test_row_errors_with_values_are_translatable() -> None:
    error = RowError.of(3, "RegioS", "x", "record has %(fields)d fields, the header %(columns)d",
                        fields=2, columns=5)  # fmt: skip
    assert error.message == "record has 2 fields, the header 5"
    assert error.text(lambda m: "het record heeft %(fields)d velden, de kop %(columns)d") == (
        "het record heeft 2 velden, de kop 5"
    )
    plain = RowError(3, "RegioS", "x", "missing code")
    assert plain.text(lambda m: {"missing code": "code ontbreekt"}[m]) == "code ontbreekt"


def test_odata_errors_are_translatable_format_errors() -> None:
    error = odata_api.ODataError(odata_api.NOT_JSON, url="https://x/ODataApi/OData/83648NED/Y")
    assert isinstance(error, FormatError)
    assert str(error) == "https://x/ODataApi/OData/83648NED/Y: the reply is not JSON"
    assert error.text(lambda m: "%(url)s: het antwoord is geen JSON").endswith("geen JSON")


@pytest.mark.parametrize(
    ("message", "fields"),
    [
        (odata_v3.COLUMN_NOT_IMPORTED, {"column": "X"}),
        (statline_csv.NOTE_FOOTER, {"line": 3}),
    ],
)
def test_notes_keep_their_msgid(message: str, fields: dict[str, object]) -> None:
    from regie.monitor.sources.base import Note

    note = Note(message, **fields)
    assert note.message == message
    assert "%(" not in str(note)


def test_unmarked_periods_have_unknown_status() -> None:
    """A file that marks no period says nothing about status: never a guessed definitief."""
    data = (
        b'"Soort misdrijf";"Perioden";"Regio\'s";"Geregistreerde misdrijven (aantal)"\r\n'
        b'"Totaal misdrijven";"2022";"GM0556";1234\r\n'
    )
    context = ReadContext(measure_by_label=lambda source, label: "politie:0.0.0")
    assert read(statline_csv.ADAPTER, data, context)[0].status == Status.ONBEKEND  # type: ignore[union-attr]


def test_03759ned_statline_export_keeps_the_totals_of_its_breakdowns() -> None:
    data = (
        '\ufeff"Geslacht";"Leeftijd";"Burgerlijke staat";"Perioden";"Regio\'s";'
        '"Bevolking op 1 januari (aantal)";"Gemiddelde bevolking (aantal)"\r\n'
        '"Totaal mannen en vrouwen";"Totaal";"Totaal burgerlijke staat";"2022";"GM0556";'
        "34148;34500\r\n"
        '"Mannen";"Totaal";"Totaal burgerlijke staat";"2022";"GM0556";16853;17000\r\n'
    ).encode()
    context = ReadContext()
    items = read(statline_csv.ADAPTER, data, context)
    assert items == [Row(2, "GM0556", "cbs:bevolking", "2022", 34148.0, Status.ONBEKEND)]
    assert any("Mannen" in note for note in context.notes)


def test_the_local_template_workbook_is_not_taken_for_a_statline_table() -> None:
    from regie.monitor.sources import detect

    templates = Path(local.__file__).parent.parent / "data" / "templates"
    path = templates / "lokale-cijfers-sjabloon.xlsx"
    data = path.read_bytes()
    assert detect(data[:65536], path.name).name == "local"


CRIME_LABELS = {
    "totaal misdrijven": "politie:0.0.0",
    "1.1.1 diefstal/inbraak woning": "politie:1.1.1",
}
NAMES = {"maassluis": "GM0556", "alblasserdam": "GM0482"}


def crime_context() -> ReadContext:
    return ReadContext(
        measure_by_label=lambda source, label: CRIME_LABELS.get(label.lower()),
        area_by_name=lambda name, level=None, year=None: NAMES.get(name.lower()),
    )


def test_table_view_with_crime_types_in_columns_and_period_filter() -> None:
    data = (
        b'"Geregistreerde misdrijven en aangiften; soort misdrijf, gemeente"\r\n'
        b'"Perioden: 2023"\r\n'
        b'"Onderwerp: Geregistreerde misdrijven"\r\n'
        b'"";"Soort misdrijf";""\r\n'
        b'"Regio\'s";"Totaal misdrijven";"1.1.1 Diefstal/inbraak woning"\r\n'
        b'"Maassluis";1135;40\r\n'
        b'"Alblasserdam";532;"."\r\n'
        b'"Bron: Politie"\r\n'
    )
    assert statline_csv.ADAPTER.sniff(data, "tabel.csv")
    items = read(statline_csv.ADAPTER, data, crime_context())
    assert items == [
        Row(6, "GM0556", "politie:0.0.0", "2023", 1135.0, Status.ONBEKEND),
        Row(6, "GM0556", "politie:1.1.1", "2023", 40.0, Status.ONBEKEND),
        Row(7, "GM0482", "politie:0.0.0", "2023", 532.0, Status.ONBEKEND),
        Row(7, "GM0482", "politie:1.1.1", "2023", None, Status.ONBEKEND),  # "." not published
    ]


def test_table_view_with_periods_and_topics_in_two_header_rows() -> None:
    data = (
        b'"Geregistreerde misdrijven en aangiften; soort misdrijf, gemeente"\r\n'
        b'"Soort misdrijf: Totaal misdrijven"\r\n'
        b'"";"2022";"";"2023*";""\r\n'  # merged period cells: blank after the first
        b'"Regio\'s";"Geregistreerde misdrijven (aantal)";"Aangiften (aantal)";'
        b'"Geregistreerde misdrijven (aantal)";"Aangiften (aantal)"\r\n'
        b'"Maassluis";1234;800;1135;790\r\n'
    )
    context = crime_context()
    items = read(statline_csv.ADAPTER, data, context)
    assert items == [
        Row(5, "GM0556", "politie:0.0.0", "2022", 1234.0, Status.DEFINITIEF),
        Row(5, "GM0556", "politie:0.0.0", "2023", 1135.0, Status.VOORLOPIG),
    ]
    assert context.notes == ["columns not imported: Aangiften (aantal)"]
    assert context.info.table == "47013NED"


def test_a_first_data_row_without_figures_is_skipped_not_taken_for_a_header() -> None:
    data = (
        b'"Perioden: 2023"\r\n'
        b'"Regio\'s";"Totaal misdrijven";"1.1.1 Diefstal/inbraak woning"\r\n'
        b'"Leerdam";"";""\r\n'
        b'"Maassluis";1135;40\r\n'
    )
    items = read(statline_csv.ADAPTER, data, crime_context())
    assert items == [
        Skip(3, SkipReason.EMPTY, "Totaal misdrijven", ""),
        Row(4, "GM0556", "politie:0.0.0", "2023", 1135.0, Status.ONBEKEND),
        Row(4, "GM0556", "politie:1.1.1", "2023", 40.0, Status.ONBEKEND),
    ]


def test_a_population_csv_is_recognised_as_odata_csv() -> None:
    from regie.monitor.sources import detect

    head = b"RegioS;Perioden;BevolkingAanHetEindeVanDePeriode_15\nGM0556;2021MM12;34148\n"
    assert detect(head, "bevolking.csv").name == "odata-csv"


def test_a_buurt_name_shared_with_other_gemeenten_is_read_in_the_gemeente_above() -> None:
    from regie.monitor.sources.base import AmbiguousName

    def area_by_name(
        name: str, level: str | None = None, year: int | None = None, within: str | None = None
    ) -> str | None:
        if name == "Maassluis":
            return "GM0556"
        if within == "GM0556":  # read in the gemeente of the rows above
            return "BU05560202"
        raise AmbiguousName(
            f"'{name}' could be several areas: BU00140402, BU05560202; use the code",
            ("BU00140402 Bloemenbuurt", "BU05560202 Bloemenbuurt"),
        )

    data = (
        b'"Soort misdrijf";"Perioden";"Wijken en buurten";"Geregistreerde misdrijven (aantal)"\r\n'
        b'"Totaal misdrijven";"2023";"Maassluis";1135\r\n'
        b'"Totaal misdrijven";"2023";"Bloemenbuurt";26\r\n'
    )
    context = ReadContext(
        area_by_name=area_by_name, measure_by_label=lambda source, label: "politie:0.0.0"
    )
    items = read(statline_csv.ADAPTER, data, context)
    assert items == [
        Row(2, "GM0556", "politie:0.0.0", "2023", 1135.0, Status.ONBEKEND),
        Row(3, "BU05560202", "politie:0.0.0", "2023", 26.0, Status.ONBEKEND),
    ]
    # only the table, which the file does not name, is noted (from its columns: 47018NED)
    assert [note.message for note in context.notes] == [statline_csv.NOTE_TABLE_GUESSED]
    assert "47018NED" in context.notes[0]


def test_notes_on_passed_over_rows_are_there_before_the_first_row() -> None:
    data = (
        b'"Marges";"Perioden";"Regio\'s";"Rapportcijfer veiligheid in buurt (rapportcijfer)"\r\n'
        b'"Waarde";"2023";"GM0556";7,1\r\n'
        b'"Marge";"2023";"GM0556";0,2\r\n'
        b'"Marge";"2022";"GM0556";0,2\r\n'
    )
    context = ReadContext(measure_by_label=lambda source, label: "vm:rapportcijfer")
    items = iter(statline_csv.ADAPTER.read(io.BytesIO(data), context))
    first = next(items)
    assert isinstance(first, Row)
    assert context.notes == ["2 rows with the margin 'Marge' were not imported"]
    assert list(items) == []
    assert len(context.notes) == 1


def test_excel_unicode_text_utf16_tab_separated_is_read() -> None:
    from regie.monitor.sources import detect

    text = (
        "Geregistreerde misdrijven; soort misdrijf, regio\r\n"
        "Soort misdrijf: Totaal misdrijven\r\n"
        "\tPerioden\t\r\n"
        "Regio's\t2022\t2023\r\n"
        "Fryslân (PV)\t21705\t21374\r\n"
    )
    data = text.encode("utf-16")  # with its byte order mark
    assert detect(data[:65536], "tabel.txt").name == "statline-csv"
    names = {"fryslân (pv)": "PV21"}
    context = ReadContext(
        measure_by_label=lambda source, label: "politie:0.0.0",
        area_by_name=lambda name, level=None, year=None: names.get(name.lower()),
    )
    items = read(statline_csv.ADAPTER, data, context)
    assert items == [
        Row(5, "PV21", "politie:0.0.0", "2022", 21705.0, Status.ONBEKEND),
        Row(5, "PV21", "politie:0.0.0", "2023", 21374.0, Status.ONBEKEND),
    ]


def _wide_table_view(months: int) -> bytes:
    import openpyxl

    from regie.stats.periods import MONTH_NAMES_NL

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Geregistreerde misdrijven en aangiften; soort misdrijf, gemeente"])
    sheet.append(["Soort misdrijf: Totaal misdrijven"])
    labels = [f"{2015 + m // 12} {MONTH_NAMES_NL[m % 12]}" for m in range(months)]
    sheet.append(["Gemeenten", *labels])
    sheet.append(["Maassluis", *range(1, months + 1)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_an_xlsx_table_view_keeps_every_column() -> None:
    """72 months in columns: every one is read (the template's reader cut rows at 50 cells
    without a word); a row wider than the limit is refused, never cut."""
    context = crime_context()
    items = read(statline_csv.ADAPTER, _wide_table_view(72), context)
    values = [item for item in items if isinstance(item, Row)]
    assert len(values) == 72
    assert (values[-1].period, values[-1].value) == ("2020M12", 72.0)


def test_a_table_view_wider_than_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(statline_csv, "MAX_COLUMNS", 40)
    with pytest.raises(FormatError) as info:
        read(statline_csv.ADAPTER, _wide_table_view(72), crime_context())
    assert info.value.params == {"limit": 40, "row": 3}

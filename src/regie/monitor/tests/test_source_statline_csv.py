"""The StatLine CSV export adapter (labels, decimal comma, markers, ambiguous names)."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regie.monitor.sources import statline_csv
from regie.monitor.sources.base import (
    AmbiguousName,
    FormatError,
    ReadContext,
    Row,
    RowError,
    Skip,
    SkipReason,
    Status,
)

FIXTURES = Path(__file__).parent / "fixtures"
ADAPTER = statline_csv.ADAPTER
BOM = b"\xef\xbb\xbf"

POLICE_LABELS = {
    "totaal misdrijven": "politie:0.0.0",
    "1.1.1 diefstal/inbraak woning": "politie:1.1.1",
    "1.4.1 zedenmisdrijf": "politie:1.4.1",
    "1.2.3 diefstal van brom-, snor-, fietsen": "politie:1.2.3",
}
CBS_LABELS = {"misdrijven, totaal": "cbs:T001161", "1.1.1 diefstal/inbraak woning": "cbs:CRI1110"}
OVERLAST_LABELS = {"overlast door verward persoon": "overlast:E33"}
VM_LABELS = {
    "voelt zich wel eens onveilig (%)": "vm:onveilig",
    "voelt zich wel eens onveilig in buurt": "vm:onveilig_buurt",
    "rapportcijfer veiligheid in buurt": "vm:rapportcijfer",
}
AREAS = {
    "utrechtse heuvelrug": "GM0339",
    "doorn-centrum": "WK033901",
    "nederland": "NL01",
    "zuid-holland (pv)": "PV28",
    "groningen (pv)": "PV20",
    "maassluis": "GM0556",
}


def area_by_name(name: str) -> str | None:
    if name.lower() == "doorn":
        raise AmbiguousName(name)
    return AREAS.get(name.lower())


def measure_by_label(source: str, label: str) -> str | None:
    table = {
        "politie": POLICE_LABELS,
        "cbs": CBS_LABELS,
        "overlast": OVERLAST_LABELS,
        "vm": VM_LABELS,
    }
    return table.get(source, {}).get(label.lower())


def make_context(table: str = "") -> ReadContext:
    return ReadContext(table=table, measure_by_label=measure_by_label, area_by_name=area_by_name)


def read(data: bytes, context: ReadContext | None = None) -> list[Row | RowError]:
    return list(ADAPTER.read(io.BytesIO(data), context or make_context()))


def rows(items: list[Row | RowError]) -> list[Row]:
    return [item for item in items if isinstance(item, Row)]


def errors(items: list[Row | RowError]) -> list[RowError]:
    return [item for item in items if isinstance(item, RowError)]


def export(*lines: str, header: str | None = None) -> bytes:
    header = header or (
        '"Soort misdrijf";"Perioden";"Regio\'s";"Geregistreerde misdrijven (aantal)"'
    )
    return BOM + "\r\n".join([header, *lines]).encode() + b"\r\n"


# --- real slices -------------------------------------------------------------------------------


def test_47022ned_slice_reads_labels_bom_and_empty_cells() -> None:
    data = (FIXTURES / "statline_47022ned_heuvelrug_slice.csv").read_bytes()
    assert data.startswith(BOM)
    assert ADAPTER.sniff(data[:65536], "export.csv")
    context = make_context()
    items = read(data, context)

    first = items[0]
    # The export marks no period: it says nothing about status (never a guessed "definitief").
    assert first == Row(2, "GM0339", "politie:0.0.0", "2022M12", 129.0, Status.ONBEKEND)
    by_key = {(r.area, r.measure, r.period): r.value for r in rows(items)}
    assert by_key[("WK033901", "politie:1.1.1", "2023M02")] == 0.0  # a real zero stays zero
    # Rows without any value (suppressed 1.4.1 at buurt level) are skipped, never 0 or an error.
    assert ("GM0339", "politie:1.4.1", "2022M12") not in by_key
    skipped = [item for item in items if isinstance(item, Skip)]
    assert [(s.line, s.reason) for s in skipped] == [
        (line, SkipReason.EMPTY) for line in (11, 12, 13, 14)
    ]
    assert context.info.source == "Politie"


def test_ambiguous_region_name_is_a_row_error_naming_row_column_value() -> None:
    data = (FIXTURES / "statline_47022ned_heuvelrug_slice.csv").read_bytes()
    context = make_context()
    problems = errors(read(data, context))
    # once, not per row (besides the table the file does not name: 47022NED, from its columns)
    assert context.notes == [
        "the file does not name its table; from its columns it is 47022NED (give --table when "
        "it is another)",
        "ambiguous area name 'Doorn'",
    ]
    assert len(problems) == 3
    problem = problems[0]
    assert problem.line == 5  # physical line: header is line 1
    assert problem.column == "Wijken en buurten"
    assert problem.value == "Doorn"
    assert "ambiguous" in problem.message
    assert "Doorn" in str(problem)


def test_gzipped_export_is_read_transparently() -> None:
    data = (FIXTURES / "statline_47022ned_heuvelrug_slice.csv").read_bytes()
    packed = gzip.compress(data)
    assert ADAPTER.sniff(packed[:65536], "export.csv.gz")
    assert read(packed) == read(data)


def test_old_police_export_with_typo_in_topic() -> None:
    data = (FIXTURES / "statline_misdrijven_provincie_slice.csv").read_bytes()
    items = read(data)
    assert not errors(items)
    assert rows(items)[0] == Row(2, "NL01", "politie:0.0.0", "2017", 815525.0, Status.ONBEKEND)
    assert {r.area for r in rows(items)} == {"NL01", "PV28"}


def test_veiligheidsmonitor_wide_file_decimal_comma() -> None:
    data = (FIXTURES / "statline_vm_81877ned_provincie_slice.csv").read_bytes()
    context = make_context()
    items = read(data, context)
    # Four of the seven indicators are unknown to the catalogue: one error each, on the header.
    header_errors = errors(items)
    assert len(header_errors) == 4
    assert all(e.line == 1 for e in header_errors)
    assert all(e.column == e.value for e in header_errors)
    got = {(r.area, r.measure, r.period): r.value for r in rows(items)}
    assert got[("NL01", "vm:onveilig", "2013")] == pytest.approx(36.7)
    assert got[("NL01", "vm:onveilig_buurt", "2013")] == pytest.approx(18.8)
    assert got[("NL01", "vm:rapportcijfer", "2017")] == pytest.approx(7.3)
    assert got[("PV20", "vm:onveilig", "2013")] == pytest.approx(34.9)
    assert context.info.title == "Veiligheidsmonitor"


def test_veiligheidsmonitor_older_column_set() -> None:
    data = (FIXTURES / "statline_vm_regio_oudere_versie_slice.csv").read_bytes()
    items = read(data)
    got = {(r.area, r.measure, r.period): r.value for r in rows(items)}
    assert got[("PV20", "vm:rapportcijfer", "2015")] == pytest.approx(7.3)


def test_label_candidates_split_path_outside_parentheses() -> None:
    header = (
        "(On)veiligheidsbeleving /Woonplaats/Rondom uitgaansgelegenheden "
        "(% wel eens onveilig ('vaak'/'soms'))"
    )
    candidates = statline_csv.label_candidates(header)
    assert candidates[1] == "Rondom uitgaansgelegenheden (% wel eens onveilig ('vaak'/'soms'))"
    assert "Rondom uitgaansgelegenheden" in candidates


def test_pivoted_export_periods_in_columns_is_read() -> None:
    """Formerly refused: the table view with the periods in columns (and its spanning
    "Perioden" row, unit column and title) now imports as population on 1 January."""
    head = (FIXTURES / "statline_bevolking_pivoted_slice.csv").read_bytes()  # header only
    assert ADAPTER.sniff(head[:65536], "bevolking.csv")
    assert read(head) == []
    data = FIXTURES.parent / "real_layouts" / "cbs_37230ned_tabel_perioden_in_kolommen.csv"
    data = data.read_bytes()
    context = make_context()
    items = read(data, context)
    # the test context knows few names
    assert {e.value for e in errors(items)} == {
        "Alblasserdam",
        "Utrecht (PV)",
        "Utrecht (gemeente)",
        "Vijfheerenlanden",
    }
    got = {(r.line, r.area, r.measure, r.period): r.value for r in rows(items)}
    # "Bevolking aan het einde van de periode" 2002 = population on 1 January 2003
    assert got[(5, "NL01", "cbs:bevolking", "2003")] == 16192572.0
    assert got[(5, "NL01", "cbs:bevolking", "2025")] == 18044027.0
    assert context.info.table == "37230NED"
    assert all(r.status == Status.ONBEKEND for r in rows(items))  # the file marks no period


# --- synthetic variants ------------------------------------------------------------------------


def test_markers_give_status_and_dot_is_none() -> None:
    data = export(
        '"Totaal misdrijven";"2021";"Maassluis";1200',
        '"Totaal misdrijven";"2022*";"Maassluis";1245',
        '"Totaal misdrijven";"2023**";"Maassluis";.',
        '"Totaal misdrijven";"2023 oktober*";"Maassluis";',
        '"Totaal misdrijven";"2023 3e kwartaal";"Maassluis";"-"',
    )
    items = read(data)
    got = rows(items)
    # The file marks periods, so an unmarked one is definitief.
    assert [(r.period, r.value, r.status) for r in got] == [
        ("2021", 1200.0, Status.DEFINITIEF),
        ("2022", 1245.0, Status.VOORLOPIG),
        ("2023", None, Status.NADER_VOORLOPIG),
        ("2023Q3", 0.0, Status.DEFINITIEF),  # "-" is CBS "nihil"
    ]
    # A blank cell holds no figure: the row is skipped (never 0, never an error).
    assert [item for item in items if isinstance(item, Skip)] == [
        Skip(5, SkipReason.EMPTY, "Geregistreerde misdrijven (aantal)", "")
    ]


def test_unknown_label_period_and_number_are_row_errors() -> None:
    data = export(
        '"Onbekende soort";"2022";"Maassluis";5',
        '"Totaal misdrijven";"2022 brumaire";"Maassluis";5',
        '"Totaal misdrijven";"2022";"Maassluis";1.245',
        '"Totaal misdrijven";"2022";"Atlantis";5',
    )
    items = read(data)
    assert not rows(items)
    assert [(e.line, e.column, e.value) for e in errors(items)] == [
        (2, "Soort misdrijf", "Onbekende soort"),
        (3, "Perioden", "2022 brumaire"),
        (4, "Geregistreerde misdrijven (aantal)", "1.245"),
        (5, "Regio's", "Atlantis"),
    ]


def test_source_rule_cbs_by_topic_and_by_table_hint() -> None:
    cbs_header = (
        '"Soort misdrijf";"Regio\'s";"Perioden";"Totaal geregistreerde misdrijven (aantal)";'
        '"Geregistreerde misdrijven per 1000 inw. (per 1 000 inwoners)"'
    )
    data = export('"Misdrijven, totaal";"Maassluis";"2022";1245;36,5', header=cbs_header)
    context = make_context()
    items = read(data, context)
    assert rows(items) == [Row(2, "GM0556", "cbs:T001161", "2022", 1245.0, Status.ONBEKEND)]
    assert context.info.source == "CBS"
    assert any("per 1000" in note for note in context.notes)

    # The same police-style label means a CBS code when the table hint says 83648NED.
    data = export('"1.1.1 Diefstal/inbraak woning";"2022";"Maassluis";50')
    hinted = make_context(table="83648NED")
    assert rows(read(data, hinted))[0].measure == "cbs:CRI1110"
    assert hinted.info.table == "83648NED"
    assert hinted.info.title.startswith("Geregistreerde criminaliteit")
    assert rows(read(data))[0].measure == "politie:1.1.1"


def test_overlast_column_uses_overlast_source() -> None:
    header = '"Soort overlast";"Perioden";"Regio\'s";"Registraties overlast (aantal)"'
    data = export('"Overlast door verward persoon";"2022";"Maassluis";88', header=header)
    assert rows(read(data))[0].measure == "overlast:E33"


def test_margins_give_the_value_and_the_95_percent_bounds() -> None:
    """Formerly the bounds were skipped with a note; now they are vm:<key>.ondergrens/.bovengrens
    (CONTRACT I3). A margin that is no bound ("Marge") is noted, not imported."""
    header = '"Marges";"Perioden";"Regio\'s";"Rapportcijfer veiligheid in buurt  (rapportcijfer)"'
    data = export(
        '"Waarde";"2023";"Maassluis";7,1',
        '"Ondergrens 95%-interval";"2023";"Maassluis";6,9',
        '"Bovengrens 95%-interval";"2023";"Maassluis";7,3',
        '"Marge";"2023";"Maassluis";0,2',
        header=header,
    )
    context = make_context()
    assert rows(read(data, context)) == [
        Row(2, "GM0556", "vm:rapportcijfer", "2023", 7.1, Status.ONBEKEND),
        Row(3, "GM0556", "vm:rapportcijfer.ondergrens", "2023", 6.9, Status.ONBEKEND),
        Row(4, "GM0556", "vm:rapportcijfer.bovengrens", "2023", 7.3, Status.ONBEKEND),
    ]
    assert any("1 rows with the margin 'Marge'" in note for note in context.notes)


def test_header_problems_are_format_errors() -> None:
    with pytest.raises(FormatError):
        read(b"")
    with pytest.raises(FormatError):
        read(export(header='"Soort misdrijf";"Perioden";"Geregistreerde misdrijven (aantal)"'))
    with pytest.raises(FormatError, match="Geslacht"):
        read(export(header='"Geslacht";"Perioden";"Regio\'s";"Geregistreerde misdrijven (aantal)"'))


def test_sniff_does_not_claim_other_formats() -> None:
    assert not ADAPTER.sniff(b"gebied;maatstaf;periode;waarde\nGM0556;x;2022;1\n", "x.csv")
    assert not ADAPTER.sniff(b"Postcode,Datum,Soort\r\n3144,29-07-2023,Woninginbraak\r\n", "m.csv")
    odata = b'"ID";"SoortMisdrijf";"RegioS";"Perioden";"GeregistreerdeMisdrijven_1"\n'
    assert not ADAPTER.sniff(odata, "odata.csv")
    assert not ADAPTER.sniff(b'{"odata.metadata": "x", "value": []}', "x.json")
    assert not ADAPTER.sniff(b"PK\x03\x04xl/workbook.xml", "x.xlsx")


# --- properties --------------------------------------------------------------------------------

VALID = (FIXTURES / "statline_47022ned_heuvelrug_slice.csv").read_bytes()
VALID_VM = (FIXTURES / "statline_vm_81877ned_provincie_slice.csv").read_bytes()


def _only_rows_or_format_error(data: bytes) -> None:
    try:
        items = read(data)
    except FormatError:
        return
    assert all(isinstance(item, Row | RowError | Skip) for item in items)
    for item in items:
        if isinstance(item, Row):
            assert item.value is None or isinstance(item.value, float)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    _only_rows_or_format_error(data)
    ADAPTER.sniff(data, "x.csv")


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from([VALID, VALID_VM]),
    st.lists(
        st.tuples(st.integers(0, 4000), st.binary(min_size=0, max_size=8), st.integers(0, 8)),
        min_size=1,
        max_size=6,
    ),
)
def test_mutated_exports_never_crash(base: bytes, edits: list[tuple[int, bytes, int]]) -> None:
    data = bytearray(base)
    for position, insert, delete in edits:
        position %= len(data) + 1
        data[position : position + delete] = insert
    _only_rows_or_format_error(bytes(data))
    _only_rows_or_format_error(gzip.compress(bytes(data)))
    _only_rows_or_format_error(gzip.compress(bytes(data))[: len(data) // 2])


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.lists(
            st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12), max_size=6
        ),
        max_size=8,
    )
)
def test_arbitrary_cells_after_a_valid_header_never_crash(records: list[list[str]]) -> None:
    lines = [";".join(f'"{c}"' for c in cells) for cells in records]
    _only_rows_or_format_error(export(*lines))


def test_title_rows_above_a_long_header_are_skipped() -> None:
    data = export(
        '"Totaal misdrijven";"2022";"Maassluis";1245',
        header=(
            '"Geregistreerde misdrijven; soort misdrijf, regio"\r\n\r\n'
            '"Soort misdrijf";"Perioden";"Regio\'s";"Geregistreerde misdrijven (aantal)"'
        ),
    )
    assert ADAPTER.sniff(data, "export.csv")
    assert rows(read(data)) == [Row(4, "GM0556", "politie:0.0.0", "2022", 1245.0, Status.ONBEKEND)]

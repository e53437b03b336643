"""The local-figures template adapter (CSV and XLSX)."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regie.monitor.sources import local
from regie.monitor.sources.base import (
    AmbiguousName,
    FormatError,
    ReadContext,
    Row,
    RowError,
    Status,
)

ADAPTER = local.ADAPTER
TEMPLATES = Path(local.__file__).parent.parent / "data" / "templates"
AREAS = {"maassluis": "GM0556", "koningshoek": "WK055601"}


def area_by_name(name: str) -> str | None:
    if name.lower() == "centrum":
        raise AmbiguousName(name)
    return AREAS.get(name.lower())


def measure_by_label(source: str, label: str) -> str | None:
    return {"huiselijk geweld meldingen": "local:hg_meldingen"}.get(label.lower())


def make_context() -> ReadContext:
    return ReadContext(area_by_name=area_by_name, measure_by_label=measure_by_label)


def read(data: bytes, context: ReadContext | None = None) -> list[Row | RowError]:
    return list(ADAPTER.read(io.BytesIO(data), context or make_context()))


def rows(items: list[Row | RowError]) -> list[Row]:
    return [item for item in items if isinstance(item, Row)]


def errors(items: list[Row | RowError]) -> list[RowError]:
    return [item for item in items if isinstance(item, RowError)]


def xlsx(rows_: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows_:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- the shipped template ----------------------------------------------------------------------

EXPECTED_TEMPLATE = [
    ("GM0556", "local:huisverboden", "2019", 19.0, Status.DEFINITIEF),
    ("GM0556", "local:huisverboden", "2020", 19.0, Status.DEFINITIEF),
    ("GM0556", "local:huisverboden", "2021", 14.0, Status.DEFINITIEF),
    ("GM0556", "local:huisverboden", "2022H1", 14.0, Status.VOORLOPIG),
    ("GM0556", "local:bibob_onderzoeken", "2022", 7.0, Status.DEFINITIEF),
    ("GM0556", "local:cameratoezicht_uren", "2022", 1245.5, Status.DEFINITIEF),
    ("GM0556", "local:sluitingen_drugspanden", "2023YTD10", None, Status.ONBEKEND),
]


def test_shipped_csv_template_reads_cleanly() -> None:
    data = (TEMPLATES / "lokale-cijfers-sjabloon.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert ADAPTER.sniff(data, "lokale-cijfers-sjabloon.csv")
    context = make_context()
    items = read(data, context)
    assert not errors(items)
    assert [(r.area, r.measure, r.period, r.value, r.status) for r in rows(items)] == (
        EXPECTED_TEMPLATE
    )
    assert rows(items)[0].line == 2  # header is line 1
    assert context.info.source == "gemeente"
    assert any("registratie gemeente" in note for note in context.notes)


def test_written_xlsx_template_reads_the_same(tmp_path: Path) -> None:
    path = tmp_path / "sjabloon.xlsx"
    local.write_template_xlsx(path)
    data = path.read_bytes()
    assert ADAPTER.sniff(data[:65536], "sjabloon.xlsx")
    items = read(data)
    assert not errors(items)
    got = rows(items)
    assert [(r.area, r.measure, r.period, r.value, r.status) for r in got] == EXPECTED_TEMPLATE
    assert got[0].line == 4  # title row, empty row, header row
    shipped = (TEMPLATES / "lokale-cijfers-sjabloon.xlsx").read_bytes()
    assert rows(read(shipped)) == got


# --- CSV variants ------------------------------------------------------------------------------


def test_cp1252_file_with_accents_comma_delimiter_and_any_header_case() -> None:
    text = (
        "Periode,Waarde,Gebied,Maatstaf,Toelichting\r\n"
        "2023M10,3,GM0556,huisverboden,café De Zwaan gesloten\r\n"
        '2023Q3,"4,5",Maassluis,local:overlast_horeca,\r\n'
    )
    data = text.encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    context = make_context()
    items = read(data, context)
    assert rows(items) == [
        Row(2, "GM0556", "local:huisverboden", "2023M10", 3.0),
        Row(3, "GM0556", "local:overlast_horeca", "2023Q3", 4.5),
    ]
    assert any("café De Zwaan" in note for note in context.notes)


def test_empty_and_dot_are_none_not_zero() -> None:
    data = b"gebied;maatstaf;periode;waarde\nGM0556;a;2022;\nGM0556;b;2022;.\nGM0556;c;2022;0\n"
    assert [r.value for r in rows(read(data))] == [None, None, 0.0]


@pytest.mark.parametrize(
    ("text", "expected", "grouped"),
    [
        ("14", 14.0, False),
        ("3,5", 3.5, False),
        ("1,245", 1.245, False),  # a comma is always the decimal separator
        ("1.245", 1245.0, True),  # a dot before exactly three digits groups thousands
        ("12.500", 12500.0, True),
        ("1.245.000", 1245000.0, True),
        ("1.245,5", 1245.5, False),
        ("1 245", 1245.0, False),
        ("1\u00a0245,5", 1245.5, False),
        ("7.3", 7.3, False),
        ("36.75", 36.75, False),
        ("0.245", 0.245, False),  # a leading 0 cannot start a thousands group
        ("1.2345", 1.2345, False),
        ("1245.000", 1245.0, False),  # four digits before the dot: not a group
        ("-2,5", -2.5, False),
        ("", None, False),
        (" . ", None, False),
    ],
)
def test_number_rule(text: str, expected: float | None, grouped: bool) -> None:
    value, used = local.parse_number(text)
    assert value == (pytest.approx(expected) if expected is not None else None)
    assert used is grouped


@pytest.mark.parametrize(
    "text", ["1,245,000", "1,245.5", "12.34.5", "5%", "1e3", "abc", "-", "١٢", "1.24", "nan"]
)
def test_number_rule_refuses(text: str) -> None:
    if text == "1.24":  # one dot, two digits: a decimal point, accepted
        assert local.parse_number(text) == (1.24, False)
        return
    with pytest.raises(local.NumberError):
        local.parse_number(text)


def test_thousands_dot_is_noted() -> None:
    data = b"gebied;maatstaf;periode;waarde\nGM0556;inwoners;2022;35.303\n"
    context = make_context()
    assert rows(read(data, context))[0].value == 35303.0
    assert any("line(s) 2 (35.303" in note for note in context.notes)


def test_row_errors_name_line_column_and_raw_value() -> None:
    data = (
        b"Gebied;Maatstaf;Periode;Waarde;Status\n"
        b"GM0556;huisverboden;2022;1,245,000;definitief\n"
        b"Centrum;huisverboden;2022;3;\n"
        b"GM0556;huisverboden;2022Q5;3;\n"
        b"GM0556;;2022;3;\n"
        b"GM0556;huisverboden;2022;3;misschien\n"
        b"Atlantis;huisverboden;2022;3;\n"
    )
    got = [(e.line, e.column, e.value) for e in errors(read(data))]
    assert got == [
        (2, "Waarde", "1,245,000"),
        (3, "Gebied", "Centrum"),
        (4, "Periode", "2022Q5"),
        (5, "Maatstaf", ""),
        (6, "Status", "misschien"),
        (7, "Gebied", "Atlantis"),
    ]
    ambiguous = errors(read(data))[1]
    assert "ambiguous" in ambiguous.message


def test_measure_forms() -> None:
    data = (
        b"gebied;maatstaf;periode;waarde\n"
        b"GM0556;Huisverboden;2022;1\n"
        b"GM0556;politie:1.1.1;2022;2\n"
        b"GM0556;Huiselijk geweld meldingen;2022;3\n"
        b"WK055601;LOCAL:Camera;2022JJ00;4\n"
        b"koningshoek;local:x;2021-03/2022-03;5\n"
    )
    got = [(r.area, r.measure, r.period) for r in rows(read(data))]
    assert got == [
        ("GM0556", "local:huisverboden", "2022"),
        ("GM0556", "politie:1.1.1", "2022"),
        ("GM0556", "local:hg_meldingen", "2022"),
        ("WK055601", "local:Camera", "2022"),
        ("WK055601", "local:x", "2021-03/2022-03"),
    ]


def test_missing_required_column_is_a_format_error_naming_it() -> None:
    with pytest.raises(FormatError, match="periode"):
        read(b"gebied;maatstaf;waarde\nGM0556;x;1\n")
    with pytest.raises(FormatError, match="no header"):
        read(b"a;b;c\n1;2;3\n")
    with pytest.raises(FormatError):
        read(b"")


def test_extra_columns_are_noted_and_blank_rows_skipped() -> None:
    data = b"gebied;maatstaf;periode;waarde;bron\n\n;;;;\nGM0556;x;2022;1;eigen\n"
    context = make_context()
    items = read(data, context)
    assert rows(items) == [Row(4, "GM0556", "local:x", "2022", 1.0)]
    assert "columns not imported: bron" in context.notes


# --- XLSX --------------------------------------------------------------------------------------


def test_xlsx_with_title_rows_numeric_cells_and_sheet_row_numbers() -> None:
    data = xlsx(
        [
            ["Huisverboden Maassluis"],
            ["bron: team veiligheid"],
            [],
            [None, "Gebied", "Maatstaf", "Periode", "Waarde", "Toelichting"],
            [None, "GM0556", "huisverboden", 2019, 19, None],
            [None, "GM0556", "huisverboden", "2022H1", 14.5, "halfjaar"],
            [None, "GM0556", "huisverboden", "2023M01", "1.245", None],
            [None, "GM0556", "huisverboden", "2023M02", None, None],
            [None, "GM0556", "huisverboden", "2023M03", True, None],
        ]
    )
    context = make_context()
    items = read(data, context)
    assert context.info.title == "Huisverboden Maassluis"
    assert rows(items) == [
        Row(5, "GM0556", "local:huisverboden", "2019", 19.0),
        Row(6, "GM0556", "local:huisverboden", "2022H1", 14.5),
        Row(7, "GM0556", "local:huisverboden", "2023M01", 1245.0),
        Row(8, "GM0556", "local:huisverboden", "2023M02", None),
    ]
    assert [(e.line, e.column, e.value) for e in errors(items)] == [(9, "Waarde", "True")]


def test_xlsx_date_in_period_column_is_a_row_error() -> None:
    import datetime as dt

    data = xlsx(
        [["gebied", "maatstaf", "periode", "waarde"], ["GM0556", "x", dt.date(2023, 1, 1), 1]]
    )
    (problem,) = read(data)
    assert isinstance(problem, RowError)
    assert problem.line == 2
    assert problem.column == "periode"


def test_damaged_xlsx_is_a_format_error() -> None:
    data = xlsx([["gebied", "maatstaf", "periode", "waarde"]])
    with pytest.raises(FormatError):
        read(data[: len(data) // 2])
    with pytest.raises(FormatError):
        read(b"PK\x03\x04 not really a zip")


def test_gzipped_csv_is_read() -> None:
    data = gzip.compress(b"gebied;maatstaf;periode;waarde\nGM0556;x;2022;1\n")
    assert ADAPTER.sniff(data, "x.csv.gz")
    assert rows(read(data)) == [Row(2, "GM0556", "local:x", "2022", 1.0)]


def test_sniff_does_not_claim_other_formats() -> None:
    statline = (
        Path(__file__).parent / "fixtures" / "statline_47022ned_heuvelrug_slice.csv"
    ).read_bytes()
    assert not ADAPTER.sniff(statline, "export.csv")
    assert not ADAPTER.sniff(b"Postcode,Datum,Soort\r\n3144,29-07-2023,Woninginbraak\r\n", "m.csv")
    assert not ADAPTER.sniff(b'{"value": []}', "x.json")
    assert not ADAPTER.sniff(b"PK\x03\x04something", "archive.zip")
    seed = b"gemeente_code,gemeente,source,measure,period,period_end,value,unit\n"
    assert not ADAPTER.sniff(seed, "figures.csv")
    # A Dutch template with one column missing is still recognised, so read() can name it.
    assert ADAPTER.sniff(b"gebied;maatstaf;waarde\n", "x.csv")
    assert ADAPTER.sniff(b"Area,Measure,Period,Value\n", "x.csv")


# --- properties --------------------------------------------------------------------------------

VALID_CSV = (TEMPLATES / "lokale-cijfers-sjabloon.csv").read_bytes()
VALID_XLSX = (TEMPLATES / "lokale-cijfers-sjabloon.xlsx").read_bytes()


def _only_rows_or_format_error(data: bytes) -> None:
    try:
        items = read(data)
    except FormatError:
        return
    assert all(isinstance(item, Row | RowError) for item in items)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    _only_rows_or_format_error(data)
    _only_rows_or_format_error(b"PK\x03\x04" + data)
    ADAPTER.sniff(data, "x.xlsx")


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from([VALID_CSV, VALID_XLSX]),
    st.lists(
        st.tuples(st.integers(0, 6000), st.binary(max_size=6), st.integers(0, 6)),
        min_size=1,
        max_size=5,
    ),
)
def test_mutated_files_never_crash(base: bytes, edits: list[tuple[int, bytes, int]]) -> None:
    data = bytearray(base)
    for position, insert, delete in edits:
        position %= len(data) + 1
        data[position : position + delete] = insert
    _only_rows_or_format_error(bytes(data))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=15), min_size=4, max_size=6))
def test_arbitrary_cell_text_never_crashes(cells: list[str]) -> None:
    line = ";".join('"' + c.replace('"', '""') + '"' for c in cells)
    data = ("gebied;maatstaf;periode;waarde;status;toelichting\n" + line + "\n").encode(
        "utf-8", errors="surrogatepass"
    )
    _only_rows_or_format_error(data)
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    clean = [ILLEGAL_CHARACTERS_RE.sub("", c).encode("utf-8", "ignore").decode() for c in cells]
    _only_rows_or_format_error(xlsx([["gebied", "maatstaf", "periode", "waarde"], clean]))


# --- limits (issue 13) -------------------------------------------------------------------------


def test_a_cell_longer_than_the_template_allows_is_a_row_error_with_a_short_value() -> None:
    long_area = "G" * (local.MAX_CELL_CHARS + 1)
    data = f"gebied;maatstaf;periode;waarde\n{long_area};x;2022;1\nGM0556;x;2022;2\n".encode()
    items = read(data)
    (problem,) = errors(items)
    assert (problem.line, problem.column, problem.message) == (2, "gebied", local.CELL_TOO_LONG)
    assert len(problem.value) == 100
    assert problem.value.endswith("…")
    assert rows(items) == [Row(3, "GM0556", "local:x", "2022", 2.0)]


def test_a_cell_of_exactly_the_limit_is_read() -> None:
    remark = "r" * local.MAX_CELL_CHARS
    data = f"gebied;maatstaf;periode;waarde;toelichting\nGM0556;x;2022;1;{remark}\n".encode()
    context = make_context()
    assert rows(read(data, context)) == [Row(2, "GM0556", "local:x", "2022", 1.0)]
    assert all(len(note) <= 500 for note in context.notes)


def test_row_errors_and_notes_are_bounded() -> None:
    error = RowError(1, "k" * 500, "v" * 500, "m" * 500)
    assert (len(error.column), len(error.value), len(error.message)) == (100, 100, 300)
    assert str(error)  # still printable
    context = make_context()
    context.notes.extend(f"note {n}" for n in range(1000))
    context.notes += ["more"]
    assert len(context.notes) == 201
    assert context.notes[-1] == "further notes were left out"


def test_gzip_and_plain_files_are_read_up_to_the_limit() -> None:
    data = b"gebied;maatstaf;periode;waarde\nGM0556;x;2022;1\n"
    assert local.read_all(io.BytesIO(gzip.compress(data)), len(data)) == data
    assert local.read_all(io.BytesIO(data), len(data)) == data
    with pytest.raises(FormatError, match="once unpacked"):
        local.read_all(io.BytesIO(gzip.compress(data)), len(data) - 1)
    with pytest.raises(FormatError, match="too large"):
        local.read_all(io.BytesIO(data), len(data) - 1)
    with pytest.raises(FormatError, match="damaged"):
        local.read_all(io.BytesIO(gzip.compress(data)[:-8] + b"\0" * 8), 1000)
    # Two gzip members (as `cat a.gz b.gz` makes) are one file.
    assert local.read_all(io.BytesIO(gzip.compress(b"ab") + gzip.compress(b"cd"))) == b"abcd"


def test_too_many_rows_is_a_format_error_and_columns_are_capped() -> None:
    data = b"gebied;maatstaf;periode;waarde\n" + b"\n" * local.MAX_ROWS
    with pytest.raises(FormatError, match="100,000 rows"):
        read(data)
    wide = b"gebied;maatstaf;periode;waarde" + b";x" * 200 + b"\nGM0556;x;2022;1\n"
    context = make_context()
    assert rows(read(wide, context)) == [Row(2, "GM0556", "local:x", "2022", 1.0)]
    assert len(context.notes[0].split(",")) < local.MAX_COLUMNS


def test_the_limit_messages_name_the_limits() -> None:
    assert f"{local.MAX_ROWS:,}" in local.TOO_MANY_ROWS
    assert f"{local.MAX_CELL_CHARS:,}" in local.CELL_TOO_LONG


def test_an_organisation_uploads_its_own_areas_and_measures_only() -> None:
    data = (
        b"gebied;maatstaf;periode;waarde\n"
        b"GM0556;huisverboden;2022;1\n"
        b"koningshoek;local:x;2022;2\n"
        b"BU05560101;x;2022;3\n"
        b"GM0482;x;2022;4\n"
        b"BU04820101;x;2022;5\n"
        b"NL01;x;2022;6\n"
        b"GM0556;politie:1.1.1;2022;7\n"
        b"GM0556;vm:onveilig;2022;8\n"
    )
    context = make_context()
    context.own_gemeente = "GM0556"
    items = read(data, context)
    assert [(r.line, r.area) for r in rows(items)] == [
        (2, "GM0556"),
        (3, "WK055601"),
        (4, "BU05560101"),
    ]
    assert [(e.line, e.column, e.message) for e in errors(items)] == [
        (5, "gebied", local.NOT_OWN_AREA),
        (6, "gebied", local.NOT_OWN_AREA),
        (7, "gebied", local.NOT_OWN_AREA),
        (8, "maatstaf", local.NOT_OWN_MEASURE),
        (9, "maatstaf", local.NOT_OWN_MEASURE),
    ]
    # Without an organisation (open data imported by an administrator) nothing is restricted.
    assert len(rows(read(data))) == 8


def test_a_buurt_name_of_many_gemeenten_is_the_own_gemeentes_buurt() -> None:
    """ "Binnenstad" is a buurt in 53 gemeenten: in Maassluis' own figures it is Maassluis'
    Binnenstad; a name with no candidate (or several) in the own gemeente stays an error."""

    def ambiguous(
        name: str,
        level: str | None = None,
        year: int | None = None,
        within: str | None = None,
        within_only: bool = False,
    ) -> str | None:
        # the look-up's rule (areas.selectors.NameIndex.resolve): own areas win outright
        if name.lower() == "binnenstad" and within == "GM0556" and within_only:
            return "BU05560303"
        raise AmbiguousName(f"'{name}' could be several areas", ("BU00720001", "BU03630000"))

    data = b"gebied;maatstaf;periode;waarde\nBinnenstad;x;2022;1\nCentrum;x;2022;2\n"
    context = ReadContext(area_by_name=ambiguous, measure_by_label=measure_by_label)
    context.own_gemeente = "GM0556"
    items = read(data, context)
    assert [(r.line, r.area) for r in rows(items)] == [(2, "BU05560303")]
    assert [(e.line, e.value) for e in errors(items)] == [(3, "Centrum")]

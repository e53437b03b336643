"""The odata-csv adapter: TypedDataSet rows saved as CSV/TSV."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regie.monitor.sources import get
from regie.monitor.sources.base import FormatError, ReadContext, Row, RowError, Status
from regie.monitor.sources.odata_csv import ADAPTER

FIXTURES = Path(__file__).parent / "fixtures" / "odata"
BUURTEN = FIXTURES / "focus_buurten_47018NED_2023_verbatim.csv"
MAAND = FIXTURES / "sample_47022NED_typed_met_labels.tsv"
HEADER = "ID,SoortMisdrijf,WijkenEnBuurten,Perioden,GeregistreerdeMisdrijven_1\n"


def read(data: bytes | str, context: ReadContext | None = None) -> list[Row | RowError]:
    if isinstance(data, str):
        data = data.encode()
    return list(ADAPTER.read(io.BytesIO(data), context or ReadContext(table="47018NED")))


def test_registered_under_its_name() -> None:
    assert get("odata-csv") is ADAPTER


def test_reads_real_47018ned_file_table_from_file_name() -> None:
    context = ReadContext()
    with BUURTEN.open("rb") as stream:
        items = list(ADAPTER.read(stream, context))
        assert not stream.closed  # the adapter leaves the caller's stream open
    assert len(items) == 48
    assert all(isinstance(i, Row) for i in items)
    # the header is line 1, the first record line 2 (was 1: wrong)
    assert items[0] == Row(2, "BU04820101", "politie:0.0.0", "2023", 12.0, Status.ONBEKEND)
    assert sum(i.value or 0 for i in items if i.area.startswith("BU0556")) == 1132
    assert context.info.table == "47018NED"
    assert context.info.source == "Politie"
    assert context.notes == [
        "column 'Gemeentenaam_2' not imported",
        "column 'SoortRegio_3' not imported",
    ]


def test_reads_real_47022ned_tsv() -> None:
    context = ReadContext(period_status={"2023MM12": Status.VOORLOPIG})
    with MAAND.open("rb") as stream:
        items = list(ADAPTER.read(stream, context))
    rows = [i for i in items if isinstance(i, Row)]
    assert len(rows) == len(items) == 236
    first = rows[0]
    assert first == Row(2, "GM1680", "politie:0.0.0", "2012M01", 37.0, Status.ONBEKEND)
    totals = [r for r in rows if r.area == "GM1680" and r.measure == "politie:0.0.0"]
    assert len(totals) == 144  # the complete monthly series
    assert totals[-1].period == "2023M12"
    assert totals[-1].status is Status.VOORLOPIG
    assert {"politie:1.1.1", "politie:1.1.2", "politie:1.2.2"} <= {r.measure for r in rows}
    assert context.notes == [
        "column 'WijkenEnBuurtenRaw' not imported",
        "column 'SoortMisdrijfRaw' not imported",
        "column 'PeriodenRaw' not imported",
    ]


def test_semicolon_bom_padding_nl00_and_missing_values() -> None:
    data = (
        '\ufeff"SoortMisdrijf";"RegioS";"Perioden";"GeregistreerdeMisdrijven_1"\r\n'
        '"0.0.0 ";"NL00      ";"2023JJ00";"    812345"\r\n'
        '"1.1.1 ";"GM0556    ";"2023JJ00";"       ."\r\n'
        '"1.1.1 ";"GM0482    ";"2023JJ00";""\r\n'
        '"1.1.1 ";"GM0482    ";"2023JJ00";"0"\r\n'
    )
    items = read(data, ReadContext(table="47013NED"))
    assert [(i.area, i.measure, i.value) for i in items if isinstance(i, Row)] == [
        ("NL01", "politie:0.0.0", 812345.0),
        ("GM0556", "politie:1.1.1", None),
        ("GM0482", "politie:1.1.1", None),
        ("GM0482", "politie:1.1.1", 0.0),
    ]


def test_overlast_table() -> None:
    data = "SoortOverlast,RegioS,Perioden,GeregistreerdeOverlast_1\nE33   ,RE07    ,2023JJ00,1500\n"
    (row,) = read(data, ReadContext(table="47021NED"))
    assert row == Row(2, "RE07", "overlast:E33", "2023", 1500.0, Status.ONBEKEND)


def test_row_errors_with_line_column_value() -> None:
    data = (
        HEADER
        + "1,0.0.0 ,BU05560101,2023JJ00,12\n"
        + "2,0.0.0 ,BU05560102,2023XX00,3\n"
        + "3,0.0.0 ,BU05560103,2023JJ00,drie\n"
        + "4,0.0.0 ,BU05560104\n"
        + "5,,BU05560104,2023JJ00,1\n"
        + "\n"
        + "7,0.0.0 ,BU05560105,2023JJ00,nan\n"
    )
    items = read(data)
    assert isinstance(items[0], Row)
    errors = [i for i in items if isinstance(i, RowError)]
    # physical lines: the header is line 1 (these were record numbers, one too low)
    assert [(e.line, e.column, e.value) for e in errors] == [
        (3, "Perioden", "2023XX00"),
        (4, "GeregistreerdeMisdrijven_1", "drie"),
        (5, "Perioden", "4,0.0.0 ,BU05560104"),
        (6, "SoortMisdrijf", ""),
        (8, "GeregistreerdeMisdrijven_1", "nan"),
    ]


def test_no_table_is_format_error() -> None:
    with pytest.raises(FormatError, match="--table"):
        read(HEADER, ReadContext())


def test_unknown_table_is_format_error() -> None:
    with pytest.raises(FormatError, match="12345NED"):
        read(HEADER, ReadContext(table="12345NED"))


def test_missing_columns_is_format_error() -> None:
    with pytest.raises(FormatError, match="GeregistreerdeMisdrijven_1"):
        read("SoortMisdrijf,WijkenEnBuurten,Perioden,Aantal\n")
    with pytest.raises(FormatError, match="RegioS or WijkenEnBuurten"):
        read("SoortMisdrijf,Regio,Perioden,GeregistreerdeMisdrijven_1\n")


@pytest.mark.parametrize("data", [b"", b"\n\n", b"just one column\n"])
def test_empty_or_headerless_is_format_error(data: bytes) -> None:
    with pytest.raises(FormatError):
        read(data)


def test_sniff() -> None:
    assert ADAPTER.sniff(BUURTEN.read_bytes()[:500], BUURTEN.name)
    assert ADAPTER.sniff(MAAND.read_bytes()[:500], MAAND.name)
    assert not ADAPTER.sniff(b"Id,Measure,ValueAttribute,Value,SoortMisdrijf,RegioS,Perioden\n", "")
    assert not ADAPTER.sniff(b'"Soort misdrijf";"Perioden";"Regio\'s";"Aantal"\n', "")
    assert not ADAPTER.sniff(b'{"value": []}', "x.json")


def test_many_rows_share_cached_codes() -> None:
    body = "".join(
        f"{i},1.1.1 ,BU0556010{i % 3},2023MM{i % 12 + 1:02d},{i % 5}\n" for i in range(500)
    )
    items = read(HEADER + body, ReadContext(table="47022NED"))
    assert len(items) == 500
    assert all(isinstance(i, Row) for i in items)
    assert items[13] == Row(15, "BU05560101", "politie:1.1.1", "2023M02", 3.0, Status.ONBEKEND)


def _check(data: bytes) -> None:
    try:
        for item in ADAPTER.read(io.BytesIO(data), ReadContext(table="47018NED")):
            assert isinstance(item, Row | RowError)
    except FormatError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_only_format_error(data: bytes) -> None:
    _check(data)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_malformed_body_after_valid_header(body: bytes) -> None:
    _check(HEADER.encode() + body)

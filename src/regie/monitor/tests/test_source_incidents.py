"""The incident-list adapter (Misdaad in kaart and similar lists)."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regie.monitor.sources import incidents
from regie.monitor.sources.base import (
    AmbiguousName,
    FormatError,
    ReadContext,
    Row,
    RowError,
    Status,
)

FIXTURES = Path(__file__).parent / "fixtures"
ADAPTER = incidents.ADAPTER
MIK = (FIXTURES / "mik_pc4_woninginbraak_slice.csv.gz").read_bytes()

POSTCODES = {**{str(pc): "GM0556" for pc in range(3141, 3148)}, "2953": "GM0482", "9728": "GM0014"}
TYPES = {
    "woninginbraak": "local:mik_woninginbraak",
    "poging tot woninginbraak": "local:mik_poging_woninginbraak",
}


def area_by_name(name: str) -> str | None:
    if name.lower() == "centrum":
        raise AmbiguousName(name)
    return {"koningshoek": "WK055601"}.get(name.lower())


def make_context(postcodes: dict[str, str] | None = None) -> ReadContext:
    table = POSTCODES if postcodes is None else postcodes
    return ReadContext(
        area_by_postcode=table.get,
        area_by_name=area_by_name,
        measure_by_label=lambda source, label: (
            TYPES.get(label.lower()) if source == "incidents" else None
        ),
    )


def read(data: bytes, context: ReadContext | None = None) -> list[Row | RowError]:
    return list(ADAPTER.read(io.BytesIO(data), context or make_context()))


def rows(items: list[Row | RowError]) -> list[Row]:
    return [item for item in items if isinstance(item, Row)]


def errors(items: list[Row | RowError]) -> list[RowError]:
    return [item for item in items if isinstance(item, RowError)]


def test_mik_slice_gzip_is_aggregated_per_month_area_type() -> None:
    assert MIK.startswith(b"\x1f\x8b")
    assert ADAPTER.sniff(MIK[:65536], "MiK.csv.gz")
    context = make_context()
    items = read(MIK, context)
    assert not errors(items)
    counted = {(r.area, r.measure, r.period): (r.value, r.status) for r in rows(items)}
    got = {key: value for key, value in counted.items() if value[0]}
    assert got == {
        ("GM0556", "local:mik_woninginbraak", "2023M07"): (2.0, Status.ONBEKEND),
        ("GM0556", "local:mik_woninginbraak", "2023M08"): (1.0, Status.ONBEKEND),
        ("GM0556", "local:mik_woninginbraak", "2023M09"): (3.0, Status.ONBEKEND),
        ("GM0556", "local:mik_poging_woninginbraak", "2023M09"): (2.0, Status.ONBEKEND),
        # 3143,14-02-2024 appears twice in the feed: counted once.
        ("GM0556", "local:mik_woninginbraak", "2024M02"): (1.0, Status.ONBEKEND),
        ("GM0482", "local:mik_woninginbraak", "2023M06"): (1.0, Status.ONBEKEND),
        # The newest month of the file is incomplete.
        ("GM0014", "local:mik_woninginbraak", "2026M06"): (1.0, Status.VOORLOPIG),
    }
    first = rows(items)[0]
    assert (first.line, first.period) == (7, "2023M07")  # line of the first incident counted
    notes = " | ".join(context.notes)
    assert "1 duplicate incidents" in notes
    assert "10 incidents outside the gemeente's areas were skipped" in notes
    assert "2026M06" in notes
    assert "provisional" in notes
    assert "the file starts on 25-04-2023: month 2023M04 may be incomplete" in notes


def test_duplicates_counted_once_and_noted() -> None:
    data = (
        b"Postcode;Datum;Soort\n"
        b"3144;01-03-2024;Woninginbraak\n"
        b"3144;01-03-2024;Woninginbraak\n"
        b"3144;01-03-2024;woninginbraak\n"
        b"3144;01-03-2024;Poging tot woninginbraak\n"
        b"3145;01-03-2024;Woninginbraak\n"
        b"3144;02-04-2024;Woninginbraak\n"
    )
    context = make_context()
    got = rows(read(data, context))
    assert [(r.measure, r.period, r.value, r.status) for r in got] == [
        ("local:mik_woninginbraak", "2024M03", 2.0, Status.ONBEKEND),
        ("local:mik_poging_woninginbraak", "2024M03", 1.0, Status.ONBEKEND),
        ("local:mik_woninginbraak", "2024M04", 1.0, Status.VOORLOPIG),
        # No attempt in April: a month in the file's range without an incident is 0.
        ("local:mik_poging_woninginbraak", "2024M04", 0.0, Status.VOORLOPIG),
    ]
    assert any(note.startswith("2 duplicate incidents") for note in context.notes)


def test_unknown_postcode_is_skipped_with_a_note_not_an_error() -> None:
    data = b"Postcode,Datum,Soort\n1011,11-07-2023,Woninginbraak\n1012,12-07-2023,Woninginbraak\n"
    context = make_context()
    assert read(data, context) == []
    assert "2 incidents outside the gemeente's areas were skipped" in context.notes


def test_bad_date_is_a_row_error_with_line_column_value() -> None:
    data = (
        b"Postcode,Datum,Soort\n"
        b"3144,29-07-2023,Woninginbraak\n"
        b"3144,31-02-2023,Woninginbraak\n"
        b"1011,gisteren,Woninginbraak\n"
        b"3144,,Woninginbraak\n"
    )
    items = read(data)
    assert [(e.line, e.column, e.value) for e in errors(items)] == [
        (3, "Datum", "31-02-2023"),
        (4, "Datum", "gisteren"),  # even outside the gemeente: the file itself is wrong
        (5, "Datum", ""),
    ]
    assert len(rows(items)) == 1


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("29-07-2023", "2023-07-29"),
        ("1-2-2024", "2024-02-01"),
        ("29/07/2023", "2023-07-29"),
        ("2023-07-29", "2023-07-29"),
        ("2023-07-29T13:45:00", "2023-07-29"),
        ("29-07-2023 13:45", "2023-07-29"),
    ],
)
def test_date_forms(text: str, iso: str) -> None:
    assert incidents.parse_date(text).isoformat() == iso


def test_unknown_type_is_one_error_plus_a_note() -> None:
    data = (
        b"Postcode,Datum,Soort\n3144,01-01-2024,Fietsendiefstal\n3144,02-01-2024,Fietsendiefstal\n"
    )
    context = make_context()
    items = read(data, context)
    assert [(e.line, e.column, e.value) for e in errors(items)] == [(2, "Soort", "Fietsendiefstal")]
    assert "2 incidents have the unknown type 'fietsendiefstal'" in context.notes


def test_area_column_pc6_and_bad_postcode() -> None:
    data = (
        "Datum;Gebied;Postcode;Soort\n"
        "01-01-2024;Koningshoek;;Woninginbraak\n"
        "02-01-2024;;3144 AB;Woninginbraak\n"
        "03-01-2024;;31;Woninginbraak\n"
        "04-01-2024;Centrum;;Woninginbraak\n"
        "05-01-2024;;;Woninginbraak\n"
    ).encode("cp1252")
    context = make_context()
    items = read(data, context)
    assert [(r.area, r.period) for r in rows(items)] == [
        ("WK055601", "2024M01"),
        ("GM0556", "2024M01"),
    ]
    assert [(e.line, e.column, e.value) for e in errors(items)] == [
        (4, "Postcode", "31"),
        (5, "Gebied", "Centrum"),
    ]
    assert "1 incidents without postcode or area were skipped" in context.notes


def test_missing_columns_are_format_errors() -> None:
    with pytest.raises(FormatError, match="Soort"):
        read(b"Postcode,Datum\n3144,01-01-2024\n")
    with pytest.raises(FormatError, match="Postcode"):
        read(b"Datum,Soort\n01-01-2024,Woninginbraak\n")
    with pytest.raises(FormatError):
        read(b"")
    with pytest.raises(FormatError):
        read(b"\x1f\x8b\x08\x00broken gzip")


def test_sniff_does_not_claim_other_formats() -> None:
    statline = (FIXTURES / "statline_47022ned_heuvelrug_slice.csv").read_bytes()
    assert not ADAPTER.sniff(statline, "export.csv")
    assert not ADAPTER.sniff(b"gebied;maatstaf;periode;waarde\n", "local.csv")
    assert not ADAPTER.sniff(b"PK\x03\x04xl/workbook.xml", "local.xlsx")
    assert not ADAPTER.sniff(b'{"value": []}', "x.json")


# --- properties --------------------------------------------------------------------------------

PLAIN = gzip.decompress(MIK)


def _only_rows_or_format_error(data: bytes) -> None:
    try:
        items = read(data)
    except FormatError:
        return
    assert all(isinstance(item, Row | RowError) for item in items)
    assert all(isinstance(r.value, float) and r.value >= 0 for r in rows(items))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    _only_rows_or_format_error(data)
    _only_rows_or_format_error(b"\x1f\x8b" + data)
    ADAPTER.sniff(data, "x.csv")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 1000), st.binary(max_size=6), st.integers(0, 6)),
        min_size=1,
        max_size=6,
    )
)
def test_mutated_feed_never_crashes(edits: list[tuple[int, bytes, int]]) -> None:
    data = bytearray(PLAIN)
    for position, insert, delete in edits:
        position %= len(data) + 1
        data[position : position + delete] = insert
    _only_rows_or_format_error(bytes(data))
    _only_rows_or_format_error(gzip.compress(bytes(data)))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.text(max_size=12), st.text(max_size=12), st.text(max_size=12)), max_size=8
    )
)
def test_arbitrary_cells_never_crash(records: list[tuple[str, str, str]]) -> None:
    lines = ["Postcode;Datum;Soort"] + [
        ";".join(f'"{c.replace(chr(34), "")}"' for c in r) for r in records
    ]
    _only_rows_or_format_error("\n".join(lines).encode("utf-8", "ignore"))


def test_a_list_that_starts_mid_month_marks_its_first_month_incomplete() -> None:
    """The first month of a list that starts on the 17th holds half a month: it is provisional
    (incomplete), like the newest month, also where it is a month without incidents."""
    data = (
        b"Postcode;Datum;Soort\n"
        b"3144;17-03-2024;Woninginbraak\n"
        b"3145;17-03-2024;Poging tot woninginbraak\n"
        b"3144;02-04-2024;Woninginbraak\n"
        b"3144;05-05-2024;Woninginbraak\n"
        b"3144;09-06-2024;Woninginbraak\n"
    )
    status = {(r.measure, r.period): r.status for r in rows(read(data))}
    assert status[("local:mik_woninginbraak", "2024M03")] == Status.VOORLOPIG
    assert status[("local:mik_woninginbraak", "2024M04")] == Status.ONBEKEND
    assert status[("local:mik_woninginbraak", "2024M05")] == Status.ONBEKEND
    assert status[("local:mik_woninginbraak", "2024M06")] == Status.VOORLOPIG
    # a month without an attempt: 0, still incomplete in the first and last month
    assert status[("local:mik_poging_woninginbraak", "2024M04")] == Status.ONBEKEND
    assert status[("local:mik_poging_woninginbraak", "2024M06")] == Status.VOORLOPIG

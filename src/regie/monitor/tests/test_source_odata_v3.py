"""The odata-v3 adapter: TypedDataSet/UntypedDataSet JSON and dimension resources."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regie.monitor.sources import get
from regie.monitor.sources.base import FormatError, ReadContext, Row, RowError, Status
from regie.monitor.sources.odata_v3 import (
    ADAPTER,
    parse_data_properties,
    parse_dimension,
    period_statuses,
    table_from_url,
)

FIXTURES = Path(__file__).parent / "fixtures" / "odata"
TYPED = FIXTURES / "47018NED_TypedDataSet_focus_buurten_2023.json"
UNTYPED = FIXTURES / "47018NED_UntypedDataSet_focus_buurten_2023.json"
META_83648 = (
    "https://opendata.cbs.nl/ODataApi/OData/83648NED/$metadata#Cbs.OData.WebAPI.TypedDataSet"
)


def read(data: bytes | dict | list, context: ReadContext | None = None) -> list[Row | RowError]:
    if not isinstance(data, bytes):
        data = json.dumps(data).encode()
    return list(ADAPTER.read(io.BytesIO(data), context or ReadContext()))


def dataset(*records: dict, metadata: str = META_83648) -> dict:
    return {"odata.metadata": metadata, "value": list(records)}


def rec(**fields: object) -> dict:
    base = {
        "ID": 0,
        "SoortMisdrijf": "T001161",
        "RegioS": "GM0556",
        "Perioden": "2022JJ00",
        "TotaalGeregistreerdeMisdrijven_1": 1245,
    }
    base.update(fields)
    return base


def test_registered_under_its_name() -> None:
    assert get("odata-v3") is ADAPTER


@pytest.mark.parametrize("path", [TYPED, UNTYPED])
def test_reads_real_47018ned_buurt_rows(path: Path) -> None:
    context = ReadContext()
    items = read(path.read_bytes(), context)
    assert all(isinstance(i, Row) for i in items)
    assert len(items) == 48
    first = items[0]
    assert first == Row(1, "BU04820101", "politie:0.0.0", "2023", 12.0, Status.ONBEKEND)
    # padded keys trimmed; the roll-up code 0.0.0 kept as its own measure
    assert {i.measure for i in items} == {"politie:0.0.0"}
    maassluis = sum(i.value or 0 for i in items if i.area.startswith("BU0556"))
    alblasserdam = sum(i.value or 0 for i in items if i.area.startswith("BU0482"))
    assert (maassluis, alblasserdam) == (1132, 530)  # SOURCE.md checks
    assert context.info.source == "Politie"
    assert context.info.table == "47018NED"
    assert "wijk, buurt, jaarcijfers" in context.info.title
    assert context.notes == [
        "column 'Gemeentenaam_2' not imported",
        "column 'SoortRegio_3' not imported",
    ]


def test_cbs_table_from_metadata_url_and_status_from_perioden() -> None:
    context = ReadContext(period_status={"2022JJ00": Status.VOORLOPIG})
    (row,) = read(dataset(rec()), context)
    assert row == Row(1, "GM0556", "cbs:T001161", "2022", 1245.0, Status.VOORLOPIG)
    assert context.info.source == "CBS"


def test_status_unknown_without_perioden() -> None:
    (row,) = read(dataset(rec()))
    assert isinstance(row, Row)
    assert row.status is Status.ONBEKEND


def test_padded_keys_and_nl00() -> None:
    items = read(
        dataset(
            rec(SoortMisdrijf="CRI1000", RegioS="NL00  "),
            rec(RegioS="GM0556    ", Perioden="2023MM10"),
            rec(Perioden="2023KW03"),
        )
    )
    assert [(i.area, i.measure, i.period) for i in items if isinstance(i, Row)] == [
        ("NL01", "cbs:CRI1000", "2022"),
        ("GM0556", "cbs:T001161", "2023M10"),
        ("GM0556", "cbs:T001161", "2023Q3"),
    ]


@pytest.mark.parametrize("raw", [None, ".", "", "       .", "x"])
def test_not_published_is_none_never_zero(raw: object) -> None:
    (row,) = read(dataset(rec(TotaalGeregistreerdeMisdrijven_1=raw)))
    assert isinstance(row, Row)
    assert row.value is None


@pytest.mark.parametrize(("raw", "value"), [("      1245", 1245.0), ("36.5", 36.5), (0, 0.0)])
def test_values(raw: object, value: float) -> None:
    (row,) = read(dataset(rec(TotaalGeregistreerdeMisdrijven_1=raw)))
    assert isinstance(row, Row)
    assert row.value == value


@pytest.mark.parametrize("raw", ["12a", "1,245", True, [1], "nan", "inf"])
def test_bad_value_is_row_error(raw: object) -> None:
    items = read(dataset(rec(), rec(TotaalGeregistreerdeMisdrijven_1=raw)))
    assert isinstance(items[0], Row)
    error = items[1]
    assert isinstance(error, RowError)
    assert error.line == 2
    assert error.column == "TotaalGeregistreerdeMisdrijven_1"
    assert error.value == (raw if isinstance(raw, str) else json.dumps(raw))
    assert error.message


def test_bad_period_is_row_error() -> None:
    (error,) = read(dataset(rec(Perioden="2022XX99")))
    assert error == RowError(1, "Perioden", "2022XX99", "unknown CBS period")


def test_missing_codes_are_row_errors() -> None:
    items = read(dataset(rec(SoortMisdrijf="  "), rec(RegioS=None), "not a record"))
    assert [(e.line, e.column) for e in items if isinstance(e, RowError)] == [
        (1, "SoortMisdrijf"),
        (2, "RegioS"),
        (3, ""),
    ]


def test_unknown_topic_columns_noted_once() -> None:
    context = ReadContext()
    records = [rec(GeregistreerdeMisdrijvenPer1000Inw_3=36.5) for _ in range(3)]
    read(dataset(*records), context)
    assert context.notes == ["column 'GeregistreerdeMisdrijvenPer1000Inw_3' not imported"]


def test_table_from_context_when_metadata_missing() -> None:
    items = read({"value": [rec()]}, ReadContext(table="83648ned"))
    assert isinstance(items[0], Row)


def test_table_from_context_must_match_file() -> None:
    with pytest.raises(FormatError, match="47013NED"):
        read(dataset(rec()), ReadContext(table="47013NED"))


def test_unknown_table_is_format_error() -> None:
    meta = "https://opendata.cbs.nl/ODataApi/OData/99999NED/$metadata#Cbs.OData.WebAPI.TypedDataSet"
    with pytest.raises(FormatError, match="99999NED is not supported"):
        read(dataset(rec(), metadata=meta))


def test_no_table_is_format_error() -> None:
    with pytest.raises(FormatError, match="--table"):
        read({"value": [rec()]})


def test_missing_count_topic_is_format_error() -> None:
    record = rec()
    del record["TotaalGeregistreerdeMisdrijven_1"]
    with pytest.raises(FormatError, match="TotaalGeregistreerdeMisdrijven_1"):
        read(dataset(record))


@pytest.mark.parametrize("data", [b"", b"not json", b"[1, 2", b'{"value": 3}', b"42"])
def test_not_a_dataset_is_format_error(data: bytes) -> None:
    with pytest.raises(FormatError):
        read(data, ReadContext(table="83648NED"))


def test_next_link_noted() -> None:
    context = ReadContext()
    read({**dataset(rec()), "odata.nextLink": "https://…?$skiptoken=1"}, context)
    assert any("odata.nextLink" in note for note in context.notes)


def test_sniff() -> None:
    assert ADAPTER.sniff(TYPED.read_bytes()[:300], "x.json")
    assert ADAPTER.sniff(json.dumps([rec()]).encode(), "x.json")
    assert not ADAPTER.sniff((FIXTURES / "47018NED_Perioden.json").read_bytes(), "p.json")
    assert not ADAPTER.sniff(b'{"@odata.context": "x", "value": [{"Measure": "M1"}]}', "v4")
    assert not ADAPTER.sniff(b"ID,SoortMisdrijf,RegioS,Perioden", "x.csv")


def test_table_from_url() -> None:
    assert table_from_url(META_83648) == "83648NED"
    assert table_from_url("https://example.org/") == ""


def test_parse_dimension_soortmisdrijf() -> None:
    items = parse_dimension((FIXTURES / "47018NED_SoortMisdrijf.json").read_bytes())
    assert items[0].key == "0.0.0"
    assert items[0].title == "Totaal misdrijven"
    assert items[1].key == "1.1.1"
    assert items[1].description.startswith("A20 Gekwal.")
    assert items[0].status is None


def test_period_statuses() -> None:
    statuses = period_statuses((FIXTURES / "47018NED_Perioden.json").read_bytes())
    assert statuses["2023JJ00"] is Status.DEFINITIEF
    assert len(statuses) == 12
    provisional = period_statuses(
        {
            "value": [
                {"Key": "2023JJ00", "Title": "2023", "Status": "Voorlopig"},
                {"Key": "2024MM01", "Title": "2024 januari", "Status": "Nader voorlopig"},
            ]
        }
    )
    assert provisional == {"2023JJ00": Status.VOORLOPIG, "2024MM01": Status.NADER_VOORLOPIG}


def test_parse_data_properties() -> None:
    props = parse_data_properties(
        json.loads((FIXTURES / "47018NED_DataProperties.json").read_text())
    )
    topics = [p.key for p in props if p.is_topic]
    assert topics == ["GeregistreerdeMisdrijven_1", "Gemeentenaam_2", "SoortRegio_3"]
    assert [p.key for p in props if p.is_area_dimension] == ["WijkenEnBuurten"]
    assert props[3].unit == "aantal"


def test_parse_dimension_rejects_other_json() -> None:
    with pytest.raises(FormatError):
        parse_dimension(b"[1")
    with pytest.raises(FormatError):
        parse_dimension({"nope": 1})


def _check(data: bytes, context: ReadContext) -> None:
    try:
        for item in ADAPTER.read(io.BytesIO(data), context):
            assert isinstance(item, Row | RowError)
    except FormatError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_only_format_error(data: bytes) -> None:
    _check(data, ReadContext(table="83648NED"))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
record_fields = st.fixed_dictionaries(
    {},
    optional={
        "SoortMisdrijf": json_values,
        "RegioS": json_values,
        "Perioden": st.sampled_from(["2022JJ00", "2023MM13", "", "2023KW03"]) | json_values,
        "TotaalGeregistreerdeMisdrijven_1": json_values,
        "Extra": json_values,
    },
)


@settings(max_examples=200, deadline=None)
@given(st.lists(record_fields | json_values, max_size=5))
def test_malformed_records_only_row_or_format_errors(records: list) -> None:
    data = json.dumps({"odata.metadata": META_83648, "value": records}).encode()
    _check(data, ReadContext())

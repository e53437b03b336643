"""The odata-v4 adapter: Observations (long format) as JSON or CSV."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regie.monitor.sources import get
from regie.monitor.sources.base import FormatError, ReadContext, Row, RowError, Status
from regie.monitor.sources.odata_v4 import ADAPTER

CONTEXT_83648 = "https://datasets.cbs.nl/odata/v1/CBS/83648NED/$metadata#Observations"


def obs(id_: int, measure: str, value: float | None, **fields: object) -> dict:
    record = {
        "Id": id_,
        "Measure": measure,
        "ValueAttribute": "None" if value is not None else "Missing",
        "Value": value,
        "SoortMisdrijf": "T001161",
        "RegioS": "GM0556",
        "Perioden": "2022JJ00",
        "StringValue": None,
    }
    record.update(fields)
    return record


def read(data: bytes | dict, context: ReadContext | None = None) -> list[Row | RowError]:
    if isinstance(data, dict):
        data = json.dumps(data).encode()
    return list(ADAPTER.read(io.BytesIO(data), context or ReadContext()))


def observations(*records: dict) -> dict:
    return {"@odata.context": CONTEXT_83648, "value": list(records)}


def test_registered_under_its_name() -> None:
    assert get("odata-v4") is ADAPTER


def test_single_measure_is_imported() -> None:
    # Maassluis and Alblasserdam 2022 (CBS 83648NED): 1,245 and 530
    context = ReadContext(period_status={"2022JJ00": Status.VOORLOPIG})
    items = read(
        observations(
            obs(1, "M004200_2", 1245.0),
            obs(2, "M004200_2", 530.0, RegioS="GM0482    "),
        ),
        context,
    )
    assert items == [
        Row(1, "GM0556", "cbs:T001161", "2022", 1245.0, Status.VOORLOPIG),
        Row(2, "GM0482", "cbs:T001161", "2022", 530.0, Status.VOORLOPIG),
    ]
    assert context.info.table == "83648NED"
    assert context.info.source == "CBS"
    assert context.notes == []


def test_count_topic_measure_chosen_others_noted_once() -> None:
    context = ReadContext()
    items = read(
        observations(
            obs(1, "TotaalGeregistreerdeMisdrijven_1", 1245.0),
            obs(2, "GeregistreerdeMisdrijvenPer1000Inw_3", 36.5),
            obs(3, "GeregistreerdeMisdrijvenPer1000Inw_3", 26.4, RegioS="GM0482"),
            obs(4, "TotaalGeregistreerdeMisdrijven_1", 530.0, RegioS="GM0482"),
        ),
        context,
    )
    assert [(i.line, i.area, i.value) for i in items if isinstance(i, Row)] == [
        (1, "GM0556", 1245.0),
        (4, "GM0482", 530.0),
    ]
    assert context.notes == ["measure 'GeregistreerdeMisdrijvenPer1000Inw_3' not imported"]


def test_several_measures_without_count_is_format_error() -> None:
    with pytest.raises(FormatError, match="M004200_2, M004201_3"):
        read(observations(obs(1, "M004200_2", 1.0), obs(2, "M004201_3", 2.0)))


@pytest.mark.parametrize("attribute", ["Impossible", "Confidential", "Missing", "Unknown"])
def test_null_value_is_none_never_zero(attribute: str) -> None:
    items = read(
        observations(obs(1, "M004200_2", 3.0), obs(2, "M004200_2", None, ValueAttribute=attribute))
    )
    assert isinstance(items[1], Row)
    assert items[1].value is None


def test_rollup_and_padding_nl00() -> None:
    items = read(
        observations(
            obs(1, "M1", 805520.0, RegioS="NL00  "),
            obs(2, "M1", 1.0, SoortMisdrijf="CRI1000 "),
        ),
        ReadContext(),
    )
    assert [(i.area, i.measure) for i in items if isinstance(i, Row)] == [
        ("NL01", "cbs:T001161"),
        ("GM0556", "cbs:CRI1000"),
    ]


def test_row_errors() -> None:
    items = read(
        observations(
            obs(1, "M1", 1.0, Perioden="2022ZZ00"),
            obs(2, "M1", "veel"),
            obs(3, "M1", 1.0, RegioS=""),
            "nope",
        )
    )
    assert [(e.line, e.column, e.value) for e in items if isinstance(e, RowError)] == [
        (1, "Perioden", "2022ZZ00"),
        (2, "Value", "veel"),
        (3, "RegioS", ""),
        (4, "", "nope"),
    ]


def test_csv_with_table_from_context() -> None:
    data = (
        b"Id;Measure;ValueAttribute;Value;SoortMisdrijf;WijkenEnBuurten;Perioden;StringValue\n"
        b"1;GeregistreerdeMisdrijven_1;None;12;0.0.0 ;BU04820101;2023JJ00;\n"
        b"2;GeregistreerdeMisdrijven_1;Confidential;;1.1.1 ;BU04820101;2023JJ00;\n"
    )
    context = ReadContext(table="47018NED")
    items = read(data, context)
    # CSV: the header is line 1, a record's number is its physical line (was 1, 2: wrong)
    assert items == [
        Row(2, "BU04820101", "politie:0.0.0", "2023", 12.0, Status.ONBEKEND),
        Row(3, "BU04820101", "politie:1.1.1", "2023", None, Status.ONBEKEND),
    ]
    assert context.info.source == "Politie"


def test_unknown_or_missing_table_is_format_error() -> None:
    with pytest.raises(FormatError, match="--table"):
        read({"value": [obs(1, "M1", 1.0)]})
    with pytest.raises(FormatError, match="not supported"):
        read({"value": [obs(1, "M1", 1.0)]}, ReadContext(table="85984NED"))


def test_extra_columns_noted() -> None:
    context = ReadContext()
    read(observations(obs(1, "M1", 1.0, Geslacht="T001038")), context)
    assert context.notes == ["column 'Geslacht' not imported"]


def test_sniff() -> None:
    assert ADAPTER.sniff(json.dumps(observations(obs(1, "M1", 1.0))).encode(), "o.json")
    assert ADAPTER.sniff(b"Id,Measure,ValueAttribute,Value,SoortMisdrijf,RegioS,Perioden\n", "")
    assert not ADAPTER.sniff(
        b'{"odata.metadata": "x#Cbs.OData.WebAPI.TypedDataSet", "value": []}', "x.json"
    )
    assert not ADAPTER.sniff(b"ID,SoortMisdrijf,RegioS,Perioden,X_1\n", "x.csv")


def _check(data: bytes) -> None:
    try:
        for item in ADAPTER.read(io.BytesIO(data), ReadContext(table="83648NED")):
            assert isinstance(item, Row | RowError)
    except FormatError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_only_format_error(data: bytes) -> None:
    _check(data)


scalar = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10)
observation = st.fixed_dictionaries(
    {},
    optional={
        "Measure": st.sampled_from(["M1", "TotaalGeregistreerdeMisdrijven_1"]) | scalar,
        "Value": scalar,
        "SoortMisdrijf": scalar,
        "RegioS": scalar,
        "Perioden": st.sampled_from(["2022JJ00", "2022MM13"]) | scalar,
    },
)


@settings(max_examples=200, deadline=None)
@given(st.lists(observation | scalar, max_size=5))
def test_malformed_records_only_row_or_format_errors(records: list) -> None:
    _check(json.dumps({"value": records}).encode())


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_malformed_csv_only_row_or_format_errors(body: str) -> None:
    _check(("Measure,Value,SoortMisdrijf,RegioS,Perioden\n" + body).encode())

from __future__ import annotations

import datetime as dt

import pytest

from regie.stats import periods


@pytest.mark.parametrize(
    ("text", "code", "start", "end", "kind"),
    [
        ("2022", "2022", "2022-01-01", "2022-12-31", "year"),
        ("2022h1", "2022H1", "2022-01-01", "2022-06-30", "half"),
        ("2023Q3", "2023Q3", "2023-07-01", "2023-09-30", "quarter"),
        ("2023M2", "2023M02", "2023-02-01", "2023-02-28", "month"),
        ("2023YTD10", "2023YTD10", "2023-01-01", "2023-10-31", "ytd"),
        ("2023YTD12", "2023", "2023-01-01", "2023-12-31", "year"),
        ("2021-03/2022-03", "2021-03/2022-03", "2021-03-01", "2022-02-28", "window"),
    ],
)
def test_parse(text: str, code: str, start: str, end: str, kind: str) -> None:
    p = periods.parse(text)
    assert (p.code, p.start, p.end, p.kind.value) == (
        code,
        dt.date.fromisoformat(start),
        dt.date.fromisoformat(end),
        kind,
    )


@pytest.mark.parametrize("text", ["", "22", "2022H3", "2022M13", "2022Q0", "2022-03/2021-03", "x"])
def test_parse_rejects(text: str) -> None:
    with pytest.raises(periods.PeriodError):
        periods.parse(text)


def test_cbs_keys_and_labels() -> None:
    assert periods.from_cbs("2022JJ00").code == "2022"
    assert periods.from_cbs("2023MM10").code == "2023M10"
    assert periods.from_cbs("2023KW03").code == "2023Q3"
    labelled = periods.from_label("2023 januari*")
    assert (labelled.period.code, labelled.marker) == ("2023M01", "*")
    assert periods.from_label("2022**").marker == "**"


def test_partial_years_are_not_alike_whole_years() -> None:
    half, year = periods.parse("2022H1"), periods.parse("2021")
    assert not half.is_alike(year)
    assert half.is_alike(periods.parse("2021H1"))
    assert not periods.parse("2022H1").is_alike(periods.parse("2021H2"))
    assert periods.parse("2023YTD10").is_alike(periods.parse("2022YTD10"))
    assert not periods.parse("2023YTD10").is_alike(periods.parse("2022"))


def test_dutch_labels() -> None:
    assert periods.label(periods.parse("2022H1")) == "1e halfjaar 2022"
    assert periods.label(periods.parse("2023YTD10")) == "2023 t/m oktober"
    assert periods.label(periods.parse("2023M10")) == "oktober 2023"

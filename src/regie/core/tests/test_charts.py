"""Chart specs (charts.py), the chart include (_chart.html) and the vega bundle (vega_bundle.py)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import vl_convert
from altair.utils.schemapi import validate_jsonschema
from altair.vegalite.v6.schema import load_schema
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

from regie.core import charts, vega_bundle
from regie.core.charts import Chart, ChartTable, Column
from regie.core.exports import to_svg

GEOJSON = (
    Path(charts.__file__).resolve().parent.parent
    / "monitor"
    / "data"
    / "cbs"
    / "gemeenten_2022_83648NED_2022.geojson"
)


@pytest.fixture(autouse=True)
def dutch():
    with translation.override("nl"):
        yield


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return load_schema()


def crime_table() -> ChartTable:
    columns = [
        Column("type", "Soort misdrijf", "text"),
        Column("year", "Jaar", "period"),
        Column("count", "Geregistreerd", "integer"),
        Column("rate", "Per 1.000 inwoners", "number", decimals=1),
        Column("covid", "COVID-jaar", "text"),
    ]
    rows = [
        {
            "type": crime,
            "year": year,
            "count": None if (crime, year) == ("Geweld", 2019) else base + year - 2015,
            "rate": None if (crime, year) == ("Geweld", 2019) else base / 10 + (year - 2015) / 10,
            "covid": year in (2020, 2021),
        }
        for crime, base in (("Woninginbraak", 120), ("Geweld", 340), ("Fietsendiefstal", 1800))
        for year in range(2015, 2024)
    ]
    return ChartTable("misdrijven", "Misdrijven per soort", columns, rows, sources=["CBS 83648NED"])


def trend_table() -> ChartTable:
    columns = [
        Column("year", "Jaar", "period"),
        Column("rate", "Per 1.000 inwoners", "number", decimals=1),
        Column("low", "Ondergrens", "number", decimals=1),
        Column("high", "Bovengrens", "number", decimals=1),
        Column("target", "Doel", "number", decimals=1),
        Column("solved", "Opgehelderd", "percent", decimals=1),
        Column("covid", "COVID-jaar", "text"),
    ]
    rows = [
        {
            "year": year,
            "rate": 36.5 + (year - 2018) / 2,
            "low": 35.0 + (year - 2018) / 2,
            "high": 38.0 + (year - 2018) / 2,
            "target": 37.0 if year >= 2021 else None,
            "solved": 24.6,
            "covid": year in (2020, 2021),
        }
        for year in range(2018, 2024)
    ]
    return ChartTable("trend", "Trend", columns, rows)


def month_table() -> ChartTable:
    columns = [
        Column("month", "Maand", "period"),
        Column("area", "Gemeente", "text"),
        Column("count", "Aantal", "integer"),
        Column("lockdown", "Lockdown", "text"),
    ]
    rows = [
        {
            "month": f"{year}-{month:02d}",
            "area": area,
            "count": 100 + month + offset,
            "lockdown": year == 2022 and month < 3,
        }
        for year in (2022, 2023)
        for month in range(1, 13)
        for area, offset in (("Maassluis", 0), ("Vlaardingen", 40))
    ]
    return ChartTable("maanden", "Per maand", columns, rows)


def ranking_table() -> ChartTable:
    columns = [
        Column("name", "Gemeente", "text"),
        Column("rate", "Per 1.000 inwoners", "number", decimals=1),
        Column("low", "Ondergrens", "number", decimals=1),
        Column("high", "Bovengrens", "number", decimals=1),
        Column("own", "Eigen gemeente", "text"),
    ]
    rows = [
        {
            "name": f"Gemeente {i}",
            "rate": 20 + i * 1.5,
            "low": 18 + i * 1.5,
            "high": 22 + i * 1.5,
            "own": i == 3,
        }
        for i in range(8)
    ]
    rows[5]["low"] = rows[5]["high"] = None
    return ChartTable("rangorde", "Rangorde", columns, rows)


def map_table(geojson: dict[str, Any]) -> ChartTable:
    columns = [
        Column("code", "Code", "text"),
        Column("rate", "Per 1.000 inwoners", "number", decimals=1),
        Column("small", "Kleine gemeente", "text"),
    ]
    codes = [f["properties"]["statcode"] for f in geojson["features"]]
    rows = [
        {"code": code, "rate": None if i == 5 else 20 + i % 40, "small": i % 50 == 7}
        for i, code in enumerate(codes)
    ]
    return ChartTable("kaart", "Kaart", columns, rows)


@pytest.fixture(scope="module")
def geojson() -> dict[str, Any]:
    return json.loads(GEOJSON.read_text(encoding="utf-8"))


def all_specs(geojson: dict[str, Any]) -> dict[str, dict[str, Any]]:
    crimes = crime_table()
    return {
        "bars": charts.bar_by_year(crimes, x="year", y="rate"),
        "bars_facet": charts.bar_by_year(
            crimes, x="year", y="count", facet="type", highlight="covid"
        ),
        "line": charts.line_series(
            trend_table(),
            x="year",
            y="rate",
            lower="low",
            upper="high",
            target="target",
            highlight="covid",
        ),
        "line_percent": charts.line_series(trend_table(), x="year", y="solved"),
        "line_months": charts.line_series(
            month_table(), x="month", y="count", color="area", highlight="lockdown"
        ),
        "ranking": charts.ranking(
            ranking_table(), label="name", value="rate", lower="low", upper="high", highlight="own"
        ),
        "ranking_plain": charts.ranking(ranking_table(), label="name", value="rate"),
        "map": charts.choropleth(
            map_table(geojson), geojson=geojson, key="code", value="rate", flag="small"
        ),
    }


def mark_units(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every single-mark view in a (layered / faceted) spec."""
    if "mark" in spec:
        return [spec]
    units = []
    for child in spec.get("layer", []):
        units.extend(mark_units(child))
    if "spec" in spec:
        units.extend(mark_units(spec["spec"]))
    return units


def mark_type(unit: dict[str, Any]) -> str:
    mark = unit["mark"]
    return mark if isinstance(mark, str) else mark["type"]


@pytest.fixture(scope="module")
def specs(geojson) -> dict[str, dict[str, Any]]:
    with translation.override("nl"):
        return all_specs(geojson)


def test_every_builder_validates_against_the_vega_lite_schema(specs, schema) -> None:
    for name, spec in specs.items():
        validate_jsonschema(spec, schema)  # raises on an invalid spec
        assert spec["description"], name


@pytest.mark.parametrize(
    "name",
    [
        "bars",
        "bars_facet",
        "line",
        "line_percent",
        "line_months",
        "ranking",
        "ranking_plain",
        "map",
    ],
)
def test_every_builder_renders_with_vl_convert(specs, name) -> None:
    svg = to_svg(specs[name])
    assert svg.startswith("<svg")
    assert "<path" in svg or "<rect" in svg


def test_every_mark_has_tooltips_titled_with_column_labels(specs) -> None:
    labels = {
        c.label
        for table in (crime_table(), trend_table(), month_table(), ranking_table())
        for c in table.columns
    } | {gettext("Area"), gettext("Note")}
    for name, spec in specs.items():
        units = mark_units(spec)
        assert units, name
        for unit in units:
            tooltip = unit["encoding"].get("tooltip")
            assert tooltip, (name, mark_type(unit))
            for item in tooltip:
                assert item["title"] in labels | {"Per 1.000 inwoners", "Kleine gemeente"}, item


def calculations(spec: dict[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "calculate" in node:
                found[node["as"]] = node["calculate"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    return found


def test_numbers_in_tooltips_are_formatted_per_column(specs) -> None:
    tooltips = [t for u in mark_units(specs["line"]) for t in u["encoding"]["tooltip"]]
    rate = next(t for t in tooltips if t["title"] == "Per 1.000 inwoners")
    expr = calculations(specs["line"])[rate["field"]]
    assert 'format(datum["rate"], ",.1f")' in expr
    assert "not published" in expr or "niet gepubliceerd" in expr  # None is never shown as 0
    bars = calculations(specs["bars_facet"])
    assert 'format(datum["count"], ",d")' in bars["__text_count"]
    percent = calculations(specs["line_percent"])["__text_solved"]
    assert "+ ' %'" in percent


def test_tooltip_texts_evaluate_to_dutch_numbers() -> None:
    """The tooltip expressions as vega evaluates them with the Dutch locale (as in the browser)."""
    table = trend_table()
    table.rows[0]["target"] = None
    spec = charts.line_series(table, x="year", y="solved", target="target")
    texts = calculations(spec)
    shown = {
        "data": {"values": [table.rows[0], table.rows[3]]},
        "transform": [{"calculate": texts[k], "as": k} for k in ("__text_solved", "__text_target")]
        + [{"calculate": "datum.__text_solved + ' | ' + datum.__text_target", "as": "line"}],
        "mark": "text",
        "encoding": {"text": {"field": "line"}, "y": {"field": "year", "type": "ordinal"}},
    }
    svg = to_svg(shown)
    assert "24,6 % | 37,0" in svg
    assert "24,6 % | not published" in svg or "24,6 % | niet gepubliceerd" in svg


def test_months_are_temporal_with_utc_month_units(specs) -> None:
    line = next(u for u in mark_units(specs["line_months"]) if mark_type(u) == "line")
    assert line["encoding"]["x"]["type"] == "temporal"
    assert line["encoding"]["x"]["timeUnit"] == "utcyearmonth"
    svg = to_svg(specs["line_months"])
    assert "mrt 2022" in svg or "maart" in svg  # Dutch month names from the time-format locale


def test_container_width_and_facets(specs) -> None:
    for name in ("bars", "line", "ranking", "map"):
        assert specs[name]["width"] == "container", name
    facet = specs["bars_facet"]
    assert facet["columns"] == 3
    assert facet["usermeta"]["regie"]["facet"]["maxColumns"] == 3
    assert facet["resolve"]["scale"]["y"] == "independent"


def test_highlight_gets_a_lighter_fill_and_a_legend_entry(specs) -> None:
    bars = mark_units(specs["bars_facet"])[0]
    fill = bars["encoding"]["fill"]
    assert fill["scale"]["domain"] == ["Geregistreerd", "COVID-jaar"]
    assert fill["scale"]["range"] == [charts.PRIMARY, charts.HIGHLIGHT_FILL]
    assert bars["mark"]["stroke"] == charts.PRIMARY  # outline keeps the 3:1 contrast
    ranking = specs["ranking"]
    points = next(u for u in mark_units(ranking) if mark_type(u) == "point")
    assert points["encoding"]["color"]["scale"]["range"] == [charts.PRIMARY, charts.OWN]
    assert points["encoding"]["shape"]["scale"]["range"] == ["circle", "diamond"]
    assert "Gemeente 3" in json.dumps(ranking)  # bold axis label for the own gemeente


def test_palette_contrast_against_white_is_at_least_3_to_1() -> None:
    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    for colour in (*charts.PALETTE, charts.OWN, charts.NEUTRAL):
        assert 1.05 / (luminance(colour) + 0.05) >= 3, colour


def test_not_published_values_keep_their_period_but_get_no_mark(specs) -> None:
    assert specs["bars"]["config"]["mark"]["invalid"] == "break-paths-show-domains"
    svg = to_svg(specs["bars"])
    assert ">2019<" in svg  # the year stays on the axis


def test_dutch_numbers_in_the_rendered_axis() -> None:
    table = ChartTable(
        "t",
        "T",
        [Column("year", "Jaar", "period"), Column("n", "Aantal", "integer")],
        [{"year": 2020, "n": 0}, {"year": 2021, "n": 2400}],
    )
    svg = to_svg(charts.bar_by_year(table, x="year", y="n"))
    assert ">2.000<" in svg  # thousands point
    ranking = to_svg(charts.ranking(trend_table(), label="year", value="rate"))
    assert re.search(r">3\d,\d<", ranking)  # decimal comma on the axis (36,5 … 39,0)


def test_choropleth_joins_rows_to_features(specs, geojson) -> None:
    spec = specs["map"]
    assert spec["projection"]["type"] == "mercator"
    features = spec["datasets"]["regie-areas"]
    assert len(features) == len(geojson["features"])
    assert set(features[0]["properties"]) == {"statcode", "statnaam"}
    lookups = [t["lookup"] for u in spec["layer"] for t in u.get("transform", []) if "lookup" in t]
    assert lookups == ["properties.statcode", "properties.statcode"]
    legend_fills = [u["encoding"]["color"]["scale"].get("range") for u in spec["layer"]]
    assert [charts.NO_DATA_FILL] in legend_fills
    assert [charts.FLAGGED_FILL] in legend_fills
    svg = to_svg(spec)
    assert "Kleine gemeente" in svg  # legend entry of the flagged areas


def test_unknown_column_and_kind_fail_loudly() -> None:
    with pytest.raises(KeyError):
        charts.bar_by_year(crime_table(), x="year", y="nope")
    with pytest.raises(ValueError, match="kind"):
        Column("x", "X", "money")


def test_to_json_is_safe_inside_a_script_element() -> None:
    text = charts.to_json({"description": "</script><b>&amp;</b>", "n": 1.5})
    assert "<" not in text
    assert ">" not in text
    assert "&" not in text
    assert json.loads(text) == {"description": "</script><b>&amp;</b>", "n": 1.5}
    with pytest.raises(ValueError, match="JSON compliant"):
        charts.to_json({"n": float("nan")})


# --- the include ------------------------------------------------------------------------------


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)

    def handle_endtag(self, tag):
        self._in_script = False


def render_chart(chart: Chart) -> tuple[str, Collector]:
    html = render_to_string("core/_chart.html", {"chart": chart, "download_base": "?year=2023&"})
    parser = Collector()
    parser.feed(html)
    return html, parser


def test_include_renders_figure_spec_table_downloads_and_sources() -> None:
    table = trend_table()
    table.rows[1]["rate"] = None
    table.rows[0]["rate"] = 1245.5
    table.sources = ["CBS 83648NED, import 23 november 2026, voorlopig"]
    table.note = "2019 is herzien."
    spec = charts.line_series(table, x="year", y="rate")
    spec["description"] = "evil </script><script>alert(1)</script>"
    html, parsed = render_chart(Chart(table, spec, description="Lijn met 6 jaren"))
    tags = [t for t, _ in parsed.tags]
    assert tags.count("figure") == 1
    assert "table" in tags
    assert "caption" in tags
    assert "<h3" in html
    assert "Trend" in html
    assert "2019 is herzien." in html
    container = next(a for t, a in parsed.tags if "data-chart-spec" in a)
    assert container["data-chart-spec"] == "chart-trend-spec"
    assert container["data-chart-description"] == "Lijn met 6 jaren"
    assert container["data-vega-locale"].endswith("regie/vendor/vega-locale-nl.json")
    script = next(a for t, a in parsed.tags if t == "script")
    assert script == {"type": "application/json", "id": "chart-trend-spec"}
    assert json.loads(parsed.scripts[0])["description"].startswith("evil </script>")
    assert "<script>alert" not in html
    # Dutch numbers, the period not grouped, None as a dash with hidden text
    assert "1.245,5" in html
    assert ">2018<" in html
    assert "2.018" not in html
    assert '<span aria-hidden="true">–</span>' in html
    assert "not published" in html or "niet gepubliceerd" in html
    assert "24,6\u00a0%" in html
    hrefs = [a["href"] for t, a in parsed.tags if t == "a"]
    assert hrefs == [
        f"?year=2023&download=trend&format={fmt}" for fmt in ("csv", "xlsx", "png", "svg")
    ]
    assert "CBS 83648NED, import 23 november 2026, voorlopig" in html
    assert "<figcaption" in html
    assert 'style="' not in html
    assert "<style" not in html


def test_include_without_spec_shows_the_table_only() -> None:
    _html, parsed = render_chart(Chart(trend_table(), None))
    assert not any("data-chart-spec" in a for _, a in parsed.tags)
    assert not parsed.scripts
    details = next(a for t, a in parsed.tags if t == "details")
    assert "open" in details
    hrefs = [a["href"] for t, a in parsed.tags if t == "a"]
    assert [h.rsplit("=", 1)[1] for h in hrefs] == ["csv", "xlsx"]


def test_month_periods_are_written_out_in_dutch() -> None:
    table = month_table()
    html, _ = render_chart(Chart(table, None))
    assert "januari 2022" in html
    assert "maart 2023" in html


def test_include_in_english_has_no_dutch_locale() -> None:
    with translation.override("en"):
        _html, parsed = render_chart(
            Chart(trend_table(), charts.bar_by_year(trend_table(), x="year", y="rate"))
        )
    container = next(a for t, a in parsed.tags if "data-chart-spec" in a)
    assert "data-vega-locale" not in container


def test_chart_scripts_include_loads_bundle_and_charts_js_without_inline_code() -> None:
    html = render_to_string("core/_chart_scripts.html")
    parsed = Collector()
    parsed.feed(html)
    sources = [a["src"] for t, a in parsed.tags if t == "script"]
    assert sources == ["/static/regie/vendor/vega-bundle.js", "/static/regie/charts.js"]
    assert all("defer" in a for t, a in parsed.tags if t == "script")
    assert not "".join(parsed.scripts).strip()
    assert any(a.get("href") == "/static/regie/charts.css" for t, a in parsed.tags)


def test_charts_js_uses_the_csp_safe_embed_options() -> None:
    js = (
        Path(charts.__file__).resolve().parent.parent / "static" / "regie" / "charts.js"
    ).read_text()
    for needle in (
        "ast: true",
        "defaultStyle: false",
        "disableDefaultStyle: true",
        "htmx:afterSettle",
    ):
        assert needle in js


# --- the vega bundle --------------------------------------------------------------------------


def test_bundle_writes_both_files_and_skips_when_up_to_date(tmp_path) -> None:
    written = vega_bundle.write_assets(tmp_path)
    bundle = tmp_path / "vega-bundle.js"
    locale = tmp_path / "vega-locale-nl.json"
    assert set(written) == {bundle, locale}
    first_line = bundle.read_text(encoding="utf-8").splitlines()[0]
    assert first_line.startswith("/*! regie-vega-bundle vl-convert=")
    assert f"vega-embed={vl_convert.get_vega_embed_version()}" in first_line
    text = bundle.read_text(encoding="utf-8")
    assert "window.vegaEmbed=" in text.replace(" ", "")
    assert "disableDefaultStyle" in text  # vega-tooltip's option charts.js relies on
    data = json.loads(locale.read_text(encoding="utf-8"))
    assert data["format"]["decimal"] == ","
    assert data["format"]["thousands"] == "."
    assert data["timeFormat"]["months"][2] == "maart"
    assert vega_bundle.write_assets(tmp_path) == []  # up to date: nothing rewritten
    bundle.write_text("/*! regie-vega-bundle vl-convert=0.0.1 */\n", encoding="utf-8")
    assert vega_bundle.write_assets(tmp_path) == [bundle]
    assert vega_bundle.main(["--output-dir", str(tmp_path), "--force"]) == 0


def test_table_rounds_half_up_like_the_chart() -> None:
    table = ChartTable(
        "r",
        "R",
        [Column("v", "Waarde", "number", decimals=1), Column("n", "Aantal", "integer")],
        [{"v": 36.55, "n": 1245.5}, {"v": 1234.25, "n": 7}],
    )
    html, _ = render_chart(Chart(table, None))
    assert "36,6" in html
    assert "1.234,3" in html
    assert "1.246" in html


# --- Issue 15: charts that read at a glance ------------------------------------------------


def _years_table(years: tuple[int, ...] = (2016, 2021, 2022)) -> ChartTable:
    columns = [
        Column("measure", "Maatstaf", "text"),
        Column("year", "Jaar", "period"),
        Column("value", "Geregistreerde misdrijven (aantal)", "integer"),
        Column("covid", "COVID-jaar", "text"),
    ]
    rows = [
        {
            "measure": name,
            "year": year,
            "value": 1000 + i * 400 + year,
            "covid": year in (2020, 2021),
        }
        for i, name in enumerate(
            ("Totaal misdrijven", "Diefstal van/uit voertuigen (politie-opgave)")
        )
        for year in years
    ]
    return ChartTable("jaren", "Per jaar", columns, rows)


def _x_of(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [u["encoding"]["x"] for u in mark_units(spec) if "x" in u.get("encoding", {})]


def test_years_are_on_a_time_axis_formatted_without_grouping() -> None:
    table = _years_table()
    for spec in (
        charts.line_series(table, x="year", y="value", color="measure", highlight="covid"),
        charts.small_multiples(table, x="year", y="value", facet="measure", highlight="covid"),
        charts.bar_by_year(table, x="year", y="value", highlight="covid"),
    ):
        for x in _x_of(spec):
            assert x["type"] == "temporal", x
            assert x["axis"]["format"] == "%Y", x  # "2016", never "2.016"
        text = json.dumps(spec)
        # the date of a year is computed in UTC from the year, the tooltip shows it as text
        assert 'utc(datum[\\"year\\"], 0, 1)' in text
        assert "'' + datum[\\\"year\\\"]" in text
        assert '"field": "__text_year"' in text or '"field":"__text_year"' in text.replace(" ", "")


def test_missing_years_keep_their_distance_on_the_axis() -> None:
    """2016, 2021 and 2022: the gap of five years is five times the gap of one."""
    table = _years_table()
    one = ChartTable(
        table.key,
        table.title,
        table.columns,
        [r for r in table.rows if r["measure"] == "Totaal misdrijven"],
    )
    svg = to_svg(charts.line_series(one, x="year", y="value"))
    assert ">2016<" in svg
    assert ">2022<" in svg
    assert not re.search(r">2[.,]01[6-9]<|>2[.,]02[0-2]<", svg)  # no year "2.016"
    view = vl_convert.vegalite_to_vega(charts.line_series(one, x="year", y="value"))
    assert '"type":"utc"' in json.dumps(view).replace(" ", "")


def test_axis_titles_are_words_with_units_never_value() -> None:
    from regie.monitor.models import Source, Unit
    from regie.veiligheidsbeeld import dashboard

    labels = [
        dashboard.value_label(Unit.COUNT, Source.POLITIE),
        dashboard.value_label(Unit.COUNT, Source.POLITIE, per_1000=True),
        dashboard.value_label(Unit.GRADE),
        dashboard.value_label(Unit.PERCENT),
        dashboard.value_label(Unit.COUNT, Source.OVERLAST),
    ]
    assert labels[0] in ("Geregistreerde misdrijven (aantal)", "Registered crimes (number)")
    assert labels[1] in ("Per 1.000 inwoners", "Per 1,000 inhabitants")
    assert labels[2] in ("Rapportcijfer (1–10)", "Report mark (1–10)")
    for label in labels:
        assert label not in ("Waarde", "Value"), labels
    grade = dashboard.value_column(Unit.GRADE)
    assert grade.domain == (1.0, 10.0)
    spec = charts.line_series(
        ChartTable(
            "c",
            "C",
            [Column("year", "Jaar", "period"), grade],
            [{"year": 2021, "value": 7.3}, {"year": 2023, "value": 7.1}],
        ),
        x="year",
        y="value",
    )
    line = next(u for u in mark_units(spec) if mark_type(u) == "line")
    assert line["encoding"]["y"]["title"] == grade.label
    assert line["encoding"]["y"]["scale"]["domain"] == [1.0, 10.0]  # a 1–10 mark on a 1–10 axis
    assert "Waarde" not in json.dumps(spec)
    assert '"Value"' not in json.dumps(spec)


def test_counts_start_at_zero_with_a_nice_number_of_ticks() -> None:
    spec = charts.small_multiples(_years_table(), x="year", y="value", facet="measure")
    for unit in mark_units(spec):
        y = unit["encoding"]["y"]
        assert y["scale"]["zero"] is True
        assert y["scale"]["nice"] is True
        assert y["axis"]["tickCount"] == 5
    svg = to_svg(spec)
    assert len(re.findall(r">\d\.\d{3}<|>\d{1,3}<", svg)) > 4  # several ticks, not one


def test_panel_titles_and_legends_are_never_cut_off() -> None:
    spec = charts.small_multiples(_years_table(), x="year", y="value", facet="measure")
    header = spec["facet"]["header"]
    assert header["labelLimit"] == 0
    assert '["Diefstal van/uit", "voertuigen", "(politie-opgave)"]' in header["labelExpr"]
    assert spec["config"]["legend"]["labelLimit"] == 0
    assert spec["config"]["axis"]["labelLimit"] == 0
    svg = to_svg(spec)
    assert "(politie-opgave)" in svg
    assert "…" not in svg


def test_map_highlights_the_own_gemeente_names_it_and_titles_its_legend(geojson) -> None:
    table = map_table(geojson)
    spec = charts.choropleth(
        table,
        geojson=geojson,
        key="code",
        value="rate",
        flag="small",
        own="GM0556",
        own_label="Maassluis (eigen gemeente)",
    )
    own = [u for u in spec["layer"] if "stroke" in u.get("encoding", {})]
    assert own
    assert own[0]["encoding"]["stroke"]["scale"]["range"] == ["#000000"]
    assert own[0]["mark"]["strokeWidth"] >= 2
    assert any("GM0556" in t.get("filter", "") for t in own[0]["transform"])
    texts = [u for u in spec["layer"] if mark_type(u) == "text"]
    assert texts, "the own gemeente is named on the map"
    for layer in texts:  # its data survives next to the map's own datasets
        assert layer["data"]["name"] in spec["datasets"]
    legend = next(
        u["encoding"]["color"]
        for u in spec["layer"]
        if u.get("encoding", {}).get("color", {}).get("type") == "quantitative"
    )
    assert legend["title"] == "Per 1.000 inwoners"  # the unit
    svg = to_svg(spec)
    assert "Maassluis" in svg
    assert "eigen gemeente" in svg


def test_a_line_breaks_at_missing_years_instead_of_bridging_them() -> None:
    table = _years_table((2016, 2021, 2022))
    spec = charts.small_multiples(table, x="year", y="value", facet="measure")
    drawn = spec["datasets"]["regie-table"]
    fillers = [r for r in drawn if r["value"] is None]
    assert sorted({r["year"] for r in fillers}) == [2017, 2018, 2019, 2020]
    assert len(fillers) == 8  # four years for each of the two measures
    assert table.rows == [r for r in drawn if r["value"] is not None]  # the table is unchanged


@pytest.mark.parametrize(
    ("count", "most", "expected"),
    [(1, 3, 1), (2, 3, 2), (3, 3, 3), (4, 3, 2), (5, 3, 3), (6, 3, 3), (7, 3, 3), (4, 2, 2)],
)
def test_facet_columns_fill_the_rows(count: int, most: int, expected: int) -> None:
    assert charts.facet_columns(count, most) == expected


def test_four_small_multiples_have_no_empty_axes() -> None:
    """Four panels in a 2 × 2 grid, each with its own x axis (no axis under an empty cell)."""
    columns = [
        Column("measure", "Maat", "text"),
        Column("year", "Jaar", "period"),
        Column("value", "Aantal", "integer"),
        Column("covid", "Coronajaar", "text"),
    ]
    rows = [
        {"measure": name, "year": year, "value": 10 + year % 5, "covid": year in (2020, 2021)}
        for name in ("a", "b", "c", "d")
        for year in range(2019, 2024)
    ]
    spec = charts.small_multiples(
        ChartTable("f", "F", columns, rows), x="year", y="value", facet="measure", highlight="covid"
    )
    assert spec["columns"] == 2
    assert spec["usermeta"]["regie"]["facet"]["maxColumns"] == 2
    assert spec["resolve"]["axis"]["x"] == "independent"
    assert spec["resolve"]["scale"]["y"] == "independent"

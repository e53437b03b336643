"""Charts: one table of figures plus one Vega-Lite spec (built with Altair) per chart.

A :class:`Chart` is what a page section hands to ``core/_chart.html``: the :class:`ChartTable`
is the table alternative and the source of the CSV/XLSX downloads (``core.exports``), the spec is
embedded in the browser with vega-embed (``static/regie/charts.js``) and rendered to SVG/PNG on the
server with vl-convert. Every builder below takes a table and column keys and returns a plain dict.

Conventions shared by the builders:

- ``None`` in a row means *not published*: never drawn as 0 (Vega-Lite drops invalid values).
- Column kinds: ``text`` (nominal), ``number``/``integer``/``percent`` (quantitative; ``percent``
  holds percentage points, 24.6 means 24,6 %), ``period`` (a year as an int, a month as
  ``"2024-03"`` or a date as ``"2024-03-01"``). Periods are always on a time axis: years that are
  missing keep their place (2016, 2021 and 2022 are not equally spaced), and a year is shown as
  ``%Y`` on axes and as plain text in tooltips, never with a thousands separator ("2.025").
- Column labels are words with their unit ("Geregistreerde misdrijven (aantal)"), never "Value";
  quantitative scales of counts start at zero and have a nice number of ticks; a column may fix
  its scale's ``domain`` (a rapportcijfer 1–10, a percentage 0–100).
- Column keys are used as Vega-Lite field names: keep them simple identifiers (dots are escaped).
- Colours: Okabe–Ito based, each at least 3:1 against white (WCAG 1.4.11); a highlight is never
  shown by colour alone (lighter fill *with* an outline, a different point shape, bold labels).
- Specs are built without Altair's schema validation (~15 ms per spec); the tests validate every
  builder against the Vega-Lite schema instead.

Modules: :mod:`regie.core.charts_table` (the table, :class:`Chart`, the colours, the spec as
JSON), :mod:`regie.core.charts_encoding` (axes, scales, tooltips and facets the builders share),
:mod:`regie.core.charts_time` (figures over time) and :mod:`regie.core.charts_areas` (areas
compared). Other code imports from this module.
"""

from __future__ import annotations

from regie.core.charts_areas import choropleth, ranking
from regie.core.charts_encoding import facet_columns
from regie.core.charts_table import (
    FLAGGED_FILL,
    FONT,
    HIGHLIGHT_BAND,
    HIGHLIGHT_FILL,
    KINDS,
    MAP_HEIGHT,
    NEUTRAL,
    NO_DATA_FILL,
    NUMERIC_KINDS,
    OWN,
    PALETTE,
    PANEL_HEIGHT,
    PANEL_WIDTH,
    PRIMARY,
    Chart,
    ChartTable,
    Column,
    round_half_up,
    to_json,
)
from regie.core.charts_time import bar_by_year, line_series, small_multiples

__all__ = [
    "FLAGGED_FILL",
    "FONT",
    "HIGHLIGHT_BAND",
    "HIGHLIGHT_FILL",
    "KINDS",
    "MAP_HEIGHT",
    "NEUTRAL",
    "NO_DATA_FILL",
    "NUMERIC_KINDS",
    "OWN",
    "PALETTE",
    "PANEL_HEIGHT",
    "PANEL_WIDTH",
    "PRIMARY",
    "Chart",
    "ChartTable",
    "Column",
    "bar_by_year",
    "choropleth",
    "facet_columns",
    "line_series",
    "ranking",
    "round_half_up",
    "small_multiples",
    "to_json",
]

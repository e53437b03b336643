"""The table of a chart (:class:`ChartTable`, :class:`Column`), the :class:`Chart` that pairs it
with a Vega-Lite spec, the shared colours and sizes, and the spec's safe JSON.

See :mod:`regie.core.charts` for the conventions every chart follows.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

KINDS: Final = frozenset({"text", "number", "integer", "percent", "period"})
NUMERIC_KINDS: Final = frozenset({"number", "integer", "percent"})

#: Categorical colours (Okabe–Ito, darkened where needed): contrast with white 3.06–12.2.
PALETTE: Final = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#A36A00", "#595959", "#332288")
PRIMARY: Final = "#0072B2"
#: The own gemeente in a ranking (vermilion: distinguishable from blue for all common CVD types).
OWN: Final = "#D55E00"
#: Lighter fill of highlighted bars (always drawn with a PRIMARY outline).
HIGHLIGHT_FILL: Final = "#A6CEE3"
#: Background band behind highlighted periods in a line chart.
HIGHLIGHT_BAND: Final = "#E8E8E8"
NEUTRAL: Final = "#4D4D4D"
FLAGGED_FILL: Final = "#B3B3B3"
NO_DATA_FILL: Final = "#F2F2F2"
FONT: Final = '"Noto Sans Variable", Arial, sans-serif'

#: Width of one facet panel in server renderings; charts.js recomputes it from the page width.
PANEL_WIDTH: Final = 200
PANEL_HEIGHT: Final = 130
MAP_HEIGHT: Final = 520


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # already translated text
    kind: str  # "text" | "number" | "integer" | "percent" | "period"
    decimals: int | None = None  # display decimals for number/percent
    domain: tuple[float, float] | None = None  # a fixed scale (rapportcijfer 1–10)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Unknown column kind {self.kind!r} for {self.key!r}")

    @property
    def is_numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS

    @property
    def d3_format(self) -> str:
        """The d3-format specifier for this column (Dutch separators come from the locale)."""
        if self.kind == "integer":
            return ",d"
        if self.decimals is not None:
            return f",.{self.decimals}f"
        return ",~f"


@dataclass
class ChartTable:
    key: str  # slug, used in download file names, unique per page
    title: str
    columns: list[Column]
    # values: str, int, float, bool or None (None = not published: "–", never 0)
    rows: list[dict[str, Any]]
    # lineage lines shown under the chart, e.g. "CBS 83648NED, import 23 november 2026, voorlopig"
    sources: list[str] = field(default_factory=list)
    note: str = ""  # one sentence shown under the title (what changed / caveat)

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(f"Table {self.key!r} has no column {key!r}")


@dataclass
class Chart:
    table: ChartTable
    spec: dict[str, Any] | None  # Vega-Lite spec; None = table only
    description: str = ""  # text alternative summary (aria)


def round_half_up(value: int | float | Decimal, decimals: int | None) -> int | float | Decimal:
    """``value`` rounded half up to ``decimals`` as the charts (d3-format) show it: 36.55 → 36.6.

    The table and the CSV use it, so that all three show the same figure (Django's number_format
    would truncate instead).
    """
    if decimals is None or isinstance(value, int) or not math.isfinite(value):
        return value
    exact = value if isinstance(value, Decimal) else Decimal(repr(value))
    return exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def to_json(spec: dict[str, Any]) -> str:
    """The spec as JSON that is safe inside ``<script type="application/json">``."""
    text = json.dumps(spec, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")

"""Format ``statline-csv``: the CSV export of (CBS or politie) StatLine, with labels.

The export is UTF-8 with a BOM, ``;``-separated, text fields quoted, and carries **labels**
instead of codes: ``"Totaal misdrijven";"2023 januari";"Doorn";129``. Numbers use a decimal
comma; an empty cell, ``.`` or ``x`` means *not published* (value ``None``, never 0); ``-`` is
CBS's "nihil" and reads as 0. Period labels carry StatLine's markers ``*`` (voorlopig) and
``**`` (nader voorlopig).

Supported layout: one header row, then one record per combination, periods **in rows**:

- **long, with a measure dimension** (politie/CBS crime and overlast tables)::

      "Soort misdrijf";"Perioden";"Wijken en buurten";"Geregistreerde misdrijven (aantal)"

  The labels of the ``Soort misdrijf`` / ``Soort overlast`` column are looked up with
  ``context.measure_by_label(source, label)``. Of the topic columns (headers ending in a unit in
  parentheses) one is imported as the count: the first ``(aantal)`` column whose label mentions
  "geregistreerd" (also the misspelt "geregisteerde" of old exports) or "registraties", else
  the first ``(aantal)`` column, else the first topic. Other topics are named in a note.

- **wide, one column per indicator** (Veiligheidsmonitor)::

      "Marges";"Perioden";"Regio's";"(On)veiligheidsbeleving /…/Voelt zich wel eens onveilig (%)";…

  Every topic column is a measure, looked up by its header label (the whole header first, then
  its last ``/`` part, each also without the unit). A header that no measure matches gives one
  :class:`RowError` on the header line, and that column is left out. Of the ``Marges`` rows only
  ``Waarde`` is imported; rows with other margins (bounds of the 95% interval) are skipped with
  a note, because :class:`Row` has no field for them.

Which measure **source** the labels belong to:

1. ``context.table`` names a table in ``base.TABLES``: that table's source;
2. a measure column ``Soort overlast``: ``overlast``;
3. another table id in ``context.table``: ``politie`` for the police ``47…NED`` tables, ``cbs``
   otherwise;
4. ``Soort misdrijf`` with a count topic starting "Totaal geregistreerde misdrijven" (the label
   CBS 83648NED uses): ``cbs``; any other ``Soort misdrijf`` file: ``politie``. The police and CBS
   share labels like "1.1.1 Diefstal/inbraak woning" with different meanings, so when in doubt
   give ``--table``;
5. wide files without a measure column: ``vm`` (Veiligheidsmonitor).

Areas are given by name and resolved with ``context.area_by_name``; names are not unique (a
wijk and a buurt can share a name, e.g. "Doorn"), and such a record becomes a :class:`RowError`.
A cell that already holds an area code (``GM0556``) is used as it is.

Not supported: exports with periods (or other dimensions) **in columns**, such as the
"Bevolkingsontwikkeling; regio per maand" export with a title row and a column per year; the
adapter raises :class:`FormatError` with a hint to export with "Perioden" in the rows. Exports
with other dimension columns (e.g. "Persoonskenmerken") are refused likewise.

Line numbers are physical lines of the file (the header is line 1, the first record line 2).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO

from regie.monitor import periods
from regie.monitor.sources.base import (
    FILE_EMPTY,
    STATUS_BY_MARKER,
    TABLES,
    FormatError,
    ReadContext,
    Row,
    RowError,
    Status,
    clean_label,
    gettext_noop,
)
from regie.monitor.sources.local import (
    MAX_DECOMPRESSED_BYTES,
    AreaLookup,
    csv_records,
    decode_text,
    normalise_header,
    peek_text,
    read_all,
)

PERIOD_HEADERS = frozenset({"perioden"})
AREA_HEADERS = frozenset(
    {"regio's", "regios", "regio", "wijken en buurten", "gemeenten", "gemeente", "regio’s"}
)
MEASURE_HEADERS: dict[str, str] = {"soort misdrijf": "misdrijf", "soort overlast": "overlast"}
MARGIN_HEADERS = frozenset({"marges"})
KNOWN_DIMENSIONS = PERIOD_HEADERS | AREA_HEADERS | frozenset(MEASURE_HEADERS) | MARGIN_HEADERS
#: OData key-style headers; a file with these is ``odata-csv``, not a StatLine export
ODATA_HEADERS = frozenset({"id", "regios", "soortmisdrijf", "wijkenenbuurten", "measure"})
VALUE_MARGIN = "waarde"
NOT_PUBLISHED = frozenset({"", ".", "x", "?"})
_NUMBER = re.compile(r"^-?[0-9]+(,[0-9]+)?$")
_UNIT = re.compile(r"\s*\([^()]*(\([^()]*\)[^()]*)*\)\s*$")
_TOPIC = re.compile(r"\)\s*$")


def _split_path(header: str) -> list[str]:
    """Split a StatLine topic path on ``/`` outside parentheses."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in header:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        if char == "/" and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [clean_label(part) for part in parts if clean_label(part)]


def label_candidates(header: str) -> list[str]:
    """Labels to try for a wide indicator column, most specific first."""
    full = clean_label(header)
    parts = _split_path(full)
    last = parts[-1] if parts else full
    out: list[str] = []
    for text in (full, last, _UNIT.sub("", full), _UNIT.sub("", last)):
        text = clean_label(text)
        if text and text not in out:
            out.append(text)
    return out


def parse_value(text: str) -> float | None:
    """A StatLine number: decimal comma, no thousands separator; raises ValueError."""
    raw = text.strip()
    if raw.lower() in NOT_PUBLISHED:
        return None
    if raw == "-":
        return 0.0
    if not _NUMBER.match(raw):
        raise ValueError(raw)
    return float(raw.replace(",", "."))


@dataclass
class Layout:
    period: int
    area: int
    measure: int | None = None  # index of "Soort misdrijf"/"Soort overlast"
    measure_kind: str = ""  # "misdrijf", "overlast"
    margin: int | None = None
    topics: list[int] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)


def _layout(header: Sequence[str]) -> Layout:
    names = [normalise_header(cell) for cell in header]
    period = area = measure = margin = None
    measure_kind = ""
    topics: list[int] = []
    for index, name in enumerate(names):
        if name in PERIOD_HEADERS and period is None:
            period = index
        elif name in AREA_HEADERS and area is None:
            area = index
        elif name in MEASURE_HEADERS and measure is None:
            measure, measure_kind = index, MEASURE_HEADERS[name]
        elif name in MARGIN_HEADERS and margin is None:
            margin = index
        elif not name:
            continue
        elif _TOPIC.search(name):
            topics.append(index)
        else:
            raise FormatError(
                gettext_noop(
                    "column %(column)r is a dimension this import does not support; export the "
                    "table with only Perioden, the region and the measure dimension in the rows"
                ),
                column=clean_label(header[index]),
            )
    if period is None:
        raise FormatError(gettext_noop("the StatLine export has no column 'Perioden'"))
    if area is None:
        raise FormatError(
            gettext_noop(
                "the StatLine export has no region column ('Regio's', 'Wijken en buurten')"
            )
        )
    if not topics:
        raise FormatError(gettext_noop("the StatLine export has no topic column with figures"))
    return Layout(
        period, area, measure, measure_kind, margin, topics, [clean_label(h) for h in header]
    )


def _count_topic(layout: Layout) -> int:
    lowered = {index: layout.headers[index].lower() for index in layout.topics}
    counts = [index for index in layout.topics if "(aantal)" in lowered[index]]
    for index in counts:
        text = lowered[index]
        if "geregistreerd" in text or "geregisteerd" in text or "registraties" in text:
            return index
    return counts[0] if counts else layout.topics[0]


def _source(layout: Layout, context: ReadContext, count_topic: int | None) -> str:
    table = context.table.strip().upper()
    if table in TABLES:
        return TABLES[table].source
    if layout.measure_kind == "overlast":
        return "overlast"
    if layout.measure is None:
        return "vm"
    if table:
        return "politie" if table.startswith("47") else "cbs"
    if count_topic is not None and layout.headers[count_topic].lower().startswith(
        "totaal geregistreerde misdrijven"
    ):
        return "cbs"
    return "politie"


class StatlineCsvAdapter:
    name = "statline-csv"
    description = "StatLine CSV export with labels (CBS/politie tables, Veiligheidsmonitor)"

    def sniff(self, head: bytes, filename: str) -> bool:
        text = peek_text(head)
        lines = [line for line in text.splitlines()[:8] if line.strip()]
        if not any(";" in line for line in lines):
            return False
        for line in lines:
            cells = [normalise_header(c.strip().strip('"')) for c in line.split(";")]
            if ODATA_HEADERS & set(cells):
                return False
            if "perioden" in cells and (
                AREA_HEADERS & set(cells) or MEASURE_HEADERS.keys() & set(cells)
            ):
                return True
            if "perioden" in cells and sum(1 for c in cells if c) == 1:
                return True  # the spanning header of a pivoted export: read() explains
        return False

    def read(self, stream: IO[bytes], context: ReadContext) -> Iterator[Row | RowError]:
        text = decode_text(read_all(stream, context.max_bytes or MAX_DECOMPRESSED_BYTES))
        records = csv_records(text, ";")
        header_line, header = _find_header(records)
        names = {normalise_header(c) for c in header}
        if names & ODATA_HEADERS:
            raise FormatError(
                gettext_noop("this looks like an OData CSV with codes; use --format odata-csv")
            )
        layout = _layout(header)
        count_topic = _count_topic(layout) if layout.measure is not None else None
        source = _source(layout, context, count_topic)
        self._describe(context, source)
        yield from self._read_rows(records, layout, count_topic, source, header_line, context)

    @staticmethod
    def _describe(context: ReadContext, source: str) -> None:
        table = context.table.strip().upper()
        context.info.source = {"cbs": "CBS", "vm": "CBS"}.get(source, "Politie")
        if table:
            context.info.table = table
        if table in TABLES:
            context.info.title = TABLES[table].title
        elif source == "vm" and not context.info.title:
            context.info.title = "Veiligheidsmonitor"

    def _read_rows(
        self,
        records: Iterator[tuple[int, list[str]]],
        layout: Layout,
        count_topic: int | None,
        source: str,
        header_line: int,
        context: ReadContext,
    ) -> Iterator[Row | RowError]:
        headers = layout.headers
        areas = AreaLookup(context)
        measure_cache: dict[str, str | None] = {}

        # Columns that carry values, and their measure when fixed by the header (wide files).
        value_columns: list[tuple[int, str | None]] = []
        if count_topic is not None:
            value_columns.append((count_topic, None))
            skipped = [headers[i] for i in layout.topics if i != count_topic]
            if skipped:
                context.notes.append(f"columns not imported: {', '.join(skipped)}")
        else:
            for index in layout.topics:
                code = _wide_measure(headers[index], source, context)
                if code is None:
                    yield RowError(
                        header_line,
                        headers[index],
                        headers[index],
                        f"unknown indicator: no {source} measure has this label",
                    )
                else:
                    value_columns.append((index, code))

        other_margins = 0
        width = len(headers)
        for line, cells in records:
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) < width:
                cells = [*cells, *[""] * (width - len(cells))]
            if layout.margin is not None:
                margin = clean_label(cells[layout.margin]).lower()
                if margin != VALUE_MARGIN:
                    other_margins += 1
                    continue
            errors: list[RowError] = []

            raw_period = cells[layout.period]
            period: str | None = None
            status = Status.ONBEKEND
            try:
                labelled = periods.from_label(raw_period)
            except periods.PeriodError:
                errors.append(
                    RowError(line, headers[layout.period], raw_period, "unknown period label")
                )
            else:
                period = labelled.period.code
                status = STATUS_BY_MARKER.get(labelled.marker, Status.ONBEKEND)

            raw_area = cells[layout.area]
            area, message = areas(raw_area)
            if area is None:
                errors.append(RowError(line, headers[layout.area], raw_area, message))

            row_measure: str | None = None
            if layout.measure is not None:
                raw_measure = clean_label(cells[layout.measure])
                if raw_measure not in measure_cache:
                    measure_cache[raw_measure] = (
                        context.measure_by_label(source, raw_measure) if raw_measure else None
                    )
                row_measure = measure_cache[raw_measure]
                if row_measure is None:
                    errors.append(
                        RowError(
                            line,
                            headers[layout.measure],
                            cells[layout.measure],
                            f"unknown label: no {source} measure has this label",
                        )
                    )

            values: list[tuple[str, float | None]] = []
            for index, fixed in value_columns:
                measure = fixed or row_measure
                try:
                    value = parse_value(cells[index])
                except ValueError:
                    errors.append(RowError(line, headers[index], cells[index], "not a number"))
                    continue
                if measure is not None:
                    values.append((measure, value))

            if errors or period is None or area is None:
                yield from errors
                continue
            for measure, value in values:
                yield Row(line, area, measure, period, value, status)

        if other_margins:
            context.notes.append(
                f"{other_margins} rows with margins other than 'Waarde' (interval bounds) "
                "were not imported"
            )


def _wide_measure(header: str, source: str, context: ReadContext) -> str | None:
    for candidate in label_candidates(header):
        code = context.measure_by_label(source, candidate)
        if code:
            return code
    return None


#: title rows above the header are skipped; the header must be within this many records
HEADER_SEARCH_ROWS = 10


def _find_header(records: Iterator[tuple[int, list[str]]]) -> tuple[int, list[str]]:
    """The header record: it names ``Perioden`` and a region column."""
    seen = 0
    for line, cells in records:
        names = {normalise_header(c) for c in cells}
        if "perioden" in names:
            if names & AREA_HEADERS:
                return line, cells
            raise FormatError(
                gettext_noop(
                    "this StatLine export has the periods in columns; export it again with "
                    "'Perioden' and the regions in the rows"
                )
            )
        if any(cell.strip() for cell in cells):
            seen += 1
        if seen >= HEADER_SEARCH_ROWS:
            break
    if seen == 0:
        raise FormatError(FILE_EMPTY)
    raise FormatError(
        gettext_noop("the StatLine export has no header with the columns 'Perioden' and a region")
    )


ADAPTER = StatlineCsvAdapter()

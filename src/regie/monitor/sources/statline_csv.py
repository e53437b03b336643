"""Format ``statline-csv``: what people download from (CBS or politie) StatLine, with labels.

Read as a **grid** of cells from a CSV file (``;``, ``,`` or tab; UTF-8 with or without BOM, else
Windows-1252; gzip allowed) or the first sheet of an XLSX workbook. Two families of layout:

- the **CSV export** ("Downloaden → CSV"): one header row, one record per combination::

      "Soort misdrijf";"Perioden";"Wijken en buurten";"Geregistreerde misdrijven (aantal)"
      "Totaal misdrijven";"2023 januari*";"Doorn";129

- the **table view** (StatLine's "Tabel" download and the default download of the police portal
  data.politie.nl, also saved from Excel): a title line, filter lines for the dimensions with one
  selected value (``Soort misdrijf: Totaal misdrijven``, ``Perioden: 2023``), one or more header
  rows with the periods **or** the regions (or topics) in columns, a spanning row naming that
  dimension (``;;;Perioden``), a unit column or unit row (``aantal``), then the data, then
  footnotes and a footer (``Bron: CBS``, ``Bron: Politie``) that are not read::

      "Bevolkingsontwikkeling; regio per maand"
      ""
      "";"";"";"Perioden"
      "Regio's";"Onderwerp";"";"2022";"2023*"
      "Maassluis";"Bevolking aan het einde van de periode";"aantal";"35303";"35832"

  Merged cells (Excel) are blank after the first cell: header cells are filled from the left,
  stub cells of data rows from the row above.

Each value cell gets its coordinates from the filter lines, its row's stub cells and its column's
header cells. The dimensions are recognised by their StatLine names (``Perioden``; region:
``Regio's``, ``Gemeenten``, ``Wijken en buurten``, ``Politie-eenheden`` …; ``Soort misdrijf``,
``Soort overlast``; ``Onderwerp``; ``Marges``); a header row without a name is a period row when
every label is a period, a topic row when every label ends in a unit, else a region row.

Values: decimal comma (in ``,``-separated files a decimal point); ``.``, ``x``, ``?`` = not
published (``None``, never 0); ``-`` is CBS's "nihil" (0); a **blank** cell has no figure (CBS: "a
figure cannot occur") and gives no row. Period labels carry StatLine's markers ``*`` (voorlopig) and
``**`` (nader voorlopig); when a file marks no period at all it says nothing about status and its
figures get ``Status.ONBEKEND``.

Measures:

- with a ``Soort misdrijf``/``Soort overlast`` dimension its labels are looked up
  (``context.measure_by_label``, then the labels of earlier editions in
  ``data/editions/soort_misdrijf_edities.csv``; an unknown label is a row error naming the nearest
  known label). Of several topics one is imported as the count (a "geregistreerd"/"registraties"
  topic, else the first "(aantal)" topic, else the first); the others are named in a note;
- population topics ("Bevolking op 1 januari" of 03759ned, "Totale bevolking" of 70072ned,
  "Bevolking aan het begin/einde van de periode" of 37230ned) give ``cbs:bevolking``; the end of
  year Y is the population on 1 January Y+1. Other topics of these tables are noted, not errors;
- other topics (Veiligheidsmonitor) are looked up by label as ``vm`` measures; a ``Marges``
  dimension gives the value (``Waarde``) and the 95 % bounds (``Ondergrens…`` →
  ``vm:<key>.ondergrens``, ``Bovengrens…`` → ``vm:<key>.bovengrens``).

Which measure **source** the crime labels belong to: the table (``--table``, or found in the title
or file name) when it is known; ``Soort overlast``: ``overlast``; a count topic "Totaal
geregistreerde misdrijven" (CBS 83648NED): ``cbs``; else ``politie``.

Areas are given by name (or code) and resolved with ``context.area_by_name`` with the region level
of the column when the table says it (``Gemeenten``, 47013NED, a label suffix ``(PV)``/``(RE)``/
``(gemeente)``, ``Wijk 01 …``) and the year of the period. Pseudo-regions (Buitenland, "niet in te
delen", RE99, …) and rows without any value give :class:`Skip`, never an error.

Line numbers are physical lines (CSV) or row numbers (XLSX): the first line of the file is 1.

The reading is spread over :mod:`~regie.monitor.sources.statline_cells` (StatLine's words and
values), :mod:`~regie.monitor.sources.statline_grid` (the layout), ``statline_survey`` (what the
file holds), ``statline_values`` (one value cell) and ``statline_reader`` (the rows and notes);
their public names are imported here as well.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Iterator, Sequence
from typing import IO

from regie.monitor.sources.base import (
    FormatError,
    ReadContext,
    Row,
    RowError,
    Skip,
    gettext_noop,
)
from regie.monitor.sources.files import (
    ZIP_MAGIC,
    csv_records,
    decode_text,
    normalise_header,
    peek_text,
    read_all,
    sniff_delimiter,
)
from regie.monitor.sources.statline_cells import AREA as AREA
from regie.monitor.sources.statline_cells import AREA_HEADERS as AREA_HEADERS
from regie.monitor.sources.statline_cells import BREAKDOWN as BREAKDOWN
from regie.monitor.sources.statline_cells import DIMENSIONS as DIMENSIONS
from regie.monitor.sources.statline_cells import FILTER_LINE, TABLE_ID, dimension_of
from regie.monitor.sources.statline_cells import MARGIN as MARGIN
from regie.monitor.sources.statline_cells import MEASURE as MEASURE
from regie.monitor.sources.statline_cells import MEASURE_HEADERS as MEASURE_HEADERS
from regie.monitor.sources.statline_cells import NOT_PUBLISHED as NOT_PUBLISHED
from regie.monitor.sources.statline_cells import ODATA_HEADERS as ODATA_HEADERS
from regie.monitor.sources.statline_cells import PERIOD as PERIOD
from regie.monitor.sources.statline_cells import PERIOD_HEADERS as PERIOD_HEADERS
from regie.monitor.sources.statline_cells import POPULATION as POPULATION
from regie.monitor.sources.statline_cells import POPULATION_TABLES as POPULATION_TABLES
from regie.monitor.sources.statline_cells import POPULATION_TITLES as POPULATION_TITLES
from regie.monitor.sources.statline_cells import POPULATION_TOPICS as POPULATION_TOPICS
from regie.monitor.sources.statline_cells import SUFFIX_LEVELS as SUFFIX_LEVELS
from regie.monitor.sources.statline_cells import TABLE_LEVELS as TABLE_LEVELS
from regie.monitor.sources.statline_cells import TITLES as TITLES
from regie.monitor.sources.statline_cells import TOPIC as TOPIC
from regie.monitor.sources.statline_cells import UNIT as UNIT
from regie.monitor.sources.statline_cells import cell_text as cell_text
from regie.monitor.sources.statline_cells import label_candidates as label_candidates
from regie.monitor.sources.statline_cells import parse_value as parse_value
from regie.monitor.sources.statline_grid import HEADER_SEARCH_ROWS as HEADER_SEARCH_ROWS
from regie.monitor.sources.statline_grid import MAX_HEADER_ROWS as MAX_HEADER_ROWS
from regie.monitor.sources.statline_grid import Grid as Grid
from regie.monitor.sources.statline_grid import build_grid as build_grid
from regie.monitor.sources.statline_reader import COUNT_FIRST_ROWS as COUNT_FIRST_ROWS
from regie.monitor.sources.statline_reader import NOTE_BREAKDOWN as NOTE_BREAKDOWN
from regie.monitor.sources.statline_reader import NOTE_COLUMNS as NOTE_COLUMNS
from regie.monitor.sources.statline_reader import NOTE_FILTERS as NOTE_FILTERS
from regie.monitor.sources.statline_reader import NOTE_FOOTER as NOTE_FOOTER
from regie.monitor.sources.statline_reader import NOTE_MARGINS as NOTE_MARGINS
from regie.monitor.sources.statline_reader import NOTE_PERIODS as NOTE_PERIODS
from regie.monitor.sources.statline_reader import NOTE_PSEUDO_COLUMNS as NOTE_PSEUDO_COLUMNS
from regie.monitor.sources.statline_reader import NOTE_TOPICS as NOTE_TOPICS
from regie.monitor.sources.statline_reader import UNKNOWN_INDICATOR as UNKNOWN_INDICATOR
from regie.monitor.sources.statline_reader import Reader as Reader
from regie.monitor.sources.statline_survey import NOTE_TABLE_GUESSED as NOTE_TABLE_GUESSED
from regie.monitor.sources.statline_values import NOT_A_NUMBER as NOT_A_NUMBER
from regie.monitor.sources.statline_values import UNKNOWN_PERIOD as UNKNOWN_PERIOD
from regie.monitor.sources.xlsx import TOO_MANY_COLUMNS, Cell, xlsx_records

NAME = "statline-csv"
#: Bounds of a download (the grid is held in memory: about 15 times the file's size). StatLine
#: itself exports at most a few million cells; larger tables come through OData.
MAX_BYTES = 200 * 1024 * 1024
MAX_ROWS = 1_000_000
MAX_COLUMNS = 2_000
TOO_MANY_ROWS = gettext_noop(
    "the file has more than 1,000,000 rows; download the table in parts or use the OData CSV"
)


def _xlsx_strings(head: bytes) -> str:
    """The text of ``xl/sharedStrings.xml`` (and inline sheet text) within the first bytes of a
    workbook, as far as it is there: enough to recognise a StatLine table view."""
    out: list[str] = []
    position = 0
    while True:
        start = head.find(b"PK\x03\x04", position)
        if start < 0 or start + 30 > len(head):
            break
        method = int.from_bytes(head[start + 8 : start + 10], "little")
        size = int.from_bytes(head[start + 18 : start + 22], "little")
        name_len = int.from_bytes(head[start + 26 : start + 28], "little")
        extra_len = int.from_bytes(head[start + 28 : start + 30], "little")
        name = head[start + 30 : start + 30 + name_len]
        body_start = start + 30 + name_len + extra_len
        body = head[body_start : body_start + size] if size else head[body_start:]
        if name.startswith(b"xl/sharedStrings") or name.startswith(b"xl/worksheets/sheet1"):
            try:
                if method == 8:
                    out.append(
                        zlib.decompressobj(-15).decompress(body, 1 << 20).decode("utf-8", "replace")
                    )
                elif method == 0:
                    out.append(body.decode("utf-8", "replace"))
            except zlib.error:
                pass
        position = start + 4
    return " ".join(out)


_XLSX_MARKERS = re.compile(
    r">\s*(Perioden|Regio's|Regio&apos;s|Wijken en buurten|Soort misdrijf|Onderwerp)\s*<"
)


class StatlineCsvAdapter:
    name = NAME
    description = (
        "StatLine download with labels: CSV export or table view (CSV/XLSX; CBS/politie tables, "
        "Veiligheidsmonitor, population)"
    )

    def sniff(self, head: bytes, filename: str) -> bool:
        if head.startswith(ZIP_MAGIC):
            return bool(_XLSX_MARKERS.search(_xlsx_strings(head)))
        text = peek_text(head)
        lines = [line for line in text.splitlines()[:30] if line.strip()]
        area = other = False  # a region header; a measure/topic/margin header or filter line
        for line in lines:
            for delimiter in (";", ",", "\t"):
                cells = [normalise_header(c.strip().strip('"')) for c in line.split(delimiter)]
                if ODATA_HEADERS & set(cells):
                    return False
                names = {c.rstrip(":") for c in cells if c}
                if "perioden" in names:
                    return True
                if cells and re.match(r"^perioden\s*:", cells[0]):
                    return True
                area = area or bool(names & AREA_HEADERS)
                other = other or bool(
                    names & MEASURE_HEADERS.keys() or "onderwerp" in names or "marges" in names
                )
                # a filter line of a table view: "Soort misdrijf: Totaal misdrijven"
                found = FILTER_LINE.match(cells[0]) if cells else None
                if found and dimension_of(found[1]) is not None:
                    other = True
                if area and other:
                    return True
        return False

    def read(self, stream: IO[bytes], context: ReadContext) -> Iterator[Row | RowError | Skip]:
        limit = context.max_bytes or MAX_BYTES
        data = read_all(stream, limit)
        if data.startswith(ZIP_MAGIC):
            records: Iterable[tuple[int, Sequence[Cell]]] = xlsx_records(
                data,
                limit,
                max_rows=MAX_ROWS,
                max_columns=MAX_COLUMNS,
                too_many_rows=TOO_MANY_ROWS,
                refuse_wider=True,
            )
            decimal = ","
        else:
            text = decode_text(data)
            delimiter = sniff_delimiter(text, lines=30)  # title and filter lines first
            records = _bounded(csv_records(text, delimiter))
            decimal = "." if delimiter != ";" else ","
        grid = build_grid(records, decimal)
        names = {normalise_header(name) for _, _, name in grid.stub}
        if names & ODATA_HEADERS:
            raise FormatError(
                gettext_noop("this looks like an OData CSV with codes; use --format odata-csv")
            )
        table = _table(context, grid, getattr(stream, "name", ""))
        yield from Reader(grid, context, table).read()


def _bounded(
    records: Iterable[tuple[int, Sequence[Cell]]],
) -> Iterator[tuple[int, Sequence[Cell]]]:
    """At most :data:`MAX_ROWS` rows of at most :data:`MAX_COLUMNS` cells; a wider row with a
    value beyond the limit is refused, never cut (the grid is held in memory whole)."""
    for line, cells in records:
        if line > MAX_ROWS:
            raise FormatError(TOO_MANY_ROWS)
        if len(cells) > MAX_COLUMNS:
            if any(str(cell).strip() for cell in cells[MAX_COLUMNS:] if cell is not None):
                raise FormatError(TOO_MANY_COLUMNS, limit=MAX_COLUMNS, row=line)
            cells = cells[:MAX_COLUMNS]
        yield line, cells


def _table(context: ReadContext, grid: Grid, filename: object) -> str:
    given = context.table.strip().upper()
    if given:
        return given
    title = grid.title.lower()
    for start, table in TITLES:
        if title.startswith(start):
            return table
    for text in (grid.title, filename if isinstance(filename, str) else ""):
        found = TABLE_ID.search(text)
        if found:
            return found[1].upper()
    return ""


ADAPTER = StatlineCsvAdapter()

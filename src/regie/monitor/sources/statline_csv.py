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
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO

from regie.monitor.sources.base import (
    FILE_EMPTY,
    STATUS_BY_MARKER,
    TABLES,
    FormatError,
    Note,
    ReadContext,
    Row,
    RowError,
    Skip,
    SkipReason,
    Status,
    clean_label,
    gettext_noop,
    is_pseudo_region,
)
from regie.monitor.sources.labels import UNKNOWN_LABEL, UNKNOWN_LABEL_SUGGESTION, MeasureLabels
from regie.monitor.sources.local import (
    TOO_MANY_COLUMNS,
    ZIP_MAGIC,
    AreaLookup,
    Cell,
    _xlsx_records,
    csv_records,
    decode_text,
    normalise_header,
    peek_text,
    read_all,
    sniff_delimiter,
)
from regie.stats import periods

NAME = "statline-csv"
#: Bounds of a download (the grid is held in memory: about 15 times the file's size). StatLine
#: itself exports at most a few million cells; larger tables come through OData.
MAX_BYTES = 200 * 1024 * 1024
MAX_ROWS = 1_000_000
MAX_COLUMNS = 2_000
TOO_MANY_ROWS = gettext_noop(
    "the file has more than 1,000,000 rows; download the table in parts or use the OData CSV"
)

PERIOD, AREA, MEASURE, TOPIC, MARGIN, UNIT, BREAKDOWN = (
    "period",
    "area",
    "measure",
    "topic",
    "margin",
    "unit",
    "breakdown",
)
#: StatLine dimension names (lower case) → (role, detail: region level or measure kind)
DIMENSIONS: dict[str, tuple[str, str | None]] = {
    "perioden": (PERIOD, None),
    "periode": (PERIOD, None),
    "regio's": (AREA, None),
    "regio’s": (AREA, None),
    "regios": (AREA, None),
    "regio": (AREA, None),
    "wijken en buurten": (AREA, None),
    "gemeenten": (AREA, "gemeente"),
    "gemeente": (AREA, "gemeente"),
    "wijken": (AREA, "wijk"),
    "buurten": (AREA, "buurt"),
    "provincies": (AREA, "provincie"),
    "politie-eenheden": (AREA, "politie_eenheid"),
    "politie eenheden": (AREA, "politie_eenheid"),
    "regionale eenheden": (AREA, "politie_eenheid"),
    "veiligheidsregio's": (AREA, "veiligheidsregio"),
    "veiligheidsregios": (AREA, "veiligheidsregio"),
    "soort misdrijf": (MEASURE, "misdrijf"),
    "soort misdrijven": (MEASURE, "misdrijf"),
    "soort overlast": (MEASURE, "overlast"),
    "onderwerp": (TOPIC, None),
    "onderwerpen": (TOPIC, None),
    "marges": (MARGIN, None),
    "geslacht": (BREAKDOWN, None),
    "leeftijd": (BREAKDOWN, None),
    "burgerlijke staat": (BREAKDOWN, None),
}
#: kept for callers of the former module layout
PERIOD_HEADERS = frozenset({"perioden"})
AREA_HEADERS = frozenset(k for k, (role, _) in DIMENSIONS.items() if role == AREA)
MEASURE_HEADERS: dict[str, str] = {
    k: detail or "" for k, (role, detail) in DIMENSIONS.items() if role == MEASURE
}
#: OData key-style headers; a file with these is ``odata-csv``, not a StatLine export
#: ("ID" alone is not one: older StatLine CSV exports start with an "ID" column too)
ODATA_HEADERS = frozenset({"regios", "soortmisdrijf", "wijkenenbuurten", "measure"})
NOT_PUBLISHED = frozenset({".", "x", "?", ".."})
#: region level of a label suffix (StatLine adds it when a name is not unique)
SUFFIX_LEVELS = {"pv": "provincie", "re": "politie_eenheid", "gemeente": "gemeente"}
#: the region level of the tables whose region column holds one level (besides Nederland)
TABLE_LEVELS = {"47013NED": "gemeente"}
#: table titles (lower case, start) → table id
TITLES: tuple[tuple[str, str], ...] = (
    ("geregistreerde criminaliteit; soort misdrijf", "83648NED"),
    ("geregistreerde misdrijven en aangiften; soort misdrijf, gemeente", "47013NED"),
    ("geregistreerde misdrijven; soort misdrijf, wijk, buurt, jaarcijfers", "47018NED"),
    ("geregistreerde misdrijven; soort misdrijf, wijk, buurt, maandcijfers", "47022NED"),
    ("geregistreerde misdrijven; soort misdrijf, regio", "47025NED"),
    ("geregistreerde overlast; soort overlast", "47021NED"),
    ("bevolking; geslacht, leeftijd en burgerlijke staat", "03759NED"),
    ("bevolking op 1 januari en gemiddeld", "03759NED"),
    ("bevolkingsontwikkeling; regio per maand", "37230NED"),
    ("regionale kerncijfers nederland", "70072NED"),
)
POPULATION_TABLES = frozenset({"03759NED", "37230NED", "70072NED"})
POPULATION_TITLES = {
    "03759NED": "Bevolking op 1 januari (CBS 03759ned)",
    "37230NED": "Bevolkingsontwikkeling; regio per maand (CBS 37230ned)",
    "70072NED": "Regionale kerncijfers Nederland (CBS 70072ned)",
}
POPULATION = "cbs:bevolking"
#: population topics (lower case, without unit) → years to add (end of year Y = 1 January Y+1)
POPULATION_TOPICS = {
    "bevolking op 1 januari": 0,
    "totale bevolking": 0,
    "bevolking aan het begin van de periode": 0,
    "bevolking aan het einde van de periode": 1,
    "bevolking aan het eind van de periode": 1,
}
#: header cells that are units (a unit row or the unit column of a table view)
_UNIT_WORDS = re.compile(
    r"^(aantal|%|x ?1 ?000|per 1 ?000( inwoners)?|rapportcijfer|euro|promille|"
    r"aantal per .*|% .*|gemiddelde|index.*|km2|ha)$",
    re.IGNORECASE,
)
_FOOTER = re.compile(
    r"^(bron\b|bron:|©|\(c\)|centraal bureau voor de statistiek|verklaring van symbolen|"
    r"voetnoten?\b|toelichting\b|opmerkingen?\b|\*{1,2}\s*[=:]?\s*\w|gewijzigd op|"
    r"gegevens (zijn )?ontleend|cbs statline)",
    re.IGNORECASE,
)
_FILTER = re.compile(r"^([^:]{2,60}):\s*(.*)$")
_LABEL_SUFFIX = re.compile(r"\((pv|re|gemeente|cr|ld)\)\s*$", re.IGNORECASE)
_WIJK_LABEL = re.compile(r"^wijk \d{2}\b", re.IGNORECASE)
_INT = re.compile(r"^-?[0-9]+$")
_COMMA = re.compile(r"^-?[0-9]+,[0-9]+$")
_POINT = re.compile(r"^-?[0-9]+\.[0-9]+$")
_UNIT = re.compile(r"\s*\([^()]*(\([^()]*\)[^()]*)*\)\s*$")
_TOPIC = re.compile(r"\)\s*$")
_TABLE_ID = re.compile(r"(?<![0-9A-Za-z])([0-9]{5}(?:NED|ENG)|[0-9]{5}ned)(?![0-9A-Za-z])", re.I)
#: the header must start within this many non-empty rows
HEADER_SEARCH_ROWS = 20
#: files up to this many data rows are read twice: first to count what is passed over
COUNT_FIRST_ROWS = 200_000
#: a table view has at most this many header rows
MAX_HEADER_ROWS = 10

NOT_A_NUMBER = gettext_noop("not a number")
UNKNOWN_PERIOD = gettext_noop("unknown period label")
NOTE_TABLE_GUESSED = gettext_noop(
    "the file does not name its table; from its columns it is %(table)s (give --table when it "
    "is another)"
)
UNKNOWN_INDICATOR = gettext_noop("unknown indicator: no %(source)s measure has this label")
NOTE_COLUMNS = gettext_noop("columns not imported: %(columns)s")
NOTE_TOPICS = gettext_noop("topics not imported: %(topics)s")
NOTE_MARGINS = gettext_noop("%(count)d rows with the margin %(margin)r were not imported")
NOTE_BREAKDOWN = gettext_noop(
    "%(count)d rows of a breakdown (%(dimension)s: %(value)s) were not imported; only totals are"
)
NOTE_PSEUDO_COLUMNS = gettext_noop("columns of pseudo-regions not imported: %(columns)s")
NOTE_FOOTER = gettext_noop("the lines from line %(line)d on (source and footnotes) were not read")
NOTE_PERIODS = gettext_noop(
    "population at the end of a month other than December was not imported (%(count)d values)"
)
NOTE_FILTERS = gettext_noop("filter lines not used: %(filters)s")


# --------------------------------------------------------------------------------------------
# cells and values
# --------------------------------------------------------------------------------------------


def cell_text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return clean_label(str(cell))


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
    """Labels to try for a topic, most specific first (whole, last path part, without unit)."""
    full = clean_label(header)
    parts = _split_path(full)
    last = parts[-1] if parts else full
    out: list[str] = []
    for text in (full, last, _UNIT.sub("", full), _UNIT.sub("", last)):
        text = clean_label(text)
        if text and text not in out:
            out.append(text)
    return out


def parse_value(text: str | Cell, decimal: str = ",") -> float | None:
    """A StatLine number (raises ValueError); ``.``/``x``/``?`` → None, ``-`` → 0."""
    if isinstance(text, bool):
        raise ValueError(str(text))
    if isinstance(text, int | float):
        value = float(text)
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(str(text))
        return value
    raw = cell_text(text).replace("\u00a0", "").replace(" ", "")
    if raw.lower() in NOT_PUBLISHED or raw == "":
        return None
    if raw == "-":
        return 0.0
    if _INT.match(raw):
        return float(raw)
    if _COMMA.match(raw):
        return float(raw.replace(",", "."))
    if decimal == "." and _POINT.match(raw):
        return float(raw)
    raise ValueError(raw)


def _value_like(cell: Cell) -> bool:
    if cell is None:
        return False
    try:
        parse_value(cell, ".")
    except ValueError:
        return False
    return cell_text(cell) != ""


def _dimension(text: str) -> tuple[str, str | None] | None:
    return DIMENSIONS.get(normalise_header(text).rstrip(":").strip())


def _is_unit(text: str) -> bool:
    return bool(_UNIT_WORDS.match(clean_label(text)))


def _period(text: str) -> periods.LabelledPeriod | None:
    try:
        return periods.from_label(text)
    except periods.PeriodError:
        return None


# --------------------------------------------------------------------------------------------
# the grid
# --------------------------------------------------------------------------------------------


@dataclass
class Grid:
    """The parts of a table: filters, stub and column coordinates, data rows."""

    title: str = ""
    filters: dict[str, tuple[str, str | None, str]] = field(default_factory=dict)
    unused_filters: list[str] = field(default_factory=list)
    header_line: int = 1
    stub: list[tuple[str, str | None, str]] = field(default_factory=list)  # role, detail, name
    #: per data column (index → list of (role, detail, label, dimension name, header line))
    columns: dict[int, list[tuple[str, str | None, str, str, int]]] = field(default_factory=dict)
    rows: list[tuple[int, Sequence[Cell]]] = field(default_factory=list)
    footer_line: int = 0
    decimal: str = ","
    #: a table view (title, filters or several header rows): merged stub cells are filled
    table_view: bool = False


def _nonempty(cells: Sequence[Cell]) -> list[tuple[int, str]]:
    return [(i, cell_text(c)) for i, c in enumerate(cells) if cell_text(c)]


def build_grid(records: Iterable[tuple[int, Sequence[Cell]]], decimal: str) -> Grid:
    grid = Grid(decimal=decimal)
    iterator = iter(records)
    header: list[tuple[int, Sequence[Cell]]] = []
    seen = 0
    # 1. title and filter lines
    for line, cells in iterator:
        filled = _nonempty(cells)
        if not filled:
            continue
        seen += 1
        if seen > HEADER_SEARCH_ROWS:
            break
        first_index, first = filled[0]
        two_cell_filter = (
            len(filled) == 2 and first_index == 0 and first.endswith(":") and _dimension(first)
        )
        if not header and not grid.title and first_index == 0 and len(filled) > 1:
            # a title with the delimiter in it, saved without quotes ("Geregistreerde
            # misdrijven; soort misdrijf, regio" split over two cells)
            joined = "; ".join(text for _, text in filled)
            if any(joined.lower().startswith(start) for start, _ in TITLES):
                grid.title = joined
                continue
        if (len(filled) == 1 and first_index == 0) or two_cell_filter:
            text = first if len(filled) == 1 else f"{first} {filled[1][1]}"
            match = _FILTER.match(text)
            dimension = _dimension(match[1]) if match else None
            if match and dimension:
                grid.filters[dimension[0]] = (dimension[0], dimension[1], clean_label(match[2]))
            elif match:
                grid.unused_filters.append(clean_label(text))
            elif not grid.title:
                grid.title = first
            continue
        header.append((line, cells))
        break
    if not header:
        if seen == 0:
            raise FormatError(FILE_EMPTY)
        raise FormatError(
            gettext_noop(
                "the StatLine export has no header with the columns 'Perioden' and a region"
            )
        )
    # 2. the header rows, up to the first data row
    first_data: tuple[int, Sequence[Cell]] | None = None
    for line, cells in iterator:
        if not _nonempty(cells):
            continue
        if _is_data_row(cells, header):
            first_data = (line, cells)
            break
        header.append((line, cells))
        if len(header) > MAX_HEADER_ROWS:
            raise FormatError(
                gettext_noop(
                    "the StatLine export has no header with the columns 'Perioden' and a region"
                )
            )
    grid.header_line = header[-1][0]
    _layout(grid, header, first_data)
    # 3. the data rows, up to the footer
    if first_data is not None:
        for line, cells in _chain_first(first_data, iterator):
            filled = _nonempty(cells)
            if not filled:
                continue
            if len(filled) == 1 and filled[0][0] == 0 and _FOOTER.match(filled[0][1]):
                grid.footer_line = line
                break
            grid.rows.append((line, cells))
    return grid


def _chain_first(
    first: tuple[int, Sequence[Cell]], rest: Iterator[tuple[int, Sequence[Cell]]]
) -> Iterator[tuple[int, Sequence[Cell]]]:
    yield first
    yield from rest


def _is_data_row(cells: Sequence[Cell], header: Sequence[tuple[int, Sequence[Cell]]] = ()) -> bool:
    """A data row: a label in the first cell and a value after it; or a label and nothing
    else (a region without figures) below a header that names its first column."""
    first = cell_text(cells[0]) if cells else ""
    if not first or _dimension(first) or _is_unit(first):
        return False
    if any(_value_like(cell) for cell in cells[1:]) or _FOOTER.match(first) is not None:
        return True
    blank = not any(cell_text(cell) for cell in cells[1:])
    return blank and any(row and _dimension(cell_text(row[0])) for _, row in header)


def _layout(
    grid: Grid, header: list[tuple[int, Sequence[Cell]]], first: tuple[int, Sequence[Cell]] | None
) -> None:
    width = max(len(cells) for _, cells in header)
    if first is not None:
        width = max(width, len(first[1]))
    texts = [[cell_text(c) for c in cells] + [""] * (width - len(cells)) for _, cells in header]
    lines = [line for line, _ in header]
    data_first = [cell_text(c) for c in first[1]] + [""] * width if first else [""] * width

    # stub columns: named by a dimension (bottom-most non-empty header cell) or unnamed text
    stub: list[tuple[str, str | None, str]] = []
    for index in range(width):
        name = next((row[index] for row in reversed(texts) if row[index]), "")
        dimension = _dimension(name) if name else None
        if dimension:
            stub.append((dimension[0], dimension[1], name))
        elif index == 0 and name.strip().lower() == "id":
            stub.append((UNIT, None, name))  # the row number of older CSV exports: not data
        elif (
            not name
            and first is not None
            and data_first[index]
            and not _value_like(first[1][index] if index < len(first[1]) else None)
        ):
            value = data_first[index]
            if _is_unit(value):
                stub.append((UNIT, None, ""))
            elif _period(value) is not None:
                stub.append((PERIOD, None, ""))
            elif AREA not in {role for role, _, _ in stub}:
                stub.append((AREA, None, ""))
            else:
                stub.append((UNIT, None, ""))
        else:
            break
    if not stub:
        raise FormatError(
            gettext_noop(
                "the StatLine export has no header with the columns 'Perioden' and a region"
            )
        )
    grid.stub = stub
    grid.table_view = len(header) > 1 or bool(grid.title or grid.filters)
    start = len(stub)
    data_indexes = [i for i in range(start, width) if any(row[i] for row in texts)]

    # column header rows: a row naming the dimension of the row below, or a row of labels
    named: str | None = None
    named_detail: str | None = None
    named_text = ""
    roles_in_stub = {role for role, _, _ in stub} | set(grid.filters)
    coordinates: dict[int, list[tuple[str, str | None, str, str, int]]] = {
        i: [] for i in data_indexes
    }
    for row_index, row in enumerate(texts):
        part = [row[i] for i in data_indexes]
        values = [v for v in part if v]
        if not values:
            continue
        dimension = _dimension(values[0])
        if dimension and len(set(values)) == 1 and row_index < len(texts) - 1:
            named, named_detail, named_text = dimension[0], dimension[1], values[0]
            continue
        if all(_is_unit(v) for v in values):
            continue  # a unit row
        # the row's own dimension name may stand in its stub part ("Perioden";"2022";"2023")
        own = next((_dimension(row[i]) for i in range(start) if row[i]), None)
        is_bottom = row_index == len(texts) - 1
        if named is not None:
            role, detail, dim_text = named, named_detail, named_text
        elif own is not None and not is_bottom and own[0] not in roles_in_stub:
            role, detail, dim_text = own[0], own[1], ""
        else:
            role, detail = _infer(values, roles_in_stub)
            dim_text = ""
        named = None
        filled = ""
        for i in data_indexes:
            text = row[i] or ("" if is_bottom else filled)
            filled = text
            if text:
                coordinates[i].append((role, detail, text, dim_text, lines[row_index]))
        roles_in_stub.add(role)
    grid.columns = {i: coords for i, coords in coordinates.items() if coords}
    _check(grid)


def _check(grid: Grid) -> None:
    """The dimensions a table needs: a period and a region; no unsupported breakdown."""
    roles = {role for role, _, _ in grid.stub} | set(grid.filters)
    roles |= {role for coords in grid.columns.values() for role, *_ in coords}
    if PERIOD not in roles:
        raise FormatError(gettext_noop("the StatLine export has no column 'Perioden'"))
    if AREA not in roles:
        raise FormatError(
            gettext_noop(
                "the StatLine export has no region column ('Regio's', 'Wijken en buurten')"
            )
        )
    if not grid.columns:
        raise FormatError(gettext_noop("the StatLine export has no topic column with figures"))
    topics = [label for coords in grid.columns.values() for role, _, label, _, _ in coords]
    topics += [value for role, _, value in grid.filters.values() if role == TOPIC]
    population = any(_population_shift(t) is not None for t in topics)
    for role, _, name in grid.stub:
        if role == BREAKDOWN and not population and not grid.table_view:
            raise FormatError(
                gettext_noop(
                    "column %(column)r is a dimension this import does not support; export the "
                    "table with only Perioden, the region and the measure dimension in the rows"
                ),
                column=name,
            )


_CRIME_LABEL = re.compile(r"^(\d\.\d\.\d\s|totaal misdrijven|misdrijven, totaal)", re.I)


def _infer(values: list[str], known: set[str]) -> tuple[str, str | None]:
    if all(_period(v) is not None for v in values):
        return PERIOD, None
    if all(_TOPIC.search(v) for v in values):
        return TOPIC, None
    if MEASURE not in known and any(_CRIME_LABEL.match(v) for v in values):
        return MEASURE, "misdrijf"
    if AREA not in known:
        return AREA, None
    return TOPIC, None


# --------------------------------------------------------------------------------------------
# the adapter
# --------------------------------------------------------------------------------------------


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
                found = _FILTER.match(cells[0]) if cells else None
                if found and _dimension(found[1]) is not None:
                    other = True
                if area and other:
                    return True
        return False

    def read(self, stream: IO[bytes], context: ReadContext) -> Iterator[Row | RowError | Skip]:
        limit = context.max_bytes or MAX_BYTES
        data = read_all(stream, limit)
        if data.startswith(ZIP_MAGIC):
            records: Iterable[tuple[int, Sequence[Cell]]] = _xlsx_records(
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
        yield from _Reader(grid, context, table).read()


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
        found = _TABLE_ID.search(text)
        if found:
            return found[1].upper()
    return ""


@dataclass
class _Cell:
    """What one value cell means once its coordinates are known."""

    period: str | None = None
    area: str | None = None
    area_level: str | None = None
    area_column: str = ""
    measure_label: str | None = None
    topic: str | None = None
    topic_column: str = ""
    margin: str | None = None


class _Reader:
    def __init__(self, grid: Grid, context: ReadContext, table: str) -> None:
        self.grid = grid
        self.context = context
        self.table = table
        self.areas = AreaLookup(context)
        self.notes: dict[str, set[str]] = {}
        self.noted: set[tuple[str, str]] = set()
        self.counts: dict[tuple[str, str, str], int] = {}
        self.status_marked = self._any_marker()
        measure_kind = self._measure_kind()
        self.topics = self._topics()
        self.population = table in POPULATION_TABLES or any(
            _population_shift(t) is not None for t in self.topics
        )
        self.count_topic = (
            _count_topic(self.topics) if measure_kind is not None and self.topics else None
        )
        self.source = self._source(measure_kind)
        if not self.table:
            self.table = self._guess_table()
        self.labels = MeasureLabels(context.measure_by_label, self.source)
        self.topic_codes: dict[str, str | None] = {}
        self.reported: set[tuple[str, str]] = set()
        self.skipped_month_ends = 0
        #: whether passed-over rows are counted (only in the first pass over the rows)
        self.counting = True
        #: the number of the gemeente of the last area read (GM0556 → "0556")
        self.gemeente: str | None = None
        self._describe()

    # --- what the file holds ---------------------------------------------------------------

    def _all_coordinates(self) -> Iterator[tuple[str, str]]:
        for role, _, value in self.grid.filters.values():
            yield role, value
        for coords in self.grid.columns.values():
            for role, _, label, _, _ in coords:
                yield role, label
        for index, (role, _, _) in enumerate(self.grid.stub):
            if role in (PERIOD, TOPIC):
                for _, cells in self.grid.rows:
                    if index < len(cells):
                        yield role, cell_text(cells[index])

    def _guess_table(self) -> str:
        """The table of a CSV export without a title, from what its columns hold (the measure
        source, the region column, the kind of period); noted, so a user can correct it with
        ``--table``. ``""`` when the columns do not tell (a Veiligheidsmonitor export)."""
        guess = ""
        if self.population:
            ends = any("einde" in topic.lower() for topic in self.topics)
            guess = "37230NED" if ends else "03759NED"
        elif self.source == "cbs":
            guess = "83648NED"
        elif self.source == "overlast":
            guess = "47021NED"
        elif self.source == "politie":
            area = next((name.lower() for role, _, name in self.grid.stub if role == AREA), "")
            levels = {detail for role, detail, _ in self.grid.stub if role == AREA}
            monthly = any(
                role == PERIOD
                and (found := _period(label)) is not None
                and found.period.kind == periods.PeriodKind.MONTH
                for role, label in self._all_coordinates()
            )
            if "wijk" in area or "buurt" in area:
                guess = "47022NED" if monthly else "47018NED"
            elif "gemeente" in levels or monthly:
                guess = "47013NED"
            else:
                guess = "47025NED"
        if guess:
            self.context.notes.append(Note(NOTE_TABLE_GUESSED, table=guess))
        return guess

    def _any_marker(self) -> bool:
        for role, label in self._all_coordinates():
            if role == PERIOD:
                labelled = _period(label)
                if labelled is not None and labelled.marker:
                    return True
        return False

    def _measure_kind(self) -> str | None:
        for role, detail, _ in self.grid.stub:
            if role == MEASURE:
                return detail or "misdrijf"
        if MEASURE in self.grid.filters:
            return self.grid.filters[MEASURE][1] or "misdrijf"
        for coords in self.grid.columns.values():
            for role, detail, _, _, _ in coords:
                if role == MEASURE:
                    return detail or "misdrijf"
        return None

    def _topics(self) -> list[str]:
        out: list[str] = []
        for role, label in self._all_coordinates():
            if role == TOPIC and label and label not in out:
                out.append(label)
        return out

    def _source(self, measure_kind: str | None) -> str:
        table = self.table
        if table in TABLES:
            return TABLES[table].source
        if measure_kind == "overlast":
            return "overlast"
        if measure_kind is None:
            return "cbs" if self.population else "vm"
        if table:
            return "politie" if table.startswith("47") else "cbs"
        if self.count_topic and "totaal geregistreerde misdrijven" in self.count_topic.lower():
            return "cbs"  # 83648NED's topic ("Geregistreerde misdrijven/Totaal …" in exports)
        # The labels tell: "Misdrijven, totaal" is CBS's, "Totaal misdrijven" the police's.
        labels = self._measure_labels()
        if labels:
            known = {
                source: sum(1 for label in labels if self.context.measure_by_label(source, label))
                for source in ("politie", "cbs")
            }
            if known["cbs"] > known["politie"]:
                return "cbs"
        return "politie"

    def _measure_labels(self) -> set[str]:
        """The crime-type labels of the file (at most 200 looked at)."""
        found: set[str] = set()
        for role, label in self._all_coordinates():
            if role == MEASURE and label:
                found.add(label)
        for index, (role, _, _) in enumerate(self.grid.stub):
            if role == MEASURE:
                for _, cells in self.grid.rows[:2000]:
                    if index < len(cells) and cell_text(cells[index]):
                        found.add(cell_text(cells[index]))
                    if len(found) >= 200:
                        return found
        return found

    def _describe(self) -> None:
        info = self.context.info
        table = self.table
        info.source = {"cbs": "CBS", "vm": "CBS"}.get(self.source, "Politie")
        if table:
            info.table = table
        if table in TABLES:
            info.title = TABLES[table].title
        elif table in POPULATION_TITLES:
            info.title = POPULATION_TITLES[table]
        elif self.source == "vm" and not info.title:
            info.title = "Veiligheidsmonitor"
        elif self.grid.title and not info.title:
            info.title = self.grid.title[:200]

    # --- reading ---------------------------------------------------------------------------

    def read(self) -> Iterator[Row | RowError | Skip]:
        grid = self.grid
        column_codes: dict[int, str | None] = {}
        pseudo_columns: list[str] = []
        data_columns: list[int] = []
        for index, coords in sorted(grid.columns.items()):
            problem = self._column_problem(index, coords)
            if isinstance(problem, RowError):
                yield problem
                continue
            if problem == "pseudo":
                pseudo_columns.append(coords[-1][2])
                continue
            if problem == "unused":
                continue
            data_columns.append(index)
            column_codes[index] = None
        if pseudo_columns:
            self.context.notes.append(Note(NOTE_PSEUDO_COLUMNS, columns=", ".join(pseudo_columns)))
        # what is known before the rows are read is noted now (the import service may take
        # the notes when the first row arrives)
        column_topics = {
            label
            for coords in grid.columns.values()
            for role, _, label, _, _ in coords
            if role == TOPIC
        }
        for topic in self.topics:
            if topic not in column_topics:
                self._topic_used(topic, 0)
        self._flush_notes()
        if self.grid.unused_filters:
            self.context.notes.append(
                Note(NOTE_FILTERS, filters="; ".join(self.grid.unused_filters))
            )
        if self.grid.footer_line:
            self.context.notes.append(Note(NOTE_FOOTER, line=self.grid.footer_line))
        if len(grid.rows) <= COUNT_FIRST_ROWS:
            # A first pass counts what is passed over (and meets the ambiguous names), so
            # that every note is there before the first row: the import service may take the
            # notes when the first row arrives.
            for _item in self._rows(data_columns):
                pass
            self.reported.clear()
            self.gemeente = None
            self._finish()
            self.counting = False
        yield from self._rows(data_columns)
        self._finish()

    def _rows(self, data_columns: list[int]) -> Iterator[Row | RowError | Skip]:
        grid = self.grid
        previous: list[str] = []
        for line, cells in grid.rows:
            texts = [cell_text(c) for c in cells]
            texts += [""] * (len(grid.stub) - len(texts))
            stub = texts[: len(grid.stub)]
            # merged stub cells (Excel): blank → the cell above
            if previous and grid.table_view:
                stub = [mine or above for mine, above in zip(stub, previous, strict=False)]
            previous = stub
            yield from self._row(line, cells, stub, data_columns)

    def _column_problem(
        self, index: int, coords: list[tuple[str, str | None, str, str, int]]
    ) -> RowError | str | None:
        for role, _, label, _, line in coords:
            if role == AREA and is_pseudo_region(label):
                return "pseudo"
            if role == TOPIC and not self._topic_used(label, line, column=True):
                error = self._topic_error(label)
                if error is not None:
                    key = ("topic", label)
                    if key not in self.reported:
                        self.reported.add(key)
                        return RowError.of(
                            line, label, label, UNKNOWN_INDICATOR, source=self.source
                        )
                return "unused"
            if role == MARGIN and _margin_suffix(label) is None:
                self._count(NOTE_MARGINS, "margin", label)
                return "unused"
        return None

    def _topic_used(self, topic: str, line: int, *, column: bool = False) -> bool:
        """Whether a topic is imported; topics that are not are noted once."""
        if self.count_topic is not None:
            if topic == self.count_topic:
                return True
            self._note(NOTE_TOPICS if not column else NOTE_COLUMNS, topic)
            return False
        code = self._topic_code(topic)
        if code is None:
            if self.population:
                self._note(NOTE_TOPICS if not column else NOTE_COLUMNS, topic)
            return False
        return True

    def _topic_error(self, topic: str) -> str | None:
        """Whether an unused topic is an error (an unknown Veiligheidsmonitor indicator)."""
        if self.count_topic is not None or self.population:
            return None
        return UNKNOWN_INDICATOR

    def _topic_code(self, topic: str) -> str | None:
        if topic not in self.topic_codes:
            code: str | None = None
            if _population_shift(topic) is not None:
                code = POPULATION
            elif not self.population:
                for candidate in label_candidates(topic):
                    code = self.context.measure_by_label(self.source, candidate)
                    if code:
                        break
            self.topic_codes[topic] = code
        return self.topic_codes[topic]

    def _note(self, msgid: str, value: str) -> None:
        if (msgid, value) in self.noted:
            return
        self.noted.add((msgid, value))
        self.notes.setdefault(msgid, set()).add(value)

    def _count(self, msgid: str, kind: str, value: str) -> None:
        if not self.counting:
            return
        key = (msgid, kind, value)
        self.counts[key] = self.counts.get(key, 0) + 1

    def _flush_notes(self) -> None:
        notes = self.context.notes
        for msgid, values in self.notes.items():
            ordered = ", ".join(sorted(values))
            if msgid == NOTE_TOPICS:
                notes.append(Note(msgid, topics=ordered))
            else:
                notes.append(Note(msgid, columns=ordered))
        self.notes = {}

    def _finish(self) -> None:
        notes = self.context.notes
        self._flush_notes()
        for (msgid, kind, value), count in self.counts.items():
            if kind == "margin":
                notes.append(Note(msgid, count=count, margin=value))
            else:
                notes.append(Note(msgid, count=count, dimension=kind, value=value))
        if self.skipped_month_ends:
            notes.append(Note(NOTE_PERIODS, count=self.skipped_month_ends))
        self.counts = {}
        self.skipped_month_ends = 0

    def _row(
        self, line: int, cells: Sequence[Cell], stub: list[str], data_columns: list[int]
    ) -> Iterator[Row | RowError | Skip]:
        grid = self.grid
        base = _Cell()
        for role, detail, value in grid.filters.values():
            self._apply(base, role, detail, value, "")
        breakdown_skip = False
        for (role, detail, name), value in zip(grid.stub, stub, strict=False):
            if role == AREA and value and is_pseudo_region(value):
                yield Skip(line, SkipReason.PSEUDO_REGION, name, value)
                return
            if role == BREAKDOWN and value and not value.lower().startswith("totaal"):
                self._count(NOTE_BREAKDOWN, name, value)
                breakdown_skip = True
            self._apply(base, role, detail, value, name)
        raw_cells = [
            (index, cells[index] if index < len(cells) else None) for index in data_columns
        ]
        present = [(index, cell) for index, cell in raw_cells if cell_text(cell) != ""]
        if not present:
            first = data_columns[0] if data_columns else 0
            column = self._column_label(first)
            yield Skip(line, SkipReason.EMPTY, column, "")
            return
        if breakdown_skip:
            return
        if (
            base.topic is not None
            and not any(
                role == TOPIC for index in data_columns for role, *_ in grid.columns.get(index, [])
            )
            and not self._topic_used(base.topic, line)
        ):
            if self._topic_error(base.topic) and ("topic", base.topic) not in self.reported:
                self.reported.add(("topic", base.topic))
                yield RowError.of(
                    line, base.topic_column, base.topic, UNKNOWN_INDICATOR, source=self.source
                )
            return
        if base.margin is not None and _margin_suffix(base.margin) is None:
            self._count(NOTE_MARGINS, "margin", base.margin)
            return

        errors: list[RowError] = []
        rows: list[Row] = []
        seen_errors: set[tuple[str, str, str]] = set()
        for index, cell in present:
            meaning = _Cell(**base.__dict__)
            for role, detail, label, dim_text, _ in grid.columns.get(index, []):
                self._apply(meaning, role, detail, label, dim_text or label)
            result = self._value(line, index, cell, meaning)
            if isinstance(result, Row):
                rows.append(result)
            elif isinstance(result, RowError):
                key = (result.column, result.value, result.message)
                if key not in seen_errors:
                    seen_errors.add(key)
                    errors.append(result)
        if errors:
            yield from errors
            return
        yield from rows

    def _column_label(self, index: int) -> str:
        coords = self.grid.columns.get(index, [])
        return coords[-1][2] if coords else ""

    @staticmethod
    def _apply(meaning: _Cell, role: str, detail: str | None, value: str, name: str) -> None:
        if role == PERIOD:
            meaning.period = value
        elif role == AREA:
            meaning.area, meaning.area_level, meaning.area_column = value, detail, name
        elif role == MEASURE:
            meaning.measure_label = value
        elif role == TOPIC:
            meaning.topic, meaning.topic_column = value, name or value
        elif role == MARGIN:
            meaning.margin = value

    def _value(self, line: int, index: int, cell: Cell, meaning: _Cell) -> Row | RowError | None:
        column = self._column_label(index)
        raw = cell_text(cell)
        # period
        if meaning.period is None:
            return RowError(line, column, raw, UNKNOWN_PERIOD)
        labelled = _period(meaning.period)
        period_column = "Perioden"
        if labelled is None:
            return RowError(line, period_column, meaning.period, UNKNOWN_PERIOD)
        period = labelled.period
        if labelled.marker or self.status_marked:
            status = STATUS_BY_MARKER.get(labelled.marker, Status.ONBEKEND)
        else:
            status = Status.ONBEKEND
        # measure
        measure: str | None
        if meaning.measure_label is not None:
            if (
                meaning.topic is not None
                and self.count_topic is not None
                and meaning.topic != self.count_topic
            ):
                return None
            measure = self.labels(meaning.measure_label)
            if measure is None:
                suggestion = self.labels.suggestion(meaning.measure_label)
                if suggestion:
                    return RowError.of(
                        line,
                        "Soort misdrijf",
                        meaning.measure_label,
                        UNKNOWN_LABEL_SUGGESTION,
                        suggestion=suggestion,
                    )
                return RowError.of(
                    line,
                    "Soort misdrijf",
                    meaning.measure_label,
                    UNKNOWN_LABEL,
                    source=self.source,
                )
        elif meaning.topic is not None:
            measure = self._topic_code(meaning.topic)
            if measure is None:
                return None
        else:
            return RowError.of(line, column, raw, UNKNOWN_LABEL, source=self.source)
        code = period.code
        if measure == POPULATION and meaning.topic is not None:
            shift = _population_shift(meaning.topic) or 0
            if period.kind == periods.PeriodKind.MONTH:
                if shift and period.start.month == 12:
                    code = str(period.start.year + 1)
                elif not shift and period.start.month == 1:
                    code = str(period.start.year)
                else:
                    self.skipped_month_ends += self.counting
                    return None
            elif shift:
                code = str(period.start.year + shift)
        if meaning.margin is not None:
            suffix = _margin_suffix(meaning.margin)
            if suffix is None:
                return None
            measure += suffix
        # area
        if meaning.area is None:
            return RowError(line, column, raw, gettext_noop("area is empty"))
        level = self._level(meaning.area, meaning.area_level)
        within = f"GM{self.gemeente}" if self.gemeente else None
        area, message = self.areas(meaning.area, level, period.start.year, within)
        if area is None:
            return RowError(line, meaning.area_column or "Regio's", meaning.area, message)
        self._remember_gemeente(area)
        # value
        try:
            value = parse_value(cell, self.grid.decimal)
        except ValueError:
            return RowError(line, column, raw, NOT_A_NUMBER)
        return Row(line, area, measure, code, value, status)

    def _remember_gemeente(self, code: str) -> None:
        if code[:2] in ("GM", "WK", "BU") and len(code) >= 6:
            self.gemeente = code[2:6]

    def _level(self, name: str, detail: str | None) -> str | None:
        suffix = _LABEL_SUFFIX.search(name)
        if suffix:
            return SUFFIX_LEVELS.get(suffix[1].lower())
        if clean_label(name).lower() == "nederland":
            return None
        if _WIJK_LABEL.match(name):
            return "wijk"
        return detail or TABLE_LEVELS.get(self.table)


def _margin_suffix(margin: str) -> str | None:
    text = clean_label(margin).lower()
    if text in ("waarde", "", "waarden"):
        return ""
    if text.startswith("ondergrens"):
        return ".ondergrens"
    if text.startswith("bovengrens"):
        return ".bovengrens"
    return None


def _population_shift(topic: str) -> int | None:
    for candidate in label_candidates(topic):
        shift = POPULATION_TOPICS.get(candidate.lower())
        if shift is not None:
            return shift
    return None


def _count_topic(topics: list[str]) -> str:
    lowered = {topic: topic.lower() for topic in topics}

    def per_inhabitant(text: str) -> bool:
        return "per 1" in text or "relatief" in text or "(%)" in text

    for topic, text in lowered.items():
        if per_inhabitant(text):
            continue
        if "geregistreerd" in text or "geregisteerd" in text or "registraties" in text:
            return topic
    counts = [t for t, text in lowered.items() if "(aantal)" in text]
    return counts[0] if counts else topics[0]


ADAPTER = StatlineCsvAdapter()

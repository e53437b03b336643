"""The grid of a StatLine download: title and filter lines, the header rows with the
coordinates of every value column, the data rows up to the footer (see
:mod:`regie.monitor.sources.statline_csv` for the layouts)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from regie.monitor.sources.base import FILE_EMPTY, FormatError, clean_label, gettext_noop
from regie.monitor.sources.statline_cells import (
    AREA,
    BREAKDOWN,
    FILTER_LINE,
    FOOTER,
    MEASURE,
    PERIOD,
    TITLES,
    TOPIC,
    TOPIC_LABEL,
    UNIT,
    cell_text,
    dimension_of,
    is_unit,
    period_of,
    population_shift,
    value_like,
)
from regie.monitor.sources.xlsx import Cell

#: the header must start within this many non-empty rows
HEADER_SEARCH_ROWS = 20
#: a table view has at most this many header rows
MAX_HEADER_ROWS = 10


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


#: the message when no header with the dimensions is found
NO_HEADER = gettext_noop(
    "the StatLine export has no header with the columns 'Perioden' and a region"
)
Coordinate = tuple[str, str | None, str, str, int]


def build_grid(records: Iterable[tuple[int, Sequence[Cell]]], decimal: str) -> Grid:
    grid = Grid(decimal=decimal)
    iterator = iter(records)
    # 1. title and filter lines, 2. the header rows up to the first data row
    header = _read_title_and_filters(grid, iterator)
    first_data = _read_header_rows(header, iterator)
    grid.header_line = header[-1][0]
    _layout(grid, header, first_data)
    # 3. the data rows, up to the footer
    if first_data is not None:
        _read_data_rows(grid, _chain_first(first_data, iterator))
    return grid


def _read_title_and_filters(
    grid: Grid, iterator: Iterator[tuple[int, Sequence[Cell]]]
) -> list[tuple[int, Sequence[Cell]]]:
    """Reads the title and filter lines into ``grid``; returns the first header row."""
    seen = 0
    for line, cells in iterator:
        filled = _nonempty(cells)
        if not filled:
            continue
        seen += 1
        if seen > HEADER_SEARCH_ROWS:
            break
        if not _title_or_filter(grid, filled):
            return [(line, cells)]
    if seen == 0:
        raise FormatError(FILE_EMPTY)
    raise FormatError(NO_HEADER)


def _title_or_filter(grid: Grid, filled: list[tuple[int, str]]) -> bool:
    """Whether a line above the header is the title or a filter line (read into ``grid``)."""
    first_index, first = filled[0]
    if not grid.title and first_index == 0 and len(filled) > 1:
        # a title with the delimiter in it, saved without quotes ("Geregistreerde
        # misdrijven; soort misdrijf, regio" split over two cells)
        joined = "; ".join(text for _, text in filled)
        if any(joined.lower().startswith(start) for start, _ in TITLES):
            grid.title = joined
            return True
    two_cell_filter = (
        len(filled) == 2 and first_index == 0 and first.endswith(":") and dimension_of(first)
    )
    if not ((len(filled) == 1 and first_index == 0) or two_cell_filter):
        return False
    text = first if len(filled) == 1 else f"{first} {filled[1][1]}"
    match = FILTER_LINE.match(text)
    dimension = dimension_of(match[1]) if match else None
    if match and dimension:
        grid.filters[dimension[0]] = (dimension[0], dimension[1], clean_label(match[2]))
    elif match:
        grid.unused_filters.append(clean_label(text))
    elif not grid.title:
        grid.title = first
    return True


def _read_header_rows(
    header: list[tuple[int, Sequence[Cell]]], iterator: Iterator[tuple[int, Sequence[Cell]]]
) -> tuple[int, Sequence[Cell]] | None:
    """Adds the header rows to ``header``; returns the first data row (None: there is none)."""
    for line, cells in iterator:
        if not _nonempty(cells):
            continue
        if _is_data_row(cells, header):
            return (line, cells)
        header.append((line, cells))
        if len(header) > MAX_HEADER_ROWS:
            raise FormatError(NO_HEADER)
    return None


def _read_data_rows(grid: Grid, rows: Iterator[tuple[int, Sequence[Cell]]]) -> None:
    for line, cells in rows:
        filled = _nonempty(cells)
        if not filled:
            continue
        if len(filled) == 1 and filled[0][0] == 0 and FOOTER.match(filled[0][1]):
            grid.footer_line = line
            break
        grid.rows.append((line, cells))


def _chain_first(
    first: tuple[int, Sequence[Cell]], rest: Iterator[tuple[int, Sequence[Cell]]]
) -> Iterator[tuple[int, Sequence[Cell]]]:
    yield first
    yield from rest


def _is_data_row(cells: Sequence[Cell], header: Sequence[tuple[int, Sequence[Cell]]] = ()) -> bool:
    """A data row: a label in the first cell and a value after it; or a label and nothing
    else (a region without figures) below a header that names its first column."""
    first = cell_text(cells[0]) if cells else ""
    if not first or dimension_of(first) or is_unit(first):
        return False
    if any(value_like(cell) for cell in cells[1:]) or FOOTER.match(first) is not None:
        return True
    blank = not any(cell_text(cell) for cell in cells[1:])
    return blank and any(row and dimension_of(cell_text(row[0])) for _, row in header)


def _layout(
    grid: Grid, header: list[tuple[int, Sequence[Cell]]], first: tuple[int, Sequence[Cell]] | None
) -> None:
    width = max(len(cells) for _, cells in header)
    if first is not None:
        width = max(width, len(first[1]))
    texts = [[cell_text(c) for c in cells] + [""] * (width - len(cells)) for _, cells in header]
    lines = [line for line, _ in header]
    stub = _stub(texts, first, width)
    if not stub:
        raise FormatError(NO_HEADER)
    grid.stub = stub
    grid.table_view = len(header) > 1 or bool(grid.title or grid.filters)
    start = len(stub)
    data_indexes = [i for i in range(start, width) if any(row[i] for row in texts)]
    grid.columns = _column_coordinates(grid, texts, lines, start, data_indexes)
    _check(grid)


def _stub(
    texts: list[list[str]], first: tuple[int, Sequence[Cell]] | None, width: int
) -> list[tuple[str, str | None, str]]:
    """The stub columns: named by a dimension (bottom-most non-empty header cell) or unnamed
    text."""
    data_first = [cell_text(c) for c in first[1]] + [""] * width if first else [""] * width
    stub: list[tuple[str, str | None, str]] = []
    for index in range(width):
        name = next((row[index] for row in reversed(texts) if row[index]), "")
        column = _stub_column(name, index, first, data_first, stub)
        if column is None:
            break
        stub.append(column)
    return stub


def _stub_column(
    name: str,
    index: int,
    first: tuple[int, Sequence[Cell]] | None,
    data_first: list[str],
    stub: list[tuple[str, str | None, str]],
) -> tuple[str, str | None, str] | None:
    """(role, detail, name) of a stub column; None: the column holds values."""
    dimension = dimension_of(name) if name else None
    if dimension:
        return (dimension[0], dimension[1], name)
    if index == 0 and name.strip().lower() == "id":
        return (UNIT, None, name)  # the row number of older CSV exports: not data
    if name or first is None or not data_first[index]:
        return None
    if value_like(first[1][index] if index < len(first[1]) else None):
        return None
    value = data_first[index]
    if is_unit(value):
        return (UNIT, None, "")
    if period_of(value) is not None:
        return (PERIOD, None, "")
    if AREA not in {role for role, _, _ in stub}:
        return (AREA, None, "")
    return (UNIT, None, "")


def _column_coordinates(
    grid: Grid, texts: list[list[str]], lines: list[int], start: int, data_indexes: list[int]
) -> dict[int, list[Coordinate]]:
    """Column header rows: a row naming the dimension of the row below, or a row of labels."""
    named: tuple[str, str | None, str] | None = None
    roles_in_stub = {role for role, _, _ in grid.stub} | set(grid.filters)
    coordinates: dict[int, list[Coordinate]] = {i: [] for i in data_indexes}
    bottom = len(texts) - 1
    for row_index, row in enumerate(texts):
        values = [row[i] for i in data_indexes if row[i]]
        if not values:
            continue
        dimension = dimension_of(values[0])
        if dimension and len(set(values)) == 1 and row_index < bottom:
            named = (dimension[0], dimension[1], values[0])
            continue
        if all(is_unit(v) for v in values):
            continue  # a unit row
        is_bottom = row_index == bottom
        role, detail, dim_text = named or _row_role(row, start, values, is_bottom, roles_in_stub)
        named = None
        filled = ""
        for i in data_indexes:
            text = row[i] or ("" if is_bottom else filled)
            filled = text
            if text:
                coordinates[i].append((role, detail, text, dim_text, lines[row_index]))
        roles_in_stub.add(role)
    return {i: coords for i, coords in coordinates.items() if coords}


def _row_role(
    row: list[str], start: int, values: list[str], is_bottom: bool, roles_in_stub: set[str]
) -> tuple[str, str | None, str]:
    """The dimension of a header row of labels that no row above names."""
    # the row's own dimension name may stand in its stub part ("Perioden";"2022";"2023")
    own = next((dimension_of(row[i]) for i in range(start) if row[i]), None)
    if own is not None and not is_bottom and own[0] not in roles_in_stub:
        return own[0], own[1], ""
    role, detail = _infer(values, roles_in_stub)
    return role, detail, ""


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
    population = any(population_shift(t) is not None for t in topics)
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
    if all(period_of(v) is not None for v in values):
        return PERIOD, None
    if all(TOPIC_LABEL.search(v) for v in values):
        return TOPIC, None
    if MEASURE not in known and any(_CRIME_LABEL.match(v) for v in values):
        return MEASURE, "misdrijf"
    if AREA not in known:
        return AREA, None
    return TOPIC, None

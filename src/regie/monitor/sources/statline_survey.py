"""What a StatLine download holds before its rows are read: the table, the measure source,
the topics, whether its periods carry status markers (see
:mod:`regie.monitor.sources.statline_csv`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from regie.monitor.sources.base import TABLES, Note, ReadContext, gettext_noop
from regie.monitor.sources.statline_cells import (
    AREA,
    MEASURE,
    PERIOD,
    POPULATION_TABLES,
    POPULATION_TITLES,
    TOPIC,
    cell_text,
    count_topic,
    period_of,
    population_shift,
)
from regie.monitor.sources.statline_grid import Grid
from regie.stats import periods

NOTE_TABLE_GUESSED = gettext_noop(
    "the file does not name its table; from its columns it is %(table)s (give --table when it "
    "is another)"
)


@dataclass(frozen=True)
class Survey:
    """What the file holds: its table (given, found or guessed), the source of its measures,
    its topics and count topic."""

    table: str
    source: str
    topics: list[str]
    population: bool
    count_topic: str | None
    #: whether any period label carries a status marker (``*``, ``**``)
    status_marked: bool


def survey(grid: Grid, context: ReadContext, table: str) -> Survey:
    """The :class:`Survey` of a grid; a guessed table is noted and ``context.info`` filled."""
    status_marked = any_marker(grid)
    kind = measure_kind(grid)
    topics = file_topics(grid)
    population = table in POPULATION_TABLES or any(population_shift(t) is not None for t in topics)
    count = count_topic(topics) if kind is not None and topics else None
    source = measure_source(grid, context, table, kind, population=population, count=count)
    if not table:
        table = guess_table(grid, context, source, topics, population=population)
    describe(grid, context, table, source)
    return Survey(table, source, topics, population, count, status_marked)


def all_coordinates(grid: Grid) -> Iterator[tuple[str, str]]:
    for role, _, value in grid.filters.values():
        yield role, value
    for coords in grid.columns.values():
        for role, _, label, _, _ in coords:
            yield role, label
    for index, (role, _, _) in enumerate(grid.stub):
        if role in (PERIOD, TOPIC):
            for _, cells in grid.rows:
                if index < len(cells):
                    yield role, cell_text(cells[index])


def guess_table(
    grid: Grid, context: ReadContext, source: str, topics: list[str], *, population: bool
) -> str:
    """The table of a CSV export without a title, from what its columns hold (the measure
    source, the region column, the kind of period); noted, so a user can correct it with
    ``--table``. ``""`` when the columns do not tell (a Veiligheidsmonitor export)."""
    guess = ""
    if population:
        ends = any("einde" in topic.lower() for topic in topics)
        guess = "37230NED" if ends else "03759NED"
    elif source == "cbs":
        guess = "83648NED"
    elif source == "overlast":
        guess = "47021NED"
    elif source == "politie":
        guess = _police_table(grid)
    if guess:
        context.notes.append(Note(NOTE_TABLE_GUESSED, table=guess))
    return guess


def _police_table(grid: Grid) -> str:
    area = next((name.lower() for role, _, name in grid.stub if role == AREA), "")
    levels = {detail for role, detail, _ in grid.stub if role == AREA}
    monthly = any(
        role == PERIOD
        and (found := period_of(label)) is not None
        and found.period.kind == periods.PeriodKind.MONTH
        for role, label in all_coordinates(grid)
    )
    if "wijk" in area or "buurt" in area:
        return "47022NED" if monthly else "47018NED"
    if "gemeente" in levels or monthly:
        return "47013NED"
    return "47025NED"


def any_marker(grid: Grid) -> bool:
    for role, label in all_coordinates(grid):
        if role == PERIOD:
            labelled = period_of(label)
            if labelled is not None and labelled.marker:
                return True
    return False


def measure_kind(grid: Grid) -> str | None:
    for role, detail, _ in grid.stub:
        if role == MEASURE:
            return detail or "misdrijf"
    if MEASURE in grid.filters:
        return grid.filters[MEASURE][1] or "misdrijf"
    for coords in grid.columns.values():
        for role, detail, _, _, _ in coords:
            if role == MEASURE:
                return detail or "misdrijf"
    return None


def file_topics(grid: Grid) -> list[str]:
    out: list[str] = []
    for role, label in all_coordinates(grid):
        if role == TOPIC and label and label not in out:
            out.append(label)
    return out


def measure_source(
    grid: Grid,
    context: ReadContext,
    table: str,
    kind: str | None,
    *,
    population: bool,
    count: str | None,
) -> str:
    if table in TABLES:
        return TABLES[table].source
    if kind == "overlast":
        return "overlast"
    if kind is None:
        return "cbs" if population else "vm"
    if table:
        return "politie" if table.startswith("47") else "cbs"
    if count and "totaal geregistreerde misdrijven" in count.lower():
        return "cbs"  # 83648NED's topic ("Geregistreerde misdrijven/Totaal …" in exports)
    # The labels tell: "Misdrijven, totaal" is CBS's, "Totaal misdrijven" the police's.
    labels = measure_labels(grid)
    if labels:
        known = {
            source: sum(1 for label in labels if context.measure_by_label(source, label))
            for source in ("politie", "cbs")
        }
        if known["cbs"] > known["politie"]:
            return "cbs"
    return "politie"


def measure_labels(grid: Grid) -> set[str]:
    """The crime-type labels of the file (at most 200 looked at)."""
    found: set[str] = set()
    for role, label in all_coordinates(grid):
        if role == MEASURE and label:
            found.add(label)
    for index, (role, _, _) in enumerate(grid.stub):
        if role == MEASURE:
            for _, cells in grid.rows[:2000]:
                if index < len(cells) and cell_text(cells[index]):
                    found.add(cell_text(cells[index]))
                if len(found) >= 200:
                    return found
    return found


def describe(grid: Grid, context: ReadContext, table: str, source: str) -> None:
    info = context.info
    info.source = {"cbs": "CBS", "vm": "CBS"}.get(source, "Politie")
    if table:
        info.table = table
    if table in TABLES:
        info.title = TABLES[table].title
    elif table in POPULATION_TITLES:
        info.title = POPULATION_TITLES[table]
    elif source == "vm" and not info.title:
        info.title = "Veiligheidsmonitor"
    elif grid.title and not info.title:
        info.title = grid.title[:200]

"""The rows of a StatLine download: each value cell of the grid with its coordinates becomes a
:class:`Row` (or a :class:`RowError`, or a :class:`Skip`), and what is passed over is noted (see
:mod:`regie.monitor.sources.statline_csv` for the rules)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from regie.monitor.sources.base import (
    Note,
    ReadContext,
    Row,
    RowError,
    Skip,
    SkipReason,
    gettext_noop,
    is_pseudo_region,
)
from regie.monitor.sources.statline_cells import (
    AREA,
    BREAKDOWN,
    MARGIN,
    TOPIC,
    cell_text,
    margin_suffix,
)
from regie.monitor.sources.statline_grid import Coordinate, Grid
from regie.monitor.sources.statline_values import CellMeaning, ValueReader
from regie.monitor.sources.xlsx import Cell

#: files up to this many data rows are read twice: first to count what is passed over
COUNT_FIRST_ROWS = 200_000

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


class Reader(ValueReader):
    """Reads the rows of a grid; notes what it passes over."""

    def __init__(self, grid: Grid, context: ReadContext, table: str) -> None:
        super().__init__(grid, context, table)
        self.notes: dict[str, set[str]] = {}
        self.noted: set[tuple[str, str]] = set()
        self.counts: dict[tuple[str, str, str], int] = {}
        self.reported: set[tuple[str, str]] = set()

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

    def _column_problem(self, index: int, coords: list[Coordinate]) -> RowError | str | None:
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
            if role == MARGIN and margin_suffix(label) is None:
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
        meaning = self._stub_meaning(line, stub)
        if isinstance(meaning, Skip):
            yield meaning
            return
        base, breakdown_skip = meaning
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
        passed_over = self._passed_over(line, base, data_columns)
        if passed_over is not None:
            yield from passed_over
            return
        yield from self._values(line, base, present)

    def _stub_meaning(self, line: int, stub: list[str]) -> Skip | tuple[CellMeaning, bool]:
        """What the filters and the row's stub cells say, and whether the row is of a
        breakdown other than its total; a :class:`Skip` for a pseudo-region."""
        base = CellMeaning()
        for role, detail, value in self.grid.filters.values():
            self._apply(base, role, detail, value, "")
        breakdown_skip = False
        for (role, detail, name), value in zip(self.grid.stub, stub, strict=False):
            if role == AREA and value and is_pseudo_region(value):
                return Skip(line, SkipReason.PSEUDO_REGION, name, value)
            if role == BREAKDOWN and value and not value.lower().startswith("totaal"):
                self._count(NOTE_BREAKDOWN, name, value)
                breakdown_skip = True
            self._apply(base, role, detail, value, name)
        return base, breakdown_skip

    def _passed_over(
        self, line: int, base: CellMeaning, data_columns: list[int]
    ) -> list[RowError] | None:
        """None when the row's topic and margin are imported; else what to report (an unknown
        indicator, once)."""
        grid = self.grid
        if (
            base.topic is not None
            and not any(
                role == TOPIC for index in data_columns for role, *_ in grid.columns.get(index, [])
            )
            and not self._topic_used(base.topic, line)
        ):
            if self._topic_error(base.topic) and ("topic", base.topic) not in self.reported:
                self.reported.add(("topic", base.topic))
                return [
                    RowError.of(
                        line, base.topic_column, base.topic, UNKNOWN_INDICATOR, source=self.source
                    )
                ]
            return []
        if base.margin is not None and margin_suffix(base.margin) is None:
            self._count(NOTE_MARGINS, "margin", base.margin)
            return []
        return None

    def _values(
        self, line: int, base: CellMeaning, present: list[tuple[int, Cell]]
    ) -> Iterator[Row | RowError]:
        """The row's values; only its errors (each once) when it has any."""
        errors: list[RowError] = []
        rows: list[Row] = []
        seen_errors: set[tuple[str, str, str]] = set()
        for index, cell in present:
            meaning = CellMeaning(**base.__dict__)
            for role, detail, label, dim_text, _ in self.grid.columns.get(index, []):
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

"""The value cells of a StatLine download: what one cell means once its coordinates are known,
and the :class:`Row` it gives (period, measure, area and value; see
:mod:`regie.monitor.sources.statline_csv` for the rules)."""

from __future__ import annotations

from dataclasses import dataclass

from regie.monitor.sources.area_lookup import AreaLookup
from regie.monitor.sources.base import (
    STATUS_BY_MARKER,
    ReadContext,
    Row,
    RowError,
    Status,
    clean_label,
    gettext_noop,
)
from regie.monitor.sources.labels import UNKNOWN_LABEL, UNKNOWN_LABEL_SUGGESTION, MeasureLabels
from regie.monitor.sources.statline_cells import (
    AREA,
    LABEL_SUFFIX,
    MARGIN,
    MEASURE,
    PERIOD,
    POPULATION,
    SUFFIX_LEVELS,
    TABLE_LEVELS,
    TOPIC,
    WIJK_LABEL,
    cell_text,
    label_candidates,
    margin_suffix,
    parse_value,
    period_of,
    population_shift,
)
from regie.monitor.sources.statline_grid import Grid
from regie.monitor.sources.statline_survey import survey
from regie.monitor.sources.xlsx import Cell
from regie.stats import periods

NOT_A_NUMBER = gettext_noop("not a number")
UNKNOWN_PERIOD = gettext_noop("unknown period label")
AREA_EMPTY = gettext_noop("area is empty")


@dataclass
class CellMeaning:
    """What one value cell means once its coordinates are known."""

    period: str | None = None
    area: str | None = None
    area_level: str | None = None
    area_column: str = ""
    measure_label: str | None = None
    topic: str | None = None
    topic_column: str = ""
    margin: str | None = None


class ValueReader:
    """Turns value cells into rows; what it learns of the file (its survey, the look-ups) is
    kept for the next cell. :class:`~regie.monitor.sources.statline_reader.Reader` reads the
    rows with it."""

    def __init__(self, grid: Grid, context: ReadContext, table: str) -> None:
        self.grid = grid
        self.context = context
        self.areas = AreaLookup(context)
        facts = survey(grid, context, table)
        self.table = facts.table
        self.status_marked = facts.status_marked
        self.topics = facts.topics
        self.population = facts.population
        self.count_topic = facts.count_topic
        self.source = facts.source
        self.labels = MeasureLabels(context.measure_by_label, self.source)
        self.topic_codes: dict[str, str | None] = {}
        self.skipped_month_ends = 0
        #: whether passed-over rows are counted (only in the first pass over the rows)
        self.counting = True
        #: the number of the gemeente of the last area read (GM0556 → "0556")
        self.gemeente: str | None = None

    def _topic_code(self, topic: str) -> str | None:
        if topic not in self.topic_codes:
            code: str | None = None
            if population_shift(topic) is not None:
                code = POPULATION
            elif not self.population:
                for candidate in label_candidates(topic):
                    code = self.context.measure_by_label(self.source, candidate)
                    if code:
                        break
            self.topic_codes[topic] = code
        return self.topic_codes[topic]

    def _column_label(self, index: int) -> str:
        coords = self.grid.columns.get(index, [])
        return coords[-1][2] if coords else ""

    @staticmethod
    def _apply(meaning: CellMeaning, role: str, detail: str | None, value: str, name: str) -> None:
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

    def _value(
        self, line: int, index: int, cell: Cell, meaning: CellMeaning
    ) -> Row | RowError | None:
        column = self._column_label(index)
        raw = cell_text(cell)
        # period
        if meaning.period is None:
            return RowError(line, column, raw, UNKNOWN_PERIOD)
        labelled = period_of(meaning.period)
        if labelled is None:
            return RowError(line, "Perioden", meaning.period, UNKNOWN_PERIOD)
        period = labelled.period
        status = self._status(labelled)
        # measure
        measure = self._measure(line, column, raw, meaning)
        if not isinstance(measure, str):
            return measure
        code = self._period_code(period, measure, meaning)
        if code is None:
            return None
        if meaning.margin is not None:
            suffix = margin_suffix(meaning.margin)
            if suffix is None:
                return None
            measure += suffix
        # area
        if meaning.area is None:
            return RowError(line, column, raw, AREA_EMPTY)
        area = self._area(line, meaning.area, meaning, period.start.year)
        if isinstance(area, RowError):
            return area
        # value
        try:
            value = parse_value(cell, self.grid.decimal)
        except ValueError:
            return RowError(line, column, raw, NOT_A_NUMBER)
        return Row(line, area, measure, code, value, status)

    def _status(self, labelled: periods.LabelledPeriod) -> Status:
        if labelled.marker or self.status_marked:
            return STATUS_BY_MARKER.get(labelled.marker, Status.ONBEKEND)
        return Status.ONBEKEND

    def _measure(
        self, line: int, column: str, raw: str, meaning: CellMeaning
    ) -> str | RowError | None:
        """The measure of a value; None when it is not imported (another topic)."""
        if meaning.measure_label is not None:
            if (
                meaning.topic is not None
                and self.count_topic is not None
                and meaning.topic != self.count_topic
            ):
                return None
            return self._crime_measure(line, meaning.measure_label)
        if meaning.topic is not None:
            return self._topic_code(meaning.topic)
        return RowError.of(line, column, raw, UNKNOWN_LABEL, source=self.source)

    def _crime_measure(self, line: int, label: str) -> str | RowError:
        measure = self.labels(label)
        if measure is not None:
            return measure
        suggestion = self.labels.suggestion(label)
        if suggestion:
            return RowError.of(
                line, "Soort misdrijf", label, UNKNOWN_LABEL_SUGGESTION, suggestion=suggestion
            )
        return RowError.of(line, "Soort misdrijf", label, UNKNOWN_LABEL, source=self.source)

    def _period_code(
        self, period: periods.Period, measure: str, meaning: CellMeaning
    ) -> str | None:
        """The period code of a value; a population at the start or end of a year is that of
        1 January; None for another month (counted)."""
        if measure != POPULATION or meaning.topic is None:
            return period.code
        shift = population_shift(meaning.topic) or 0
        if period.kind == periods.PeriodKind.MONTH:
            if shift and period.start.month == 12:
                return str(period.start.year + 1)
            if not shift and period.start.month == 1:
                return str(period.start.year)
            self.skipped_month_ends += self.counting
            return None
        if shift:
            return str(period.start.year + shift)
        return period.code

    def _area(self, line: int, name: str, meaning: CellMeaning, year: int) -> str | RowError:
        level = self._level(name, meaning.area_level)
        within = f"GM{self.gemeente}" if self.gemeente else None
        area, message = self.areas(name, level, year, within)
        if area is None:
            return RowError(line, meaning.area_column or "Regio's", name, message)
        self._remember_gemeente(area)
        return area

    def _remember_gemeente(self, code: str) -> None:
        if code[:2] in ("GM", "WK", "BU") and len(code) >= 6:
            self.gemeente = code[2:6]

    def _level(self, name: str, detail: str | None) -> str | None:
        suffix = LABEL_SUFFIX.search(name)
        if suffix:
            return SUFFIX_LEVELS.get(suffix[1].lower())
        if clean_label(name).lower() == "nederland":
            return None
        if WIJK_LABEL.match(name):
            return "wijk"
        return detail or TABLE_LEVELS.get(self.table)

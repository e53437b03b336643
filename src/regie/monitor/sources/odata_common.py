"""What the OData formats share: table ids and specs, period keys, values, the messages of
their row errors, and the header line of a CSV data set (``odata-v3``, ``odata-v4``,
``odata-csv`` and the live API client)."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterable, Mapping
from typing import IO

from regie.monitor.sources.base import (
    TABLE_UNKNOWN,
    TABLES,
    FormatError,
    ReadContext,
    TableSpec,
    canonical_key,
    gettext_noop,
    shorten,
)
from regie.stats import periods

PERIOD_DIMENSION = "Perioden"
#: record id column of a data set; never imported and never reported
ID_COLUMNS = frozenset({"ID", "Id"})
#: untyped (or hand-edited) texts that mean "not published": value None, never 0.
#: CBS symbols: "." = figure unknown or not published, "x" = secret.
MISSING_TEXTS = frozenset({"", ".", "x", "X"})

#: row error messages (English msgids; the import service translates them)
MISSING_CODE = gettext_noop("missing code")
MISSING_AREA_CODE = gettext_noop("missing area code")
MISSING_PERIOD = gettext_noop("missing period")
UNKNOWN_CBS_PERIOD = gettext_noop("unknown CBS period")
MISSING_VALUE = gettext_noop("missing value")
NOT_AN_OBJECT = gettext_noop("record is not a JSON object")
NOT_A_NUMBER = gettext_noop("not a number")
NOT_FINITE = gettext_noop("not a finite number")
COLUMN_NOT_IMPORTED = gettext_noop("column %(column)r not imported")
ONLY_TOTALS = gettext_noop(
    "only the totals of %(dimension)s are imported; the other rows were passed over"
)
MONTHS_NOT_IMPORTED = gettext_noop(
    "only the population at the end of December is imported (as 1 January of the next year); "
    "other months were passed over"
)
NEXT_PAGE = gettext_noop(
    "the file is one page of a larger result (odata.nextLink): later pages were not downloaded"
)

_TABLE_IN_URL = re.compile(r"/([0-9]{5}[A-Za-z]{3})(?:/|$)")
_TABLE_ID = re.compile(r"(?<![0-9A-Za-z])([0-9]{5}(?:NED|ENG))(?![0-9A-Za-z])", re.IGNORECASE)
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")

# --------------------------------------------------------------------------- tables and values


def table_from_url(url: str) -> str:
    """The table id in an OData URL (``…/ODataApi/OData/83648NED/$metadata#…`` → ``83648NED``)."""
    m = _TABLE_IN_URL.search(url)
    return m[1].upper() if m else ""


def table_from_text(text: str) -> str:
    """A table id mentioned in a text such as a file name (``data_47018NED_2023.csv``), or ""."""
    m = _TABLE_ID.search(text)
    return m[1].upper() if m else ""


def spec_for(table: str) -> TableSpec:
    """The :class:`TableSpec` of a table id; :class:`FormatError` when the table is unknown."""
    key = table.strip().upper()
    if not key:
        raise FormatError(TABLE_UNKNOWN, example="83648NED")
    try:
        return TABLES[key]
    except KeyError:
        raise FormatError(
            gettext_noop("table %(table)s is not supported; supported tables: %(tables)s"),
            table=key,
            tables=", ".join(sorted(TABLES)),
        ) from None


def describe(context: ReadContext, spec: TableSpec) -> None:
    """Fill ``context.info`` with source, table and title of a table."""
    context.info.source = "CBS" if spec.source == "cbs" else "Politie"
    context.info.table = spec.table
    context.info.title = spec.title


def measure_code(spec: TableSpec, key: str) -> str:
    if spec.fixed_measure:
        return spec.fixed_measure
    return f"{spec.source}:{canonical_key(key)}"


def find_count_topic(spec: TableSpec, columns: Iterable[str]) -> str | None:
    """The count topic among ``columns``: a ``count_topics`` key, or one without its ``_N``
    suffix, or (population tables) a key that starts like one (``…VanDePeriode_15``)."""
    names = list(columns)
    for topic in spec.count_topics:
        if topic in names:
            return topic
    for topic in spec.count_topics:
        bare = re.sub(r"_\d+$", "", topic)
        if bare in names:
            return bare
    if spec.fixed_measure:
        for topic in spec.count_topics:
            bare = re.sub(r"_\d+$", "", topic)
            found = next((n for n in names if n.startswith(bare)), None)
            if found:
                return found
    return None


def shifted_period(spec: TableSpec, key: str) -> str | None:
    """The period code of a CBS key for the table: the key's own period, or (``year_shift``)
    the year after the end of a year or of December; None for a month that is not imported.
    Raises :class:`periods.PeriodError` for an unknown key."""
    period = periods.from_cbs(key)
    if not spec.fixed_measure:
        return period.code
    if period.kind == periods.PeriodKind.MONTH:
        if spec.year_shift and period.start.month == 12:
            return str(period.start.year + spec.year_shift)
        if not spec.year_shift and period.start.month == 1:
            return str(period.start.year)
        return None
    if period.kind != periods.PeriodKind.YEAR:
        return None
    return str(period.start.year + spec.year_shift)


def breakdown_total(spec: TableSpec, record: Mapping[str, object]) -> str | None:
    """The first breakdown dimension (``spec.totals``) whose key in ``record`` is not its
    total, or None when the record is a total in every breakdown."""
    for dimension, totals in spec.totals:
        raw = record.get(dimension)
        if isinstance(raw, str) and raw.strip() and raw.strip() not in totals:
            return dimension
    return None


def parse_text_value(text: str) -> float | None:
    """An untyped OData value: padded number text, or a not-published marker (→ None).

    Raises :class:`ValueError` with an English message for anything else.
    """
    stripped = text.strip()
    if stripped in MISSING_TEXTS:
        return None
    if not _NUMBER.match(stripped):
        raise ValueError(NOT_A_NUMBER)
    return float(stripped)


def parse_value(raw: object) -> float | None:
    """A typed or untyped OData value → float, or None when not published (never 0)."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise ValueError(NOT_A_NUMBER)
    if isinstance(raw, int | float):
        value = float(raw)
        if not math.isfinite(value):
            raise ValueError(NOT_FINITE)
        return value
    if isinstance(raw, str):
        return parse_text_value(raw)
    raise ValueError(NOT_A_NUMBER)


def shown(raw: object, limit: int = 100) -> str:
    """A raw value as text for :class:`RowError` (strings verbatim, other JSON as JSON)."""
    if isinstance(raw, str):
        text = raw
    else:
        try:
            text = json.dumps(raw, ensure_ascii=False)
        except (TypeError, ValueError):
            text = repr(raw)
    return shorten(text, limit)


def load_json(data: bytes | str | IO[bytes]) -> object:
    """Parse JSON from bytes, text or a binary stream; :class:`FormatError` when it is not JSON."""
    try:
        if isinstance(data, bytes | str):
            return json.loads(data)
        return json.load(data)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError
        raise FormatError(gettext_noop("the file is not valid JSON")) from exc


def unwrap(data: object) -> tuple[list[object], str, str]:
    """A parsed data set → (records, ``odata.metadata`` URL, ``odata.nextLink`` URL).

    Also accepts a bare list of records (``pandas.DataFrame.to_json(orient="records")``).
    """
    if isinstance(data, list):
        return data, "", ""
    if not isinstance(data, Mapping) or not isinstance(data.get("value"), list):
        raise FormatError(
            gettext_noop("not an OData v3 data set: expected a JSON object with a 'value' list")
        )
    metadata = data.get("odata.metadata")
    next_link = data.get("odata.nextLink")
    return (
        data["value"],
        metadata if isinstance(metadata, str) else "",
        next_link if isinstance(next_link, str) else "",
    )


def resolve_table(context: ReadContext, found: str) -> TableSpec:
    """The table named by ``--table``, else the one found in the file; they must agree."""
    given = context.table.strip().upper()
    if given and found and given != found:
        raise FormatError(
            gettext_noop("the file holds table %(found)s, not %(given)s as given with --table"),
            found=found,
            given=given,
        )
    return spec_for(given or found)


# --------------------------------------------------------------------------- CSV header lines

DELIMITERS = (",", ";", "\t")


def text_stream(stream: IO[bytes]) -> io.TextIOWrapper:
    """Decode a binary stream as UTF-8 (BOM allowed, bad bytes → U+FFFD), for :mod:`csv`.

    Call ``detach()`` on the result when done, so that the caller's stream stays open.
    """
    try:
        return io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
    except (AttributeError, TypeError, ValueError, OSError):
        # Not a buffered binary file (e.g. a file-like object without readable()): read it.
        return io.TextIOWrapper(
            io.BytesIO(stream.read()), encoding="utf-8-sig", errors="replace", newline=""
        )


def detect_delimiter(header: str) -> str:
    """The delimiter of a header line: the most frequent of ``,`` ``;`` and tab."""
    counts = [(header.count(d), -i, d) for i, d in enumerate(DELIMITERS)]
    count, _, delimiter = max(counts)
    if count == 0:
        raise FormatError(gettext_noop("the first line is not a CSV header (no ',', ';' or tab)"))
    return delimiter


def parse_header(line: str) -> tuple[str, list[str]]:
    """(delimiter, column names) of a header line; names are trimmed."""
    delimiter = detect_delimiter(line)
    try:
        names = next(csv.reader([line.lstrip("\ufeff").rstrip("\r\n")], delimiter=delimiter))
    except (csv.Error, StopIteration) as exc:
        raise FormatError(gettext_noop("the CSV header cannot be read")) from exc
    return delimiter, [name.strip() for name in names]


def head_columns(head: bytes) -> list[str]:
    """Column names in the first line of ``head``, or [] when it is no CSV header (for sniffing)."""
    first = head.split(b"\n", 1)[0].decode("utf-8", "replace")
    try:
        return parse_header(first)[1]
    except FormatError:
        return []


def stream_name(stream: IO[bytes]) -> str:
    """The file name of a stream when it has one (open files, Django uploads), else ""."""
    name = getattr(stream, "name", "")
    return name if isinstance(name, str) else ""

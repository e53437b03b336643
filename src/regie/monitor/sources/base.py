"""The contract between file formats and the import service.

An adapter reads one format and yields :class:`Row` (a value for area × measure × period, in
canonical codes) or :class:`RowError` (what is wrong, where). Adapters are plain Python: no
Django, no database. What they need to know about the catalogue (labels of crime types, names of
areas) they ask through :class:`ReadContext`, which the import service fills from the database.

The import service validates every row again (unknown area or measure, duplicates, roll-ups),
stores nothing when any row is rejected, and writes the report.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import IO, Protocol, SupportsIndex

from regie.monitor.sources.tables import TABLES as TABLES
from regie.monitor.sources.tables import TableSpec as TableSpec

#: File values are shown in errors and notes at most this long (cut with "…"): one long cell
#: referenced by many rows (an XLSX shared string) must not be copied into every error.
MAX_VALUE_CHARS = 100
#: Longest message of a :class:`RowError`.
MAX_MESSAGE_CHARS = 300
#: Longest note an adapter leaves for the import report, and how many notes are kept.
MAX_NOTE_CHARS = 500
MAX_NOTES = 200


def gettext_noop(message: str) -> str:
    """Mark an English message for translation; the import service translates it when shown.

    Adapters are Django-free: this does what Django's ``gettext_noop`` does (nothing), and
    ``makemessages`` finds the messages by this name.
    """
    return message


#: The last note when more notes were left out.
NOTES_LEFT_OUT = gettext_noop("further notes were left out")
#: Messages of :class:`FormatError` that several adapters use.
FILE_EMPTY = gettext_noop("the file is empty")
TABLE_UNKNOWN = gettext_noop(
    "the table id is not known: name it with --table (for example %(example)s)"
)


def shorten(text: str, limit: int = MAX_VALUE_CHARS) -> str:
    """``text`` cut to ``limit`` characters, the last one "…" when it was longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Status(StrEnum):
    """Publication status of a figure, as CBS and the police mark it."""

    DEFINITIEF = "definitief"
    VOORLOPIG = "voorlopig"  # StatLine "*"
    NADER_VOORLOPIG = "nader_voorlopig"  # StatLine "**"
    ONBEKEND = "onbekend"  # the file does not say


STATUS_BY_MARKER = {"": Status.DEFINITIEF, "*": Status.VOORLOPIG, "**": Status.NADER_VOORLOPIG}
STATUS_BY_CBS_TEXT = {
    "definitief": Status.DEFINITIEF,
    "voorlopig": Status.VOORLOPIG,
    "nader voorlopig": Status.NADER_VOORLOPIG,
}


@dataclass(slots=True)
class Row:
    """One value: canonical area code, measure code and period code (``regie.stats.periods``)."""

    line: int  # text/spreadsheet: physical 1-based row (header = 1); JSON: 1-based record number
    area: str  # "GM0556", "WK055601", "BU05560101", "NL01", "RE07" …
    measure: str  # "politie:1.1.1", "cbs:T001161", "overlast:E33", "local:huisverboden" …
    period: str  # "2022", "2022H1", "2023M10", "2023YTD10", "2021-03/2022-03"
    value: float | None  # None: not published (".", empty, null) — never zero
    status: Status = Status.ONBEKEND


@dataclass(frozen=True, slots=True)
class RowError:
    """What is wrong in one row. The column and value are cut to :data:`MAX_VALUE_CHARS`
    characters and the message to :data:`MAX_MESSAGE_CHARS` here, so no reader can copy a huge
    cell into a report."""

    line: int
    column: str
    value: str
    message: str  # English (msgid-like) text; the service translates known messages
    #: when the message has placeholders: the msgid (``message`` is then the English text with
    #: ``params`` filled in) — translate with :meth:`text`
    msgid: str = ""
    params: tuple[tuple[str, object], ...] = ()

    def __post_init__(self) -> None:
        # frozen: set through object.__setattr__, as dataclasses do themselves
        object.__setattr__(self, "column", shorten(str(self.column), MAX_VALUE_CHARS))
        object.__setattr__(self, "value", shorten(str(self.value), MAX_VALUE_CHARS))
        object.__setattr__(self, "message", shorten(str(self.message), MAX_MESSAGE_CHARS))

    @classmethod
    def of(cls, line: int, column: str, value: str, msgid: str, /, **params: object) -> RowError:
        """A row error whose message has ``%(name)s`` placeholders: ``message`` is the English
        text, :meth:`text` the translated one (values cut to :data:`MAX_VALUE_CHARS`)."""
        bounded = tuple(
            (name, shorten(item) if isinstance(item, str) else item)
            for name, item in params.items()
        )
        english = msgid % dict(bounded) if bounded else msgid
        return cls(line, column, value, english, msgid, bounded)

    def text(self, gettext: Callable[[str], str]) -> str:
        """The message in the user's language (``gettext`` of the msgid, placeholders filled)."""
        if self.msgid:
            return shorten(gettext(self.msgid) % dict(self.params), MAX_MESSAGE_CHARS)
        return gettext(self.message)

    def __str__(self) -> str:
        return f"rij {self.line}, kolom {self.column!r}, waarde {self.value!r}: {self.message}"


class SkipReason(StrEnum):
    """Why a row of a file is passed over without being an error. The import report counts
    skipped rows per reason; they never reject the file."""

    #: a CBS/police pseudo-region: Buitenland, "niet in te delen", RE99, PV99, GM0998/GM0999,
    #: "Buurt onbekend" (BU00000000), "Wijk onbekend" (WK000000), "Gemeente onbekend" (GM0000)
    PSEUDO_REGION = "pseudo_region"
    #: a data row without any value in any of its value cells
    EMPTY = "empty"
    #: a former gemeente after it ceased to exist: a row without a figure, or its population
    #: on 1 January of the day it ceased (an end-of-year figure of its last year, read as 1
    #: January of the next): not a figure of any gemeente that existed then
    CEASED = "ceased"


@dataclass(frozen=True, slots=True)
class Skip:
    """A row passed over (see :class:`SkipReason`), with the file's own column and value."""

    line: int
    reason: SkipReason
    column: str = ""
    value: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "column", shorten(str(self.column), MAX_VALUE_CHARS))
        object.__setattr__(self, "value", shorten(str(self.value), MAX_VALUE_CHARS))


#: Codes of CBS/police pseudo-regions (after :func:`canonical_area`): not areas, never figures.
PSEUDO_REGION_CODES = frozenset(
    {"GM0998", "GM0999", "GM0000", "WK000000", "BU00000000", "RE99", "PV99", "LD99", "NL99"}
)
_PSEUDO_NAME = re.compile(
    r"^(buitenland|(gemeenten|provincies?|regio'?s?|politie-?eenheden|eenheden)?;?\s*"
    r"niet in te delen|(gemeente|wijk|buurt|eenheid|regio|district|basisteam) onbekend|"
    r"onbekend|niet in te delen)\b",
    re.IGNORECASE,
)


def is_pseudo_region(code_or_name: str) -> bool:
    """Whether a region key or label is a pseudo-region rather than an area: ``RE99``,
    ``"GM0999    "``, ``"Buitenland"``, ``"Gemeenten; niet in te delen"``,
    ``"Niet in te delen (RE)"``, ``"Buurt onbekend"``. Codes ending in 99 at the provincie and
    eenheid level and the all-zero wijk/buurt/gemeente codes are pseudo-regions."""
    text = clean_label(code_or_name)
    if canonical_area(text) in PSEUDO_REGION_CODES:
        return True
    return bool(_PSEUDO_NAME.match(text))


class FormatError(Exception):
    """The file as a whole cannot be read in this format (wrong layout, not JSON, no header).

    ``message`` is an English msgid, marked with :func:`gettext_noop` where it is written; what
    varies goes in ``params`` for its ``%(name)s`` placeholders (text values cut to
    :data:`MAX_VALUE_CHARS`), never into the msgid itself: the import service shows
    ``gettext(message) % params`` (:func:`regie.monitor.services.format_error_text`), so the
    user reads it in their language. ``str()`` gives the English text (logs, tests).
    """

    def __init__(self, message: str, /, **params: object) -> None:
        self.message = message
        self.params: dict[str, object] = {
            name: shorten(value) if isinstance(value, str) else value
            for name, value in params.items()
        }
        super().__init__(message % self.params if self.params else message)

    def text(self, gettext: Callable[[str], str]) -> str:
        """The message translated by ``gettext``, its placeholders filled in."""
        translated = gettext(self.message)
        return translated % self.params if self.params else translated


class Note(str):
    """A note with placeholders, translatable like :class:`FormatError`: ``message`` is the
    English msgid (marked with :func:`gettext_noop`), ``params`` fill its placeholders (text cut
    to :data:`MAX_NOTE_CHARS`); the string itself is the English text. The import service
    translates it (``gettext(message) % params``) and cuts the result to :data:`MAX_NOTE_CHARS`.
    """

    message: str
    params: dict[str, object]

    def __new__(cls, message: str, /, **params: object) -> Note:
        bounded = {
            name: shorten(value, MAX_NOTE_CHARS) if isinstance(value, str) else value
            for name, value in params.items()
        }
        english = message % bounded if bounded else message
        note = super().__new__(cls, shorten(english, MAX_NOTE_CHARS))
        note.message = message
        note.params = bounded
        return note

    def text(self, gettext: Callable[[str], str]) -> str:
        translated = gettext(self.message)
        return shorten(translated % self.params if self.params else translated, MAX_NOTE_CHARS)


class Notes(list[str]):
    """The notes of an import: each cut to :data:`MAX_NOTE_CHARS` characters (a :class:`Note`
    when it is translated), at most :data:`MAX_NOTES` kept (the last one then says that more
    were left out)."""

    def append(self, note: str) -> None:
        if len(self) < MAX_NOTES:
            super().append(note if isinstance(note, Note) else shorten(str(note), MAX_NOTE_CHARS))
        elif len(self) == MAX_NOTES:
            super().append(NOTES_LEFT_OUT)

    def extend(self, notes: Iterable[str]) -> None:
        for note in notes:
            self.append(note)

    def insert(self, index: SupportsIndex, note: str) -> None:
        if len(self) < MAX_NOTES:
            kept = note if isinstance(note, Note) else shorten(str(note), MAX_NOTE_CHARS)
            super().insert(index, kept)

    def __iadd__(self, notes: Iterable[str]) -> Notes:  # type: ignore[override,misc]
        self.extend(notes)
        return self


@dataclass
class SourceInfo:
    """What an adapter learned about the file: shown on the Bronnen page."""

    source: str = ""  # "CBS", "Politie", "gemeente", …
    table: str = ""  # "83648NED", or "" for local files
    title: str = ""


@dataclass
class ReadContext:
    """What an adapter may ask about the catalogue. The import service fills it in."""

    #: table id when known from outside (``--table 83648NED``); adapters may find it themselves
    table: str = ""
    #: (source prefix, label) → measure code, e.g. ("politie", "Diefstal/inbraak woning") →
    #: "politie:1.1.1". Labels are compared case-insensitively, with code prefixes like
    #: "1.1.1 " allowed in front.
    measure_by_label: Callable[[str, str], str | None] = lambda source, label: None
    #: area name → code; raises :class:`AmbiguousName` (with the candidates) when the name is
    #: not unique at that level. ``level`` is the region level of the file's column when the
    #: table says it ("gemeente", "wijk", "buurt", "politie_eenheid", "provincie", "nl", …;
    #: ``None``: any level), so "Amsterdam" in a gemeente column is the gemeente; ``year`` is
    #: the year of the figure's period (a former gemeente's name, that year's buurt names).
    #: Adapters call it through :func:`lookup_area_name`, which also serves a look-up that
    #: takes the name only.
    area_by_name: Callable[..., str | None] = lambda name, level=None, year=None: None
    #: for incident lists: postcode (PC4) → area code
    area_by_postcode: Callable[[str], str | None] = lambda pc4: None
    #: CBS period key → status, from a Perioden dimension resource when one was given
    period_status: dict[str, Status] = field(default_factory=dict)
    #: filled in by the adapter while reading: source, table and title of the file
    info: SourceInfo = field(default_factory=SourceInfo)
    #: notes for the import report that are not errors ("column X not imported", "3 duplicate
    #: incidents counted once"); adapters append English texts (bounded: see :class:`Notes`)
    notes: list[str] = field(default_factory=Notes)
    #: the largest file content (after unpacking a gzip file) an adapter reads, in bytes;
    #: ``None``: the adapter's own limit (``local``: 50 MB, other formats: 512 MB)
    max_bytes: int | None = None
    #: local figures: the CBS code of the gemeente whose own figures these are (``GM0556``).
    #: Only that gemeente, its wijken and buurten, and its own (``local:``) measures are
    #: accepted; ``""``: an organisation without an area (no area is accepted). ``None``: no
    #: organisation (open data imported by an administrator): no restriction.
    own_gemeente: str | None = None


def lookup_area_name(
    context: ReadContext,
    name: str,
    level: str | None = None,
    year: int | None = None,
    *,
    within: str | None = None,
    within_only: bool = False,
) -> str | None:
    """``context.area_by_name(name, level=…, year=…, within=…, within_only=…)``: ``within`` is
    the gemeente (GM0556) the name is read in (see ``areas.selectors.NameIndex.resolve``). A
    look-up function that takes fewer arguments (an older or simpler ``ReadContext``) gets only
    those it takes. Raises :class:`AmbiguousName` as the look-up does."""
    function = context.area_by_name
    names = _signature_names(function)
    given: dict[str, object] = {
        "level": level,
        "year": year,
        "within": within,
        "within_only": within_only,
    }
    return function(name, **{key: value for key, value in given.items() if key in names})


def _signature_names(function: Callable[..., object]) -> set[str]:
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return set()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return {"level", "year", "within", "within_only"}
    return set(parameters)


class AmbiguousName(LookupError):
    """A label names more than one area (a wijk and a buurt may share a name). ``candidates``
    lists the codes (with names) the label could mean."""

    def __init__(self, message: str = "", candidates: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.candidates = candidates


_SPACES = re.compile(r"\s+")


def canonical_area(code: str) -> str:
    """Trim OData padding; ``NL00`` (the wijk/buurt tables' name for the Netherlands) → ``NL01``."""
    code = code.strip().upper()
    return "NL01" if code == "NL00" else code


def canonical_key(key: str) -> str:
    """Trim a padded dimension key (``"1.1.1 "`` → ``"1.1.1"``, ``"E33   "`` → ``"E33"``)."""
    return key.strip()


def clean_label(text: str) -> str:
    return _SPACES.sub(" ", text.strip())


class Adapter(Protocol):
    #: the value of ``--format`` (``odata-v3``, ``odata-v4``, ``odata-csv``, ``statline-csv``,
    #: ``local``, ``incidents``)
    name: str
    #: one line for ``regie import --help`` and the upload form
    description: str

    def sniff(self, head: bytes, filename: str) -> bool:
        """Whether the first bytes (up to 64 KiB) of a file look like this format."""

    def read(self, stream: IO[bytes], context: ReadContext) -> Iterator[Row | RowError | Skip]:
        """Yield every value, every problem and every skipped row of the file, in file order.

        Raise :class:`FormatError` when the file cannot be this format at all.
        """

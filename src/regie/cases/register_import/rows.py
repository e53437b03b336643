"""The columns of a register and the reading of one row into a :class:`SignalIn`.

Every problem of a row is collected (row, column, the value as typed, a Dutch message); a row
with a problem gives no signal. Values that look like formulas (``=1+1``) are plain text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from django.utils.translation import gettext as _

from regie.cases.models import Channel, ReporterType, SubjectKind
from regie.cases.register_import import values
from regie.cases.register_import.files import Cell
from regie.cases.services import AddressIn, SignalIn, SubjectIn
from regie.cases.services.intake import MAX_DESCRIPTION, MAX_FIELD
from regie.core.models import Organisation
from regie.privacy import normalise

COLUMNS = (
    "ontvangen",
    "kanaal",
    "categorie",
    "omschrijving",
    "achternaam",
    "tussenvoegsel",
    "voornamen",
    "geboortedatum",
    "bsn",
    "straat",
    "huisnummer",
    "toevoeging",
    "postcode",
    "woonplaats",
    "kvk",
    "kenteken",
    "melder_type",
    "melder_naam",
    "melder_telefoon",
    "melder_email",
)
REQUIRED = ("ontvangen", "categorie", "omschrijving")
#: Columns whose presence makes the row name a person.
PERSON_KEYS = ("achternaam", "bsn", "geboortedatum")
ADDRESS_COLUMNS = ("straat", "huisnummer", "toevoeging", "postcode", "woonplaats")
CONTACT_COLUMNS = ("melder_naam", "melder_telefoon", "melder_email")


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str
    message: str


@dataclass
class Columns:
    """Where each known column is (its index), and the header problems."""

    index: dict[str, int] = field(default_factory=dict)
    unnamed: list[int] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def header_key(text: str) -> str:
    """``Melder type``, ``MELDER_TYPE`` and `` melder-type `` are the same column."""
    return re.sub(r"[\s_\-]+", "", text.replace("\ufeff", "").casefold())


T = TypeVar("T")

_BY_KEY = {header_key(name): name for name in COLUMNS}


def columns(header: Sequence[str]) -> Columns:
    found = Columns()
    unknown: list[str] = []
    for position, text in enumerate(header):
        if not text.strip():
            found.unnamed.append(position)
            continue
        name = _BY_KEY.get(header_key(text))
        if name is None:
            unknown.append(text.strip())
        elif name in found.index:
            found.errors.append(RowError(1, name, text, _("This column occurs twice.")))
        else:
            found.index[name] = position
    for name in unknown:
        found.errors.append(
            RowError(
                1,
                name,
                "",
                _("Unknown column; the known columns are: %(known)s.")
                % {"known": ", ".join(COLUMNS)},
            )
        )
    for name in REQUIRED:
        if name not in found.index:
            found.errors.append(RowError(1, name, "", _("The column is missing.")))
    return found


def as_text(cell: Cell) -> str:
    """A cell as the text a user typed: whole numbers without ``.0``, dates as dd-mm-yyyy."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "1" if cell else "0"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime):
        return cell.strftime("%d-%m-%Y %H:%M") if cell.time() != dt.time() else f"{cell:%d-%m-%Y}"
    if isinstance(cell, dt.date):
        return f"{cell:%d-%m-%Y}"
    return str(cell).strip()


class Row:
    """One data row: its cells by column name, and the problems found while reading it."""

    def __init__(self, number: int, cells: Sequence[Cell], cols: Columns) -> None:
        self.number = number
        self.raw: dict[str, Cell] = {
            name: cells[i] if i < len(cells) else None for name, i in cols.index.items()
        }
        self.text = {name: as_text(cell) for name, cell in self.raw.items()}
        self.errors: list[RowError] = []
        for position in cols.unnamed:
            if position < len(cells) and as_text(cells[position]):
                self.fail("", as_text(cells[position]), _("This column has no name."))

    def get(self, name: str) -> str:
        return self.text.get(name, "")

    def fail(self, column: str, value: str, message: str) -> None:
        self.errors.append(RowError(self.number, column, value, message))

    def read(self, name: str, reader: Callable[[Cell], T]) -> T | None:
        """``reader(cell)`` (a date cell as it is, another as its text); a problem is
        recorded and None returned."""
        cell = self.raw.get(name)
        try:
            return reader(cell if isinstance(cell, dt.date) else self.get(name))
        except values.ValueProblem as exc:
            self.fail(name, self.get(name), exc.message)
            return None

    def checked(self, name: str, check: Callable[[str], object], message: str) -> str:
        """The text of ``name`` when empty or accepted by ``check``; else a problem."""
        text = self.get(name)
        if text and check(text) is None:
            self.fail(name, text, message)
        return text


def _required(row: Row) -> None:
    for name in REQUIRED:
        if name in row.raw and not row.get(name):  # a missing column is one header problem
            row.fail(name, "", _("This value is required."))


def _lengths(row: Row) -> None:
    for name, text in row.text.items():
        limit = MAX_DESCRIPTION if name == "omschrijving" else MAX_FIELD
        if len(text) > limit:
            row.fail(
                name,
                text[:40] + "…",
                _("Longer than %(max)s characters.") % {"max": limit},
            )


def _kvk(row: Row) -> str:
    cell = row.raw.get("kvk")
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        row.text["kvk"] = as_text(cell).zfill(8)  # a number cell loses its leading zero
    return row.checked("kvk", normalise.kvk, _("A KvK number has eight digits."))


def _address(row: Row) -> AddressIn:
    row.checked("postcode", normalise.postcode, _("A postcode is written as 3141 AB."))
    number = row.get("huisnummer")
    if number and normalise.house_number(number, row.get("toevoeging")) is None:
        row.fail("huisnummer", number, _("This is not a house number (with its addition)."))
    return AddressIn(
        street=row.get("straat"),
        house_number=number,
        addition=row.get("toevoeging"),
        postcode=row.get("postcode"),
        city=row.get("woonplaats"),
    )


def _person(row: Row, address: AddressIn) -> SubjectIn | None:
    birth = row.read("geboortedatum", values.birth_date) if row.get("geboortedatum") else None
    row.checked("bsn", normalise.bsn, _("This is not a valid BSN (eleven test)."))
    if not any(row.get(name) for name in PERSON_KEYS):
        for name in ("voornamen", "tussenvoegsel"):
            if row.get(name):
                row.fail(
                    name, row.get(name), _("A person needs a surname, a BSN or a date of birth.")
                )
        return None
    return SubjectIn(
        kind=SubjectKind.PERSON,
        surname=row.get("achternaam"),
        tussenvoegsel=row.get("tussenvoegsel"),
        first_names=row.get("voornamen"),
        birth_date=birth,
        bsn=row.get("bsn"),
        address=address,
    )


def _subjects(row: Row, address: AddressIn) -> list[SubjectIn]:
    found: list[SubjectIn] = []
    person = _person(row, address)
    if person is not None:
        found.append(person)
    kvk = _kvk(row)
    if kvk:
        found.append(SubjectIn(kind=SubjectKind.ORGANISATION, kvk=kvk))
    kenteken = row.checked(
        "kenteken", normalise.kenteken, _("A licence plate has six letters and digits.")
    )
    if kenteken:
        found.append(SubjectIn(kind=SubjectKind.VEHICLE, kenteken=kenteken))
    return found


def _reporter(row: Row, channel: str | None) -> str:
    kind = row.read("melder_type", lambda cell: values.reporter_type(str(cell)))
    row.checked("melder_email", normalise.email, _("This is not an e-mail address."))
    row.checked("melder_telefoon", normalise.phone, _("This is not a telephone number."))
    anonymous = channel == Channel.MMA or kind in (ReporterType.ANONYMOUS, ReporterType.MMA)
    if anonymous:
        for name in CONTACT_COLUMNS:
            if row.get(name):
                row.fail(
                    name,
                    row.get(name),
                    _("An anonymous signal has no contact details of the reporter."),
                )
    return kind or ReporterType.ANONYMOUS


def read_row(
    row: Row, organisation: Organisation, categories: values.CategoryFinder
) -> SignalIn | None:
    """The signal of ``row``, or None when the row has problems (in ``row.errors``)."""
    _required(row)
    _lengths(row)
    received = row.read("ontvangen", values.received_at) if row.get("ontvangen") else None
    channel = row.read("kanaal", lambda cell: values.channel(str(cell)))
    category = (
        row.read("categorie", lambda cell: categories.find(str(cell)))
        if row.get("categorie")
        else None
    )
    address = _address(row)
    subjects = _subjects(row, address)
    reporter = _reporter(row, channel)
    if row.errors or received is None or channel is None or category is None:
        return None
    return SignalIn(
        organisation=organisation,
        channel=channel,
        category=category,
        description=row.get("omschrijving"),
        received_at=received,
        location=address,
        reporter_type=reporter,
        reporter_name=row.get("melder_naam"),
        reporter_phone=row.get("melder_telefoon"),
        reporter_email=row.get("melder_email"),
        subjects=subjects,
    )

"""Normalisation of identifiers before they are turned into a blind index.

A blind index is a keyed hash (:mod:`regie.privacy.blind_index`) of an identifier. Two signals
are linked only when their identifiers normalise to exactly the same text, so this module
decides what counts as "the same" person, address, phone number and so on. It is pure Python
(no database, no Django) and every function is deterministic.

General rules
=============

* Every function returns ``None`` when the input is empty or cannot be read as the identifier
  it claims to be. ``None`` means *not indexed*: the value is never linked to anything. No
  function raises on arbitrary text.
* Normalising never guesses: a value that is ambiguous (a two-digit year, a BSN that fails the
  eleven test, a phone number without area code) is refused rather than completed.
* Plain-text keys (``text_key``) are case-insensitive, ignore diacritics, spaces and punctuation:
  the text is case-folded, ``ß`` becomes ``ss``, ``æ`` ``ae``, ``œ`` ``oe``, ``ø`` ``o``,
  ``ĳ`` ``ij`` (also ``ł`` → ``l``, ``đ``/``ð`` → ``d``, ``þ`` → ``th``, dotless i → ``i``),
  accents are removed (Unicode NFKD decomposition, combining marks dropped) and then every
  character that is not a letter or digit is dropped. Consequences:
  ``"Müller"`` = ``"Muller"``, ``"de Vries"`` = ``"De Vries"`` = ``"Devries"``,
  ``"d'Ancona"`` = ``"Dancona"``. Letters of other scripts (Cyrillic, Arabic, Chinese, ...)
  are kept (case-folded), never dropped: ``"Müller-Иванов"`` differs from ``"Müller"``. A name
  in another script is not transliterated, so it matches only the same script.

Identifiers
===========

BSN (``bsn``)
    Digits only; spaces, dots and dashes in the input are ignored, any other character refuses
    the value. Eight digits get a leading zero. The result must be nine digits, not all zero,
    and pass the eleven test (9×d1 + 8×d2 + … + 2×d8 - 1×d9 divisible by 11).

Birth date (``birth_date``)
    Always day first (Dutch). Accepted: ``3-2-1980``, ``03-02-1980``, ``3/2/1980``,
    ``3.2.1980``, ``3 2 1980``, eight digits ``03021980`` (ddmmyyyy), ISO ``1980-02-03`` (year
    first), the BRP notation ``19800203`` (yyyymmdd; an eight-digit string can never be valid
    both as ddmmyyyy and as yyyymmdd, so this is unambiguous) and month names:
    ``3 februari 1980``, ``3 feb 1980``, ``3 feb. 1980``, ``3-feb-1980`` with the Dutch names
    and abbreviations (``jan``, ``feb``/``febr``, ``mrt``/``mar``, ``apr``, ``mei``, ``jun``,
    ``jul``, ``aug``, ``sep``/``sept``, ``okt``, ``nov``, ``dec``). Two-digit years are refused.
    Impossible dates (31 February, the BRP "unknown" day 00) and years outside 1880–2100 are
    refused.

Surname (``surname``)
    The key is ``text_key(tussenvoegsel + surname)``. The comma form ``"Vries, de"`` means
    surname *Vries* with tussenvoegsel *de* moved to the front, so ``"Vries, de"``,
    ``"de Vries"``, ``("Vries", "de")`` and ``("VRIES", "De")`` all give ``devries``; likewise
    ``"Berg, van den"`` = ``"van den Berg"`` = ``vandenberg``. Apostrophes and hyphens are
    dropped: ``"d'Ancona"`` → ``dancona``, ``"Jansen-de Vries"`` → ``jansendevries``. When the
    surname already starts with the given tussenvoegsel as separate word(s) (surname
    ``"de Vries"`` with tussenvoegsel ``"de"``), the tussenvoegsel is not added a second time.
    Whatever follows the comma is taken as tussenvoegsel: ``"Vries, Jan"`` would be read as
    ``"Jan Vries"``, so first names must not be entered in the surname field. A surname
    without letters or digits is refused.

Initial (``initial``)
    The first letter of the first given name, after ``text_key`` folding: ``"J."``, ``"Jan"``,
    ``"jan willem"``, ``"J.W."`` all give ``j``; ``"Émile"`` gives ``e``. The Dutch digraph IJ
    counts as one initial: ``"IJsbrand"``, ``"Ĳsbrand"`` and ``"IJ."`` give ``ij`` (but
    ``"I.J."`` gives ``i``). Input without a letter is refused.

Person (``person``)
    ``surname|initial|birth date`` (ISO), for example ``devries|j|1980-02-03``. Refused when any
    of the three parts is refused. Note that only the *initial* is used: Jan and Johan de Vries
    born on the same day share a key, which is intended (first names are written in many ways).

Postcode (``postcode``)
    Spaces and dashes are ignored, letters are upper-cased: ``"3141 AB"`` = ``"3141ab"`` =
    ``"3141-AB"`` → ``3141AB``. The result must be four digits (no leading zero) and two
    letters. The pairs SA, SD and SS are not issued but are accepted.

House number (``house_number``)
    A number 1–99999 (leading zeros ignored) and an addition (house letter and/or
    huisnummertoevoeging) reduced to upper-case letters and digits: ``"12a"``, ``"12 A"``,
    ``"12-a"``, ``("12", "a")`` and ``("12", "-a")`` all give ``(12, "A")``; ``"12 bis"`` gives
    ``(12, "BIS")``. The addition may be written in the number field or in the addition field;
    when both hold a different addition the value is refused.

Address (``address``)
    ``postcode|number|addition``, for example ``3141AB|12|A`` or ``3141AB|12|`` without
    addition. Street and town are not used: postcode and house number identify the address.

BAG id (``bag_id``)
    Sixteen digits (nummeraanduiding or verblijfsobject identification), leading zeros kept,
    spaces ignored.

KvK number (``kvk``)
    Eight digits, spaces and dots ignored.

Phone number (``phone``)
    Spaces, dashes, dots, slashes and parentheses are ignored; letters refuse the value. Dutch
    numbers are written in national form: ``"+31 6 12345678"`` = ``"0031612345678"`` =
    ``"+31 (0)6 12345678"`` = ``"06-12345678"`` → ``0612345678``; ``"(010) 123 45 67"`` →
    ``0101234567``. A Dutch number needs 9 to 11 digits after the leading zero (short numbers
    such as 112 or 0800-1234 are refused). Foreign numbers keep their country code:
    ``"+32 2 123 45 67"`` → ``+3221234567`` (8 to 15 digits). A number without leading zero
    or country code is refused.

E-mail address (``email``)
    Surrounding whitespace removed and the whole address case-folded. It must contain exactly
    one ``@``, a non-empty local part, no whitespace and a domain with a dot between non-empty
    labels. No provider-specific rewriting (dots in Gmail addresses are kept).

Licence plate (``kenteken``)
    Spaces, dashes and dots are ignored, letters upper-cased: ``"12-ABC-3"`` = ``"12abc3"`` =
    ``"12 ABC 3"`` → ``12ABC3``. The result must be six letters/digits (A–Z, 0–9).
"""

from __future__ import annotations

import datetime
import re
import unicodedata

__all__ = [
    "address",
    "bag_id",
    "birth_date",
    "bsn",
    "email",
    "house_number",
    "initial",
    "kenteken",
    "kvk",
    "person",
    "phone",
    "postcode",
    "surname",
    "text_key",
]

MIN_YEAR = 1880
MAX_YEAR = 2100
MAX_HOUSE_NUMBER = 99999

# Letters that NFKD does not decompose into ASCII (applied after case folding).
_LETTERS = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "ø": "o",
        "ĳ": "ij",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "\u0131": "i",  # dotless i
    }
)
# Separators ignored inside numbers: whitespace, dots and the hyphen/dash family.
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2212"
_WORD = re.compile(r"[^\W_]+")
_LETTER_RUN = re.compile(r"[^\W\d_]+")

_MONTHS = {
    "januari": 1,
    "jan": 1,
    "februari": 2,
    "feb": 2,
    "febr": 2,
    "maart": 3,
    "mrt": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "mei": 5,
    "juni": 6,
    "jun": 6,
    "juli": 7,
    "jul": 7,
    "augustus": 8,
    "aug": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "oktober": 10,
    "okt": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}
_DASH = re.escape(_DASHES)  # for use inside a character class
_SEP = rf"(?:\s*[{_DASH}/.]\s*|\s+)"  # unambiguous: no quadratic backtracking on long input
_DMY = re.compile(rf"([0-9]{{1,2}}){_SEP}([0-9]{{1,2}}){_SEP}([0-9]{{4}})")
_YMD = re.compile(rf"([0-9]{{4}})\s*[{_DASH}/.]\s*([0-9]{{1,2}})\s*[{_DASH}/.]\s*([0-9]{{1,2}})")
_EIGHT = re.compile(r"([0-9]{2})([0-9]{2})([0-9]{4})")
_NAMED = re.compile(
    rf"([0-9]{{1,2}})(?:\s*[{_DASH}/.]\s*|\s*)([a-z]+)\.?(?:\s*[{_DASH}/.,]\s*|\s*)([0-9]{{4}})"
)

_POSTCODE = re.compile(r"[1-9][0-9]{3}[A-Za-z]{2}")
_HOUSE = re.compile(r"0*([0-9]{1,5})(?![0-9])(.*)", re.DOTALL)
_PHONE = re.compile(rf"\+?[0-9\s{_DASH}./()]+")
_TRUNK_ZERO = re.compile(r"\(\s*0\s*\)")
_KENTEKEN = re.compile(r"[A-Za-z0-9]{6}")


# --- helpers ------------------------------------------------------------------------------------


def _as_text(value: object) -> str:
    """The value as stripped text; ints are accepted (not bools), anything else is empty."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return ""


def _fold(text: str) -> str:
    """Case-fold and strip diacritics, keeping every other character (separators included)."""
    folded = unicodedata.normalize("NFKD", text.casefold().translate(_LETTERS))
    stripped = "".join(ch for ch in folded if not unicodedata.combining(ch))
    # Compatibility forms can decompose into capitals ("ᴬ" → "A"): fold once more.
    return stripped.casefold().translate(_LETTERS)


def _digits(text: str, separators: str) -> str | None:
    """``text`` without the separator characters, or None unless only ASCII digits remain."""
    kept = "".join(ch for ch in text if ch not in separators and not ch.isspace())
    if kept and kept.isascii() and kept.isdigit():
        return kept
    return None


def _only_digits(text: str) -> str:
    return re.sub(r"[^0-9]", "", text)


# --- text ---------------------------------------------------------------------------------------


def text_key(text: str) -> str:
    """Case-, accent-, space- and punctuation-insensitive key: letters and digits only.

    Latin letters lose their diacritics (``a``-``z``); letters of other scripts are kept as
    they are (case-folded), so "Müller-Иванов" never equals "Müller".
    """
    if not isinstance(text, str) or not text:
        return ""
    return "".join(ch for ch in _fold(text) if ch.isalnum())


def text_key_words(text: str) -> str:
    """Like :func:`text_key`, but words stay apart (separated by a space): "J.W. de" → "j w de"."""
    if not isinstance(text, str) or not text:
        return ""
    return " ".join(_words(text))


def _words(text: str) -> list[str]:
    return _WORD.findall(_fold(text))


# --- BSN ----------------------------------------------------------------------------------------


def _elfproef(number: str) -> bool:
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    total = sum(int(digit) * weight for digit, weight in zip(number, weights, strict=True))
    return total % 11 == 0 and number != "000000000"


def bsn(text: str | None) -> str | None:
    """Nine-digit BSN that passes the eleven test (eight digits get a leading zero)."""
    number = _digits(_as_text(text), "." + _DASHES)
    if number is None or len(number) not in (8, 9):
        return None
    number = number.zfill(9)
    return number if _elfproef(number) else None


# --- birth date ---------------------------------------------------------------------------------


def _make_date(year: str | int, month: str | int, day: str | int) -> datetime.date | None:
    try:
        value = datetime.date(int(year), int(month), int(day))
    except ValueError:
        return None
    return value if MIN_YEAR <= value.year <= MAX_YEAR else None


def _parse_numeric(text: str) -> datetime.date | None:
    if match := _DMY.fullmatch(text):
        day, month, year = match.groups()
        return _make_date(year, month, day)
    if match := _YMD.fullmatch(text):
        year, month, day = match.groups()
        return _make_date(year, month, day)
    if match := _EIGHT.fullmatch(text):
        day, month, year = match.groups()
        return _make_date(year, month, day) or _make_date(text[:4], text[4:6], text[6:])
    return None


def _parse_named(text: str) -> datetime.date | None:
    match = _NAMED.fullmatch(_fold(text))
    if match is None:
        return None
    day, name, year = match.groups()
    month = _MONTHS.get(name)
    return None if month is None else _make_date(year, month, day)


def _birth_date(value: str | datetime.date | None) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value if MIN_YEAR <= value.year <= MAX_YEAR else None
    text = _as_text(value)
    if not text:
        return None
    return _parse_numeric(text) or _parse_named(text)


def birth_date(value: str | datetime.date | None) -> datetime.date | None:
    """A birth date from a date or a Dutch (day-first) notation; see the module documentation."""
    return _birth_date(value)


# --- names --------------------------------------------------------------------------------------


def _surname(name: str | None, tussenvoegsel: str | None) -> str | None:
    base, comma, moved = _as_text(name).partition(",")
    if not _words(base):
        return None
    words = _words(f"{moved} {base}" if comma else base)
    prefix = _words(_as_text(tussenvoegsel))
    if prefix and not (len(words) > len(prefix) and words[: len(prefix)] == prefix):
        words = prefix + words
    return "".join(words)


def surname(surname: str | None, tussenvoegsel: str | None = None) -> str | None:
    """Key of tussenvoegsel + surname; ``"Vries, de"`` = ``"de Vries"`` = ``("Vries", "de")``."""
    return _surname(surname, tussenvoegsel)


def _initial(first_names: str | None) -> str | None:
    match = _LETTER_RUN.search(_fold(_as_text(first_names)))
    if match is None:
        return None
    word = match.group()
    return "ij" if word.startswith("ij") else word[0]


def initial(first_names: str | None) -> str | None:
    """First letter of the first given name; the Dutch digraph IJ counts as one letter."""
    return _initial(first_names)


def person(
    surname: str | None,
    tussenvoegsel: str | None,
    first_names: str | None,
    birth_date: str | datetime.date | None,
) -> str | None:
    """``surname|initial|yyyy-mm-dd``, or None when any part is missing or unreadable."""
    name = _surname(surname, tussenvoegsel)
    letter = _initial(first_names)
    born = _birth_date(birth_date)
    if name is None or letter is None or born is None:
        return None
    return f"{name}|{letter}|{born.isoformat()}"


# --- addresses ----------------------------------------------------------------------------------


def _postcode(text: str | None) -> str | None:
    compact = "".join(ch for ch in _as_text(text) if ch not in _DASHES and not ch.isspace())
    return compact.upper() if _POSTCODE.fullmatch(compact) else None


def postcode(text: str | None) -> str | None:
    """Dutch postcode as ``1234AB``."""
    return _postcode(text)


def _house_number(number: str | int | None, addition: str | None) -> tuple[int, str] | None:
    match = _HOUSE.fullmatch(_as_text(number))
    if match is None:
        return None
    value = int(match.group(1))
    if not 1 <= value <= MAX_HOUSE_NUMBER:
        return None
    written = text_key(match.group(2)).upper()
    given = text_key(_as_text(addition)).upper()
    if written and given and written != given:
        return None
    return value, written or given


def house_number(number: str | int | None, addition: str | None = None) -> tuple[int, str] | None:
    """``(number, ADDITION)``; the addition may also be written in the number (``"12a"``)."""
    return _house_number(number, addition)


def address(
    postcode: str | None, house_number: str | int | None, addition: str | None = None
) -> str | None:
    """``1234AB|12|A`` (``1234AB|12|`` without addition), or None."""
    code = _postcode(postcode)
    house = _house_number(house_number, addition)
    if code is None or house is None:
        return None
    return f"{code}|{house[0]}|{house[1]}"


def bag_id(text: str | None) -> str | None:
    """Sixteen-digit BAG identification, leading zeros kept."""
    number = _digits(_as_text(text), "")
    return number if number is not None and len(number) == 16 else None


# --- organisations, contact details, vehicles ---------------------------------------------------


def kvk(text: str | None) -> str | None:
    """Eight-digit KvK number."""
    number = _digits(_as_text(text), ".")
    return number if number is not None and len(number) == 8 else None


def _national_phone(digits: str) -> str | None:
    if not digits.startswith("0") or digits.startswith("00"):
        return None
    return digits if 9 <= len(digits) - 1 <= 11 else None


def _international_phone(digits: str) -> str | None:
    if digits.startswith("31"):
        national = digits[2:]
        return _national_phone("0" + (national[1:] if national.startswith("0") else national))
    if digits.startswith("0"):
        return None
    return "+" + digits if 8 <= len(digits) <= 15 else None


def phone(text: str | None) -> str | None:
    """Dutch numbers as ``0612345678``, foreign numbers as ``+3221234567``."""
    written = _as_text(text)
    if not _PHONE.fullmatch(written):
        return None
    plus = written.startswith("+")
    body = written[1:] if plus else written
    if plus or _only_digits(body).startswith("00"):
        digits = _only_digits(_TRUNK_ZERO.sub("", body))
        return _international_phone(digits if plus else digits[2:])
    return _national_phone(_only_digits(body))


def email(text: str | None) -> str | None:
    """Case-folded e-mail address with exactly one ``@`` and a dotted domain."""
    value = _as_text(text).casefold()
    if value.count("@") != 1 or any(ch.isspace() for ch in value):
        return None
    local, domain = value.split("@")
    labels = domain.split(".")
    if not local or len(labels) < 2 or not all(labels):
        return None
    return value


def kenteken(text: str | None) -> str | None:
    """Licence plate as six upper-case letters and digits: ``12ABC3``."""
    compact = "".join(ch for ch in _as_text(text) if ch not in "." + _DASHES and not ch.isspace())
    return compact.upper() if _KENTEKEN.fullmatch(compact) else None

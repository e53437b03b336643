"""An address looked up in the PDOK Locatieserver (free search, v3_1), for a signal's location.

Off unless ``REGIE_PDOK_LOCATIESERVER_URL`` is set, e.g.
``https://api.pdok.nl/bzk/locatieserver/search/v3_1/free``. One request per lookup (3 seconds at
most, an answer of 1 MB at most). :func:`lookup_address` never raises: when the service is off,
unreachable, answers something unreadable or finds no address with exactly the asked postcode,
house number and addition, the answer is ``None`` and the signal simply has no verified address.
Warnings name what failed, never the address (no personal data in logs).
"""

from __future__ import annotations

import json
import logging
import re
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 3.0
MAX_RESPONSE_BYTES = 1024 * 1024
#: A few candidates, so that the exact address is found even when a neighbour scores higher.
ROWS = 5
FIELDS = (
    "type weergavenaam straatnaam huisnummer huisletter huisnummertoevoeging postcode "
    "woonplaatsnaam gemeentecode wijkcode buurtcode nummeraanduiding_id"
)

_POSTCODE = re.compile(r"[1-9][0-9]{3}[A-Z]{2}")
#: A house number, possibly written with its addition: "12", "12A", "12 a", "12-2", "12A-2".
_NUMBER = re.compile(r"(?P<number>[0-9]{1,6})(?P<rest>(?:[A-Za-z\s\-_/][A-Za-z0-9\s\-_/]*)?)")
_ADDITION = re.compile(r"[A-Z0-9]{0,6}")
_GEMEENTECODE = re.compile(r"[0-9]{4}")
_WIJKCODE = re.compile(r"WK[0-9]{6}")
_BUURTCODE = re.compile(r"BU[0-9]{8}")
_MAX_HOUSE_NUMBER = 99999

Fetch = Callable[[str], bytes]


@dataclass(frozen=True)
class AddressMatch:
    street: str
    house_number: int
    addition: str  # huisletter and huisnummertoevoeging: "A", "2", "A-2" or ""
    postcode: str  # "3141ZZ"
    city: str
    gemeente_code: str  # "GM0556"
    wijk_code: str  # "WK055601" or ""
    buurt_code: str  # "BU05560101" or ""
    bag_id: str  # the BAG nummeraanduiding
    display: str  # "Verzonnenstraat 12A, 3141ZZ Maassluis"


@dataclass(frozen=True)
class _Question:
    postcode: str
    house_number: int
    addition: str  # letters and digits only, upper case: "A2"


class PdokError(Exception):
    """The Locatieserver could not be asked, or its answer could not be read."""


def lookup_address(
    postcode: str,
    house_number: str | int,
    addition: str = "",
    *,
    fetch: Fetch | None = None,
) -> AddressMatch | None:
    """The address with exactly this postcode, house number and addition, or ``None``."""
    base = getattr(settings, "REGIE_PDOK_LOCATIESERVER_URL", "")
    if not base:
        return None
    question = _question(postcode, house_number, addition)
    if question is None:
        return None
    try:
        raw = (fetch or fetch_url)(_query_url(str(base), question))
        if len(raw) > MAX_RESPONSE_BYTES:
            raise PdokError("the answer is larger than 1 MB")
        docs = _docs(json.loads(raw))
        return _best_match(docs, question)
    except Exception as error:  # never raise: the address is a convenience, not a requirement
        logger.warning("PDOK Locatieserver lookup failed: %s", _describe(error))
        return None


def fetch_url(url: str) -> bytes:
    """GET ``url`` (http or https), at most 3 seconds and 1 MB."""
    if urlsplit(url).scheme not in {"http", "https"}:
        raise PdokError("REGIE_PDOK_LOCATIESERVER_URL must be an http(s) address")
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
        data: bytes = response.read(MAX_RESPONSE_BYTES + 1)
    if len(data) > MAX_RESPONSE_BYTES:
        raise PdokError("the answer is larger than 1 MB")
    return data


def _question(postcode: str, house_number: str | int, addition: str) -> _Question | None:
    """The asked address in the form PDOK uses; ``None`` when it cannot be an address.

    The house number may carry its addition ("12A", "12-2"); ``addition`` is added to that."""
    code = "".join(str(postcode).split()).upper()
    written = _NUMBER.fullmatch(str(house_number).strip())
    if written is None or not _POSTCODE.fullmatch(code):
        return None
    number = int(written["number"])
    extra = _normalise_addition(written["rest"] + str(addition))
    if not 1 <= number <= _MAX_HOUSE_NUMBER or not _ADDITION.fullmatch(extra):
        return None
    return _Question(code, number, extra)


def _normalise_addition(addition: str) -> str:
    return re.sub(r"[\s\-_/]", "", str(addition)).upper()


def _query_url(base: str, question: _Question) -> str:
    number = str(question.house_number)
    if question.addition:
        # "12A" for a huisletter, "12-2" for a toevoeging alone (as addresses are written).
        separator = "" if question.addition[0].isalpha() else "-"
        number += separator + question.addition
    params = [
        ("q", f"{question.postcode} {number}"),
        ("fq", "type:adres"),
        ("rows", str(ROWS)),
        ("fl", FIELDS),
    ]
    return base + ("&" if "?" in base else "?") + urlencode(params)


def _docs(answer: Any) -> list[Mapping[str, Any]]:
    """The documents of a Locatieserver answer; :class:`PdokError` when it has another shape."""
    response = answer.get("response") if isinstance(answer, dict) else None
    docs = response.get("docs") if isinstance(response, dict) else None
    if not isinstance(docs, list):
        raise PdokError("the answer has no response.docs list")
    return [doc for doc in docs if isinstance(doc, dict)]


def _best_match(docs: list[Mapping[str, Any]], question: _Question) -> AddressMatch | None:
    for doc in docs:
        match = _match(doc)
        if match is not None and _answers(match, question):
            return match
    return None


def _answers(match: AddressMatch, question: _Question) -> bool:
    return (
        match.postcode == question.postcode
        and match.house_number == question.house_number
        and _normalise_addition(match.addition) == question.addition
    )


def _match(doc: Mapping[str, Any]) -> AddressMatch | None:
    """One address document as an :class:`AddressMatch`; ``None`` for another kind of result."""
    number = doc.get("huisnummer")
    if doc.get("type") != "adres" or isinstance(number, bool):
        return None
    if not isinstance(number, int | str) or not str(number).isdigit():
        return None
    letter = _text(doc, "huisletter")
    extra = _text(doc, "huisnummertoevoeging")
    gemeente = _text(doc, "gemeentecode")
    return AddressMatch(
        street=_text(doc, "straatnaam"),
        house_number=int(number),
        addition=f"{letter}-{extra}" if letter and extra else letter or extra,
        postcode=_text(doc, "postcode").replace(" ", "").upper(),
        city=_text(doc, "woonplaatsnaam"),
        gemeente_code=f"GM{gemeente}" if _GEMEENTECODE.fullmatch(gemeente) else "",
        wijk_code=_code(doc, "wijkcode", _WIJKCODE),
        buurt_code=_code(doc, "buurtcode", _BUURTCODE),
        bag_id=_text(doc, "nummeraanduiding_id"),
        display=_text(doc, "weergavenaam"),
    )


def _text(doc: Mapping[str, Any], field: str) -> str:
    value = doc.get(field)
    return value.strip() if isinstance(value, str) else ""


def _code(doc: Mapping[str, Any], field: str, pattern: re.Pattern[str]) -> str:
    value = _text(doc, field)
    return value if pattern.fullmatch(value) else ""


def _describe(error: Exception) -> str:
    """What went wrong, without the URL (it holds the postcode and house number)."""
    if isinstance(error, PdokError):
        return str(error)
    return type(error).__name__

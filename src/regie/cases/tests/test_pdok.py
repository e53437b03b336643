"""The PDOK Locatieserver client, with recorded answers (fictitious addresses) and no network."""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from regie.cases import pdok
from regie.cases.pdok import MAX_RESPONSE_BYTES, AddressMatch, fetch_url, lookup_address

FIXTURES = Path(__file__).parent / "fixtures" / "pdok"
URL = "https://api.pdok.nl/bzk/locatieserver/search/v3_1/free"

VERZONNENSTRAAT_12A = AddressMatch(
    street="Verzonnenstraat",
    house_number=12,
    addition="A",
    postcode="3141ZZ",
    city="Maassluis",
    gemeente_code="GM0556",
    wijk_code="WK055601",
    buurt_code="BU05560101",
    bag_id="0556200000099912",
    display="Verzonnenstraat 12A, 3141ZZ Maassluis",
)


class Recorded:
    """A fetch that answers with a recorded file (or raises) and keeps the URLs it was asked."""

    def __init__(self, answer: str | bytes | Exception) -> None:
        self.answer = answer
        self.urls: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.urls.append(url)
        if isinstance(self.answer, Exception):
            raise self.answer
        if isinstance(self.answer, bytes):
            return self.answer
        return (FIXTURES / self.answer).read_bytes()

    def query(self) -> dict[str, list[str]]:
        assert len(self.urls) == 1
        return parse_qs(urlsplit(self.urls[0]).query)


@pytest.fixture(autouse=True)
def pdok_on(settings: Any) -> None:
    settings.REGIE_PDOK_LOCATIESERVER_URL = URL


def test_off_when_no_url_is_set(settings: Any) -> None:
    settings.REGIE_PDOK_LOCATIESERVER_URL = ""
    fetch = Recorded("match.json")
    assert lookup_address("3141ZZ", 12, "A", fetch=fetch) is None
    assert fetch.urls == []
    del settings.REGIE_PDOK_LOCATIESERVER_URL
    assert lookup_address("3141ZZ", 12, "A", fetch=fetch) is None
    assert fetch.urls == []


def test_match() -> None:
    fetch = Recorded("match.json")
    assert lookup_address("3141 zz", "12", "a", fetch=fetch) == VERZONNENSTRAAT_12A
    assert fetch.urls[0].startswith(URL + "?")
    query = fetch.query()
    assert query["q"] == ["3141ZZ 12A"]
    assert query["fq"] == ["type:adres"]
    assert int(query["rows"][0]) >= 1
    fields = query["fl"][0].split()
    for field in ("postcode", "huisnummer", "huisletter", "huisnummertoevoeging", "gemeentecode"):
        assert field in fields
    for field in ("wijkcode", "buurtcode", "nummeraanduiding_id", "weergavenaam", "straatnaam"):
        assert field in fields


def test_the_exact_address_among_the_candidates() -> None:
    twelve_b = lookup_address("3141ZZ", "12b", fetch=Recorded("match.json"))
    assert twelve_b is not None
    assert (twelve_b.addition, twelve_b.bag_id) == ("B", "0556200000099913")
    fetch = Recorded("match.json")
    twelve_2 = lookup_address("3141ZZ", 12, "-2", fetch=fetch)
    assert twelve_2 is not None
    assert (twelve_2.addition, twelve_2.bag_id) == ("2", "0556200000099914")
    assert fetch.query()["q"] == ["3141ZZ 12-2"]
    for written in ("12A", "12 a", "12-a"):
        assert (
            lookup_address("3141ZZ", written, fetch=Recorded("match.json")) == VERZONNENSTRAAT_12A
        )


def test_no_addition_asked_but_only_additions_found() -> None:
    assert lookup_address("3141ZZ", 12, fetch=Recorded("match.json")) is None


def test_no_match() -> None:
    assert lookup_address("3141ZZ", 99, fetch=Recorded("no_match.json")) is None


def test_a_match_with_another_house_number_or_postcode_is_no_match() -> None:
    assert lookup_address("3141ZZ", 12, fetch=Recorded("other_number.json")) is None
    assert lookup_address("3142ZZ", 14, fetch=Recorded("other_number.json")) is None
    assert lookup_address("3141ZZ", 14, fetch=Recorded("other_number.json")) is not None


def test_an_address_outside_wijken_and_buurten() -> None:
    match = lookup_address("2951 ZZ", 7, fetch=Recorded("no_wijk.json"))
    assert match is not None
    assert (match.gemeente_code, match.wijk_code, match.buurt_code) == ("GM0482", "", "")
    assert match.addition == ""


@pytest.mark.parametrize(
    ("postcode", "number", "addition"),
    [
        ("0141ZZ", 12, ""),
        ("3141Z", 12, ""),
        ("3141ZZ", 0, ""),
        ("3141ZZ", "twaalf", ""),
        ("3141ZZ", 123456, ""),
        ("3141ZZ", "9" * 5000, ""),  # more digits than int() takes
        ("3141ZZ", 12, "A&fq=*:*"),
    ],
)
def test_no_question_for_what_cannot_be_an_address(
    postcode: str, number: str | int, addition: str
) -> None:
    fetch = Recorded("match.json")
    assert lookup_address(postcode, number, addition, fetch=fetch) is None
    assert fetch.urls == []


@pytest.mark.parametrize(
    "answer",
    [
        b"{not json",
        b"",
        b"[]",
        b'{"response": {"docs": "none"}}',
        b'{"response": {"docs": [{"type": "adres", "huisnummer": "x", "postcode": "3141ZZ"}]}}',
        b'{"response": {"docs": [{"type": "adres", "huisnummer": true, "postcode": "3141ZZ"}]}}',
        b"\xff\xfe not utf-8",
    ],
)
def test_malformed_answers_give_none_and_a_warning_without_the_address(
    answer: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="regie.cases.pdok"):
        assert lookup_address("3141ZZ", 12, "A", fetch=Recorded(answer)) is None
    assert "3141" not in caplog.text
    assert "Verzonnen" not in caplog.text


@pytest.mark.parametrize(
    "error",
    [
        TimeoutError("timed out"),
        urllib.error.URLError("no route to host"),
        urllib.error.HTTPError(URL + "?q=3141ZZ+12A", 503, "Service Unavailable", {}, None),  # type: ignore[arg-type]
        ConnectionResetError(),
    ],
)
def test_network_errors_give_none_and_a_warning_without_the_address(
    error: Exception, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="regie.cases.pdok"):
        assert lookup_address("3141ZZ", 12, "A", fetch=Recorded(error)) is None
    assert "PDOK" in caplog.text
    assert "3141" not in caplog.text


def test_an_oversized_answer_is_refused() -> None:
    padded = (FIXTURES / "match.json").read_bytes() + b" " * MAX_RESPONSE_BYTES
    assert lookup_address("3141ZZ", 12, "A", fetch=Recorded(padded)) is None


def test_a_url_with_a_query_of_its_own(settings: Any) -> None:
    settings.REGIE_PDOK_LOCATIESERVER_URL = URL + "?bq=type:adres^1"
    fetch = Recorded("match.json")
    assert lookup_address("3141ZZ", 12, "A", fetch=fetch) == VERZONNENSTRAAT_12A
    assert fetch.query()["bq"] == ["type:adres^1"]


class FakeResponse:
    def __init__(self, body: bytes) -> None:
        self.body = body
        self.asked: int | None = None

    def read(self, size: int) -> bytes:
        self.asked = size
        return self.body[:size]

    def __enter__(self) -> FakeResponse:
        return self

    def __exit__(self, *args: object) -> None:
        return None


def test_fetch_url_limits_time_and_size(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, float]] = []
    body = (FIXTURES / "match.json").read_bytes()

    def urlopen(request: urllib.request.Request, timeout: float) -> FakeResponse:
        calls.append((request.full_url, timeout))
        return FakeResponse(body)

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    assert fetch_url(URL + "?q=x") == body
    assert calls == [(URL + "?q=x", pdok.TIMEOUT_SECONDS)]
    assert pdok.TIMEOUT_SECONDS == 3
    assert lookup_address("3141ZZ", 12, "A") == VERZONNENSTRAAT_12A  # the default fetch

    body = b" " * (MAX_RESPONSE_BYTES + 10)
    with pytest.raises(pdok.PdokError):
        fetch_url(URL)


def test_only_http_addresses_are_fetched(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def urlopen(*args: object, **kwargs: object) -> None:
        raise AssertionError("must not be opened")

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    settings.REGIE_PDOK_LOCATIESERVER_URL = "file:///etc/passwd"
    assert lookup_address("3141ZZ", 12, "A") is None

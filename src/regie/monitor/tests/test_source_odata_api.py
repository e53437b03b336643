"""The OData v3 API client, against recorded-style replies (no network)."""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.parse
import urllib.request
import urllib.response
from collections.abc import Callable
from email.message import Message
from pathlib import Path

import pytest

from regie.monitor.sources.base import ReadContext, Row, Status
from regie.monitor.sources.odata_api import (
    CBS,
    DATADERDEN,
    ROW_LIMIT,
    ODataClient,
    ODataError,
    base_url_for,
    urllib_fetch,
)
from regie.monitor.sources.odata_v3 import spec_for

FIXTURES = Path(__file__).parent / "fixtures" / "odata_api"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


class FakeService:
    """Serves fixture files by resource name; records every requested URL."""

    def __init__(self, routes: dict[str, Callable[[dict[str, str]], bytes] | bytes]) -> None:
        self.routes = routes
        self.urls: list[str] = []

    def __call__(self, url: str, timeout: float) -> bytes:
        self.urls.append(url)
        parts = urllib.parse.urlsplit(url)
        resource = parts.path.rsplit("/", 1)[-1]
        query = dict(urllib.parse.parse_qsl(parts.query))
        route = self.routes[resource]
        return route(query) if callable(route) else route


def paged_dataset(query: dict[str, str]) -> bytes:
    if query.get("$skiptoken") == "4000":
        return fixture("83648NED_TypedDataSet_page2.json")
    return fixture("83648NED_TypedDataSet_page1.json")


def service() -> FakeService:
    return FakeService(
        {
            "DataProperties": fixture("83648NED_DataProperties.json"),
            "Perioden": fixture("83648NED_Perioden.json"),
            "TypedDataSet": paged_dataset,
        }
    )


def test_reads_two_pages_following_next_link() -> None:
    fake = service()
    client = ODataClient(CBS, fetch=fake)
    context = ReadContext()
    items = list(client.read("83648NED", context, area_codes=["GM0482", "GM0556"]))
    assert items == [
        Row(1, "GM0482", "cbs:T001161", "2022", 530.0, Status.VOORLOPIG),
        Row(2, "GM0556", "cbs:T001161", "2022", 1245.0, Status.VOORLOPIG),
    ]
    assert context.period_status == {"2021JJ00": Status.DEFINITIEF, "2022JJ00": Status.VOORLOPIG}
    assert context.info.source == "CBS"
    assert context.info.table == "83648NED"
    data_urls = [u for u in fake.urls if "/TypedDataSet" in u]
    assert len(data_urls) == 2
    first = urllib.parse.parse_qs(urllib.parse.urlsplit(data_urls[0]).query)
    assert first["$filter"] == ["(substringof('GM0482',RegioS) or substringof('GM0556',RegioS))"]
    assert first["$select"] == ["ID,SoortMisdrijf,RegioS,Perioden,TotaalGeregistreerdeMisdrijven_1"]
    assert first["$top"] == [str(ROW_LIMIT)]
    assert "$skiptoken=4000" in data_urls[1]


def test_records_of_other_areas_are_dropped() -> None:
    fake = service()
    items = list(ODataClient(fetch=fake).read("83648NED", ReadContext(), area_codes=["GM0556"]))
    assert [i.area for i in items if isinstance(i, Row)] == ["GM0556"]


def test_other_topics_not_requested_but_noted_when_sent() -> None:
    fake = service()
    fake.routes["TypedDataSet"] = fixture("83648NED_TypedDataSet_full_topics.json")
    context = ReadContext()
    items = list(ODataClient(fetch=fake).read("83648NED", context, area_codes=["GM0556"]))
    assert [(i.area, i.value) for i in items if isinstance(i, Row)] == [("GM0556", 1245.0)]
    assert "column 'GeregistreerdeMisdrijvenPer1000Inw_3' not imported" in context.notes


def test_existing_period_status_is_kept() -> None:
    context = ReadContext(period_status={"2022JJ00": Status.DEFINITIEF})
    items = list(ODataClient(fetch=service()).read("83648NED", context, area_codes=["GM0556"]))
    assert isinstance(items[0], Row)
    assert items[0].status is Status.DEFINITIEF


def test_row_limit_paging_with_skip_when_no_next_link() -> None:
    page = json.loads(fixture("83648NED_TypedDataSet_page2.json"))

    def dataset(query: dict[str, str]) -> bytes:
        skip = int(query.get("$skip", "0"))
        top = int(query["$top"])
        records = [{**page["value"][0], "ID": i} for i in range(skip, min(skip + top, 5))]
        return json.dumps({**page, "value": records}).encode()

    fake = FakeService({"TypedDataSet": dataset})
    client = ODataClient(fetch=fake, page_size=2)
    pages = list(client.pages("83648NED"))
    assert [len(p) for p in pages] == [2, 2, 1]
    skips = [urllib.parse.parse_qs(urllib.parse.urlsplit(u).query).get("$skip") for u in fake.urls]
    assert skips == [None, ["2"], ["4"]]


def test_page_size_cannot_exceed_row_limit() -> None:
    with pytest.raises(ValueError, match="10000"):
        ODataClient(page_size=ROW_LIMIT + 1)


def test_reply_over_row_limit_is_error() -> None:
    too_many = json.dumps({"value": [{}] * (ROW_LIMIT + 1)}).encode()
    with pytest.raises(ODataError, match="more than 10000"):
        list(ODataClient(fetch=FakeService({"TypedDataSet": too_many})).pages("83648NED"))


def test_next_link_loop_is_error() -> None:
    page = json.loads(fixture("83648NED_TypedDataSet_page1.json"))
    page["odata.nextLink"] = (
        "https://opendata.cbs.nl/ODataApi/OData/83648NED/TypedDataSet?$top=10000"
    )
    fake = FakeService({"TypedDataSet": json.dumps(page).encode()})
    with pytest.raises(ODataError, match="same page link twice"):
        list(ODataClient(fetch=fake).pages("83648NED"))


def _http_error(url: str, code: int, body: bytes) -> urllib.error.HTTPError:
    return urllib.error.HTTPError(url, code, "Bad Request", Message(), io.BytesIO(body))


def test_http_error_has_clear_message() -> None:
    def failing(url: str, timeout: float) -> bytes:
        raise _http_error(url, 400, fixture("error_400.json"))

    with pytest.raises(ODataError, match=r"HTTP 400 Bad Request: The query specified in the URI"):
        list(ODataClient(fetch=failing).read("83648NED", ReadContext(), area_codes=["GM0556"]))


def test_timeout_has_clear_message() -> None:
    def slow(url: str, timeout: float) -> bytes:
        raise TimeoutError("timed out")

    with pytest.raises(ODataError, match="no answer within 5 seconds"):
        ODataClient(fetch=slow, timeout=5).period_statuses("83648NED")

    def slow_connect(url: str, timeout: float) -> bytes:
        raise urllib.error.URLError(TimeoutError("timed out"))

    with pytest.raises(ODataError, match="no answer within 60 seconds"):
        ODataClient(fetch=slow_connect).period_statuses("83648NED")


def test_network_failure_and_bad_json() -> None:
    def offline(url: str, timeout: float) -> bytes:
        raise urllib.error.URLError("Name or service not known")

    with pytest.raises(ODataError, match="cannot reach the service"):
        ODataClient(fetch=offline).data_properties("83648NED")
    with pytest.raises(ODataError, match="not JSON"):
        ODataClient(fetch=lambda url, timeout: b"<html>").data_properties("83648NED")
    with pytest.raises(ODataError, match="'value' list"):
        list(ODataClient(fetch=lambda url, timeout: b"{}").pages("83648NED"))


def test_gemeente_match_on_wijk_buurt_table() -> None:
    typed = (
        Path(__file__).parent
        / "fixtures"
        / "odata"
        / "47018NED_TypedDataSet_focus_buurten_2023.json"
    )
    props = Path(__file__).parent / "fixtures" / "odata" / "47018NED_DataProperties.json"
    perioden = Path(__file__).parent / "fixtures" / "odata" / "47018NED_Perioden.json"
    fake = FakeService(
        {
            "DataProperties": props.read_bytes(),
            "Perioden": perioden.read_bytes(),
            "TypedDataSet": typed.read_bytes(),
        }
    )
    client = ODataClient(DATADERDEN, fetch=fake)
    context = ReadContext()
    items = list(client.read("47018NED", context, area_codes=["GM0556"], match="gemeente"))
    assert len(items) == 19  # the buurten of Maassluis only
    assert all(isinstance(i, Row) and i.area.startswith("BU0556") for i in items)
    assert all(i.status is Status.DEFINITIEF for i in items if isinstance(i, Row))
    assert context.info.source == "Politie"
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(fake.urls[-1]).query)
    assert query["$filter"] == ["(substringof('0556',WijkenEnBuurten))"]
    assert fake.urls[-1].startswith(DATADERDEN + "47018NED/TypedDataSet?")


def test_bad_arguments() -> None:
    client = ODataClient(fetch=service())
    with pytest.raises(ValueError, match="area code"):
        list(client.read("83648NED", ReadContext(), area_codes=[]))
    with pytest.raises(ValueError, match="gemeente codes"):
        list(client.read("83648NED", ReadContext(), area_codes=["WK055601"], match="gemeente"))


def test_period_filter() -> None:
    fake = service()
    list(
        ODataClient(fetch=fake).read(
            "83648NED", ReadContext(), area_codes=["GM0556"], period_keys=["2022JJ00"]
        )
    )
    first = next(u for u in fake.urls if "/TypedDataSet" in u)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(first).query)
    assert query["$filter"] == ["(substringof('GM0556',RegioS)) and (Perioden eq '2022JJ00')"]


def test_base_url_for_source() -> None:
    assert base_url_for(spec_for("83648NED")) == CBS
    assert base_url_for(spec_for("47018NED")) == DATADERDEN


def test_urllib_fetch_uses_injected_opener() -> None:
    seen: list[urllib.request.Request] = []

    class Handler(urllib.request.BaseHandler):
        handler_order = 100  # before the real HTTPSHandler: never touch the network

        def https_open(self, request: urllib.request.Request) -> urllib.response.addinfourl:
            seen.append(request)
            body = fixture("83648NED_Perioden.json")
            response = urllib.response.addinfourl(
                io.BytesIO(body), Message(), request.full_url, 200
            )
            response.msg = "OK"
            return response

    opener = urllib.request.build_opener(Handler)
    client = ODataClient(opener=opener)
    assert client.period_statuses("83648NED")["2022JJ00"] is Status.VOORLOPIG
    assert seen[0].full_url == CBS + "83648NED/Perioden"
    assert seen[0].get_header("Accept") == "application/json"
    assert urllib_fetch(opener)(CBS + "x", 1.0).startswith(b"{")


@pytest.mark.django_db
def test_import_from_api_stores_the_figures_with_lineage(areas) -> None:
    from regie.areas.models import Area, AreaLevel
    from regie.monitor import selectors, services

    Area.objects.create(code="GM0482", name="Alblasserdam", level=AreaLevel.GEMEENTE, source="t")
    services.load_catalogue()
    client = ODataClient(CBS, fetch=service())
    report = services.import_from_api("83648NED", area_codes=["GM0556", "GM0482"], client=client)
    assert report.state == "done", report.errors
    fig = selectors.figure("GM0556", "cbs:T001161", "2022")
    assert fig.value == 1245
    assert fig.lineage[0].table == "83648NED"
    assert fig.status == "voorlopig"
    again = services.import_from_api("83648NED", area_codes=["GM0556", "GM0482"], client=client)
    assert again.stored == 0
    assert again.unchanged == report.stored

"""A client for the live CBS/politie OData v3 API (``ODataApi``), for ``regie fetch``-like use.

Not a file adapter (there is no ``ADAPTER`` here): it downloads a table's ``TypedDataSet`` for some
areas, page by page, and feeds the records through the same row logic as the ``odata-v3``
adapter (:class:`~regie.monitor.sources.odata_v3.RecordReader`).

- CBS tables: ``https://opendata.cbs.nl/ODataApi/OData/`` (:data:`CBS`); politie tables:
  ``https://dataderden.cbs.nl/ODataApi/OData/`` (:data:`DATADERDEN`).
- The API serves at most 10,000 records per request (:data:`ROW_LIMIT`). The client asks for pages
  of ``$top`` records and follows ``odata.nextLink`` when the service gives one; without a link,
  a full page means "ask again with ``$skip``", a shorter page means "done".
- Areas are selected with ``$filter=substringof('GM0556',RegioS)``: keys are space-padded in the
  API (``'GM0556    '``), so ``eq`` would need the exact padding. ``substringof`` may also match
  other keys that contain the text; such records are dropped after trimming, so only the
  requested codes come back. With ``match="gemeente"`` every area of the gemeente is returned
  (``GM0556``, ``WK0556…``, ``BU0556…``).
- ``/Perioden`` gives the publication status of every period (``context.period_status``) and
  ``/DataProperties`` tells which area dimension and topics the table has, so that only the
  needed columns are requested (``$select``).

All HTTP goes through one injectable callable ``fetch(url, timeout) -> bytes``; the default uses
:mod:`urllib.request` (an injectable ``opener``). Errors become :class:`ODataError` with a clear
message: HTTP status (and the service's own error text), network failure, timeout, or a reply
that is not OData JSON.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Literal, TypeVar

from regie.monitor.sources.base import (
    FormatError,
    ReadContext,
    Row,
    RowError,
    Skip,
    Status,
    TableSpec,
    gettext_noop,
)
from regie.monitor.sources.odata_v3 import (
    DataProperty,
    DimensionItem,
    RecordReader,
    describe,
    find_count_topic,
    load_json,
    parse_data_properties,
    parse_dimension,
    period_statuses,
    spec_for,
    unwrap,
)

CBS = "https://opendata.cbs.nl/ODataApi/OData/"
DATADERDEN = "https://dataderden.cbs.nl/ODataApi/OData/"
#: the most records the ODataApi returns for one request
ROW_LIMIT = 10_000
USER_AGENT = "Veiligheidsregie OData v3 client (Python urllib)"

_T = TypeVar("_T")

#: ``fetch(url, timeout_seconds) -> response body``; raises urllib/socket errors on failure
Fetch = Callable[[str, float], bytes]


class ODataError(FormatError):
    """The API could not be read: HTTP error, network failure, timeout, or not OData JSON.

    Translatable like :class:`FormatError` (an English msgid with ``%(name)s`` placeholders;
    ``str()`` is the English text); URLs in the parameters are kept whole (up to 500
    characters), not cut like file values."""

    def __init__(self, message: str, /, **params: object) -> None:
        Exception.__init__(self, message % params if params else message)
        self.message = message
        self.params = {
            name: value[:500] if isinstance(value, str) else value for name, value in params.items()
        }


class AreaSelectionError(ODataError, ValueError):
    """The areas asked for cannot be downloaded as given (also a :class:`ValueError`)."""


HTTP_FAILED = gettext_noop("%(url)s: HTTP %(code)s %(reason)s")
HTTP_FAILED_DETAIL = gettext_noop("%(url)s: HTTP %(code)s %(reason)s: %(detail)s")
NO_ANSWER = gettext_noop("%(url)s: no answer within %(seconds)s seconds")
UNREACHABLE = gettext_noop("%(url)s: cannot reach the service (%(reason)s)")
FAILED = gettext_noop("%(url)s: %(reason)s")
NOT_JSON = gettext_noop("%(url)s: the reply is not JSON")
SAME_PAGE = gettext_noop("%(url)s: the service sent the same page link twice")
TOO_MANY_RECORDS = gettext_noop("%(url)s: more than %(limit)d records in one reply")
TOO_MANY_PAGES = gettext_noop("%(table)s: more than %(pages)d pages; narrow the selection")
NO_AREAS = gettext_noop("give at least one area code")
NOT_GEMEENTEN = gettext_noop("match='gemeente' needs gemeente codes like GM0556")
NO_DIMENSION = gettext_noop(
    "%(table)s: the table has no %(dimensions)s dimension or no count topic %(topics)s"
)


def base_url_for(spec: TableSpec) -> str:
    """CBS tables live on opendata.cbs.nl, politie tables on dataderden.cbs.nl."""
    return CBS if spec.source == "cbs" else DATADERDEN


def _service_message(body: bytes) -> str:
    """The error text of an OData error reply (``{"odata.error": {"message": {"value": …}}}``)."""
    try:
        data = load_json(body)
    except FormatError:
        return body[:200].decode("utf-8", "replace").strip()
    if isinstance(data, Mapping):
        error = data.get("odata.error") or data.get("error")
        if isinstance(error, Mapping):
            message = error.get("message")
            if isinstance(message, Mapping):
                message = message.get("value")
            if isinstance(message, str):
                return message.strip()
    return ""


def urllib_fetch(opener: urllib.request.OpenerDirector | None = None) -> Fetch:
    """A :data:`Fetch` over :mod:`urllib.request` (``opener`` for proxies or tests)."""
    director = opener or urllib.request.build_opener()

    def fetch(url: str, timeout: float) -> bytes:
        request = urllib.request.Request(  # noqa: S310 - the URL is built from a fixed https base
            url, headers={"Accept": "application/json", "User-Agent": USER_AGENT}
        )
        with director.open(request, timeout=timeout) as response:
            body: bytes = response.read()
            return body

    return fetch


def _query(
    spec: TableSpec,
    keys: set[str],
    area_dimension: str,
    topic: str,
    codes: list[str],
    match: str,
    period_keys: Sequence[str],
) -> tuple[str, list[str]]:
    """The ``$filter`` (areas, periods, breakdown totals) and ``$select`` of a download."""
    needles = [c[2:] if match == "gemeente" else c for c in codes]
    area_filter = " or ".join(f"substringof('{n}',{area_dimension})" for n in needles)
    filters = [f"({area_filter})"]
    if period_keys:
        filters.append("(" + " or ".join(f"Perioden eq '{k.strip()}'" for k in period_keys) + ")")
    for dimension, totals in spec.totals:
        if dimension in keys:
            filters.append("(" + " or ".join(f"{dimension} eq '{total}'" for total in totals) + ")")
    select = [
        column
        for column in (
            "ID",
            spec.measure_dimension,
            area_dimension,
            "Perioden",
            topic,
            *(d for d, _ in spec.totals if d in keys),
        )
        if column
    ]
    return " and ".join(filters), select


class ODataClient:
    """Reads tables from the CBS/politie OData v3 API."""

    def __init__(
        self,
        base_url: str = CBS,
        *,
        fetch: Fetch | None = None,
        opener: urllib.request.OpenerDirector | None = None,
        timeout: float = 60.0,
        page_size: int = ROW_LIMIT,
        max_pages: int = 1_000,
    ) -> None:
        if not 1 <= page_size <= ROW_LIMIT:
            raise ValueError(f"page_size must be between 1 and {ROW_LIMIT}")
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.fetch = fetch or urllib_fetch(opener)
        self.timeout = timeout
        self.page_size = page_size
        self.max_pages = max_pages

    # ------------------------------------------------------------------ HTTP

    def url(self, table: str, resource: str, query: Mapping[str, str] | None = None) -> str:
        url = f"{self.base_url}{urllib.parse.quote(table)}/{urllib.parse.quote(resource)}"
        if query:
            url += "?" + urllib.parse.urlencode(query, quote_via=urllib.parse.quote, safe="$,'()")
        return url

    def get_json(self, url: str) -> object:
        """GET a URL and parse its JSON; every failure becomes :class:`ODataError`."""
        try:
            body = self.fetch(url, self.timeout)
        except urllib.error.HTTPError as exc:
            try:
                detail = _service_message(exc.read() or b"")
            except (OSError, ValueError):  # the body of a failed reply is optional
                detail = ""
            if detail:
                raise ODataError(
                    HTTP_FAILED_DETAIL, url=url, code=exc.code, reason=exc.reason, detail=detail
                ) from exc
            raise ODataError(HTTP_FAILED, url=url, code=exc.code, reason=exc.reason) from exc
        except TimeoutError as exc:
            raise ODataError(NO_ANSWER, url=url, seconds=f"{self.timeout:g}") from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise ODataError(NO_ANSWER, url=url, seconds=f"{self.timeout:g}") from exc
            raise ODataError(UNREACHABLE, url=url, reason=str(exc.reason)) from exc
        except OSError as exc:
            raise ODataError(FAILED, url=url, reason=str(exc)) from exc
        try:
            return load_json(body)
        except FormatError:
            raise ODataError(NOT_JSON, url=url) from None

    # ------------------------------------------------------------------ metadata

    def dimension(self, table: str, name: str) -> list[DimensionItem]:
        """A dimension resource (``SoortMisdrijf``, ``RegioS``, ``Perioden`` …)."""
        return self._parse(parse_dimension, self.url(table, name))

    def period_statuses(self, table: str) -> dict[str, Status]:
        return self._parse(period_statuses, self.url(table, "Perioden"))

    def data_properties(self, table: str) -> list[DataProperty]:
        return self._parse(parse_data_properties, self.url(table, "DataProperties"))

    def _parse(self, parse: Callable[[object], _T], url: str) -> _T:
        data = self.get_json(url)
        try:
            return parse(data)
        except FormatError as exc:
            raise ODataError(FAILED, url=url, reason=str(exc)) from None

    # ------------------------------------------------------------------ data

    def pages(
        self,
        table: str,
        *,
        where: str = "",
        select: Sequence[str] = (),
        resource: str = "TypedDataSet",
    ) -> Iterator[list[object]]:
        """The records of a data set, one list per page (at most ``page_size`` records each)."""
        query: dict[str, str] = {}
        if where:
            query["$filter"] = where
        if select:
            query["$select"] = ",".join(select)
        skip = 0
        url = self.url(table, resource, {**query, "$top": str(self.page_size)})
        seen: set[str] = set()
        for _ in range(self.max_pages):
            if url in seen:
                raise ODataError(SAME_PAGE, url=url)
            seen.add(url)
            data = self.get_json(url)
            try:
                records, _metadata, next_link = unwrap(data)
            except FormatError as exc:
                raise ODataError(FAILED, url=url, reason=str(exc)) from None
            if len(records) > ROW_LIMIT:
                raise ODataError(TOO_MANY_RECORDS, url=url, limit=ROW_LIMIT)
            yield records
            if next_link:
                url = urllib.parse.urljoin(url, next_link)
            elif len(records) >= self.page_size:
                skip += len(records)
                url = self.url(
                    table, resource, {**query, "$top": str(self.page_size), "$skip": str(skip)}
                )
            else:
                return
        raise ODataError(TOO_MANY_PAGES, table=table, pages=self.max_pages)

    def read(
        self,
        table: str,
        context: ReadContext,
        *,
        area_codes: Sequence[str],
        match: Literal["exact", "gemeente"] = "exact",
        period_keys: Sequence[str] = (),
    ) -> Iterator[Row | RowError | Skip]:
        """Download a table for some areas and yield its rows, as the ``odata-v3`` adapter does.

        ``area_codes``: canonical codes (``GM0556``, ``WK055601``). With ``match="gemeente"``
        each code must be a gemeente (``GM0556``) and all its wijken and buurten are included.
        ``period_keys``: CBS keys (``2022JJ00``) to limit the download to, or all periods.
        Fills ``context.period_status`` from ``/Perioden`` (keeps statuses already there).
        """
        spec = spec_for(table)
        codes = [code.strip().upper() for code in area_codes if code.strip()]
        if not codes:
            raise AreaSelectionError(NO_AREAS)
        if match == "gemeente" and not all(c.startswith("GM") and len(c) == 6 for c in codes):
            raise AreaSelectionError(NOT_GEMEENTEN)

        properties = self.data_properties(spec.table)
        keys = {p.key for p in properties}
        area_dimension = next((d for d in spec.area_dimensions if d in keys), None)
        topic = find_count_topic(spec, keys)
        if area_dimension is None or topic is None:
            raise ODataError(
                NO_DIMENSION,
                table=spec.table,
                dimensions=" or ".join(spec.area_dimensions),
                topics=" or ".join(spec.count_topics),
            )
        for key, status in self.period_statuses(spec.table).items():
            context.period_status.setdefault(key, status)
        describe(context, spec)

        filters, select = _query(spec, keys, area_dimension, topic, codes, match, period_keys)
        wanted = set(codes)
        numbers = {c[2:] for c in codes}

        def keep(item: Row | RowError | Skip) -> bool:
            if not isinstance(item, Row):
                return True
            if match == "exact":
                return item.area in wanted
            return item.area[:2] in ("GM", "WK", "BU") and item.area[2:6] in numbers

        reader = RecordReader(spec, context)
        for page in self.pages(spec.table, where=filters, select=select):
            for item in reader.read(page):
                if keep(item):
                    yield item

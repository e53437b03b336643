"""The dimension resources of a CBS/politie OData v3 table (``/SoortMisdrijf``, ``/RegioS``,
``/Perioden``) and ``/DataProperties``; :func:`period_statuses` gives the publication status per
period for :attr:`~regie.monitor.sources.base.ReadContext.period_status`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from regie.monitor.sources.base import (
    STATUS_BY_CBS_TEXT,
    FormatError,
    Status,
    canonical_key,
    gettext_noop,
)
from regie.monitor.sources.odata_common import load_json


@dataclass(frozen=True, slots=True)
class DimensionItem:
    """One entry of a dimension resource (``/SoortMisdrijf``, ``/RegioS``, ``/Perioden`` …)."""

    key: str  # trimmed: "1.1.1", "GM0556", "2022JJ00"
    title: str
    description: str = ""
    #: only for ``/Perioden``: Definitief / Voorlopig / Nader voorlopig
    status: Status | None = None
    category_group: int | None = None


@dataclass(frozen=True, slots=True)
class DataProperty:
    """One entry of ``/DataProperties``: a dimension or a topic column of the table."""

    key: str  # "SoortMisdrijf", "GeregistreerdeMisdrijven_1"; "" for topic groups
    type: str  # "Dimension", "GeoDimension", "GeoDetail", "TimeDimension", "Topic", "TopicGroup"
    title: str
    description: str = ""
    unit: str = ""
    datatype: str = ""
    decimals: int | None = None

    @property
    def is_topic(self) -> bool:
        return self.type == "Topic"

    @property
    def is_area_dimension(self) -> bool:
        return self.type in ("GeoDimension", "GeoDetail")


def _records(data: object, what: str) -> list[object]:
    if isinstance(data, bytes | str):
        data = load_json(data)
    if isinstance(data, Mapping):
        data = data.get("value")
    if not isinstance(data, list):
        raise FormatError(
            gettext_noop("%(what)s: expected a JSON object with a 'value' list"), what=what
        )
    return data


def _text(record: Mapping[str, object], name: str) -> str:
    raw = record.get(name)
    return raw.strip() if isinstance(raw, str) else ""


def _int_or_none(raw: object) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.strip().isdigit():
        return int(raw.strip())
    return None


def parse_status(text: str) -> Status:
    """``"Definitief"``/``"Voorlopig"``/``"Nader voorlopig"`` → :class:`Status` (else ONBEKEND)."""
    return STATUS_BY_CBS_TEXT.get(" ".join(text.split()).lower(), Status.ONBEKEND)


def parse_dimension(data: object) -> list[DimensionItem]:
    """Parse a dimension resource: ``{"value": [{"Key": "1.1.1 ", "Title": …}, …]}``.

    ``data`` is parsed JSON, or JSON bytes/text. Keys are trimmed. Entries without a key are
    skipped. Raises :class:`FormatError` when the layout is not a dimension resource.
    """
    items = []
    for record in _records(data, "dimension resource"):
        if not isinstance(record, Mapping):
            continue
        key = _text(record, "Key")
        if not key:
            continue
        status_text = _text(record, "Status")
        items.append(
            DimensionItem(
                key=canonical_key(key),
                title=_text(record, "Title"),
                description=_text(record, "Description"),
                status=parse_status(status_text) if status_text else None,
                category_group=_int_or_none(record.get("CategoryGroupID")),
            )
        )
    return items


def period_statuses(data: object) -> dict[str, Status]:
    """A ``/Perioden`` resource → ``{"2022JJ00": Status.VOORLOPIG, …}`` for ``period_status``."""
    return {item.key: item.status for item in parse_dimension(data) if item.status is not None}


def parse_data_properties(data: object) -> list[DataProperty]:
    """Parse ``/DataProperties``: the dimensions and topics of a table, in table order."""
    properties = []
    for record in _records(data, "DataProperties"):
        if not isinstance(record, Mapping):
            continue
        kind = _text(record, "Type")
        if not kind:
            continue
        properties.append(
            DataProperty(
                key=_text(record, "Key"),
                type=kind,
                title=_text(record, "Title"),
                description=_text(record, "Description"),
                unit=_text(record, "Unit"),
                datatype=_text(record, "Datatype"),
                decimals=_int_or_none(record.get("Decimals")),
            )
        )
    return properties

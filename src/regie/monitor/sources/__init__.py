"""One adapter per file format; :func:`get` and :func:`detect` pick one.

Each module defines ``ADAPTER`` (see :class:`regie.monitor.sources.base.Adapter`).
"""

from __future__ import annotations

import importlib

from regie.monitor.sources.base import Adapter, FormatError, gettext_noop

#: format name → module (imported on first use)
MODULES: dict[str, str] = {
    "odata-v3": "regie.monitor.sources.odata_v3",
    "odata-v4": "regie.monitor.sources.odata_v4",
    "odata-csv": "regie.monitor.sources.odata_csv",
    "statline-csv": "regie.monitor.sources.statline_csv",
    "local": "regie.monitor.sources.local",
    "incidents": "regie.monitor.sources.incidents",
}


def get(name: str) -> Adapter:
    try:
        module = MODULES[name]
    except KeyError:
        raise FormatError(
            gettext_noop("unknown format %(name)r; known formats: %(formats)s"),
            name=name,
            formats=", ".join(sorted(MODULES)),
        ) from None
    adapter: Adapter = importlib.import_module(module).ADAPTER
    return adapter


def all_adapters() -> list[Adapter]:
    return [get(name) for name in MODULES]


def detect(head: bytes, filename: str) -> Adapter:
    """The adapter whose ``sniff`` recognises the file; raises :class:`FormatError` otherwise."""
    for adapter in all_adapters():
        if adapter.sniff(head, filename):
            return adapter
    raise FormatError(gettext_noop("the file format was not recognised; name it with --format"))

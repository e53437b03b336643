"""Reading a file (or the live OData API) and handing its rows to :func:`import_rows`.

:func:`import_file` detects the format, tries the columnar path (:mod:`regie.monitor.bulk`) of
adapters that can read whole columns, and otherwise reads row by row; it finds or makes the
dataset the file is for.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

from regie.core.models import Organisation
from regie.monitor import bulk, sources
from regie.monitor.models import ImportBatch
from regie.monitor.services.datasets import get_or_create_dataset, local_dataset_table
from regie.monitor.services.imports import import_rows
from regie.monitor.services.lookup import CatalogueLookup, load_postcodes
from regie.monitor.services.reports import ImportReport
from regie.monitor.sources.base import FormatError, Row, RowError, Skip, Status


@contextlib.contextmanager
def _open(source: str | Path | bytes) -> Iterator[tuple[IO[bytes], str, bytes]]:
    if isinstance(source, bytes):
        yield io.BytesIO(source), "upload", source[: 64 * 1024]
        return
    path = Path(source)
    with path.open("rb") as fh:
        head = fh.read(64 * 1024)
        fh.seek(0)
        yield fh, path.name, head


def import_file(
    source: str | Path | bytes,
    *,
    fmt: str = "",
    table: str = "",
    organisation: Organisation | None = None,
    user: Any | None = None,
    dry_run: bool = False,
    filename: str = "",
    progress: Callable[[int], None] | None = None,
    batch: ImportBatch | None = None,
    period_status: dict[str, Status] | None = None,
    provenance: str = "",
) -> ImportReport:
    """Import a file (path or bytes) in format ``fmt`` (detected when empty).

    ``period_status`` gives the status per CBS period key when the file itself does not say (the
    ``Perioden`` resource of the table); ``provenance`` is kept on the dataset.
    """
    with _open(source) as (stream, name, head):
        name = filename or name
        adapter = sources.get(fmt) if fmt else sources.detect(head, name)
        lookup = CatalogueLookup(organisation)
        load_postcodes(lookup)
        items: Iterable[Row | RowError | Skip] | bulk.Prepared = []
        context = lookup.context(table=table)
        context.period_status = dict(period_status or {})
        # Adapters that can read whole columns try the bulk path first; anything unusual in
        # the file (see bulk.prepare) sends it to the row reader, which names every error.
        read_columns = getattr(adapter, "read_columns", None)
        columns = read_columns(stream, context) if read_columns is not None else None
        prepared = bulk.prepare(columns, lookup) if columns is not None else None
        if prepared is not None:
            items = prepared
        else:
            if read_columns is not None:
                stream.seek(0)
                context = lookup.context(table=table)
                context.period_status = dict(period_status or {})
            rows = adapter.read(stream, context)
            # The adapter fills context.info while reading: take the first row before deciding
            # on the dataset, and put it back in front of the rest.
            iterator = iter(rows)
            try:
                head_item = next(iterator)
                items = _chain(head_item, iterator)
            except StopIteration:
                items = []
        info = context.info
        lookup.columns = dict(getattr(context, "columns", None) or {})
        table_id = (
            info.table or table or (local_dataset_table(organisation) if organisation else "")
        )
        if not table_id:
            raise FormatError(_("The file does not say which table it holds; give --table."))
        dataset = get_or_create_dataset(
            table=table_id,
            source=info.source or (str(organisation) if organisation else "onbekend"),
            title=info.title or table_id,
            organisation=organisation,
            provenance=provenance,
        )
        return import_rows(
            items,
            dataset=dataset,
            lookup=lookup,
            fmt=adapter.name,
            filename=name,
            sha256=file_sha256(source),
            user=user,
            dry_run=dry_run,
            notes=context.notes,
            progress=progress,
            batch=batch,
        )


def _chain(
    first: Row | RowError | Skip, rest: Iterator[Row | RowError | Skip]
) -> Iterator[Row | RowError | Skip]:
    yield first
    yield from rest


def file_sha256(source: str | Path | bytes) -> str:
    """The SHA-256 of a file (path) or of bytes: how imports recognise a file seen before."""
    if isinstance(source, bytes):
        return hashlib.sha256(source).hexdigest()
    digest = hashlib.sha256()
    with Path(source).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def import_from_api(
    table: str,
    *,
    area_codes: list[str],
    whole_gemeente: bool = False,
    user: Any | None = None,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    client: Any | None = None,
) -> ImportReport:
    """Download ``table`` for some areas from the live CBS/politie OData API and import it.

    Open data only (no owner). ``client`` is an :class:`~regie.monitor.sources.odata_api
    .ODataClient` (tests pass one that replays recorded responses).
    """
    from regie.monitor.sources import odata_api
    from regie.monitor.sources.odata_v3 import spec_for

    spec = spec_for(table)
    if client is None:
        client = odata_api.ODataClient(odata_api.base_url_for(spec))
    lookup = CatalogueLookup(None)
    context = lookup.context(table=spec.table)
    rows = client.read(
        spec.table,
        context,
        area_codes=area_codes,
        match="gemeente" if whole_gemeente else "exact",
    )
    iterator = iter(rows)
    first = next(iterator, None)  # the first page fills context.info
    lookup.columns = dict(getattr(context, "columns", None) or {})
    dataset = get_or_create_dataset(
        table=spec.table,
        source=context.info.source or "CBS",
        title=context.info.title or spec.title,
        organisation=None,
        provenance=f"{client.base_url}{spec.table} ({', '.join(area_codes)})",
    )
    return import_rows(
        _chain(first, iterator) if first is not None else [],
        dataset=dataset,
        lookup=lookup,
        fmt="odata-api",
        filename=f"{client.base_url}{spec.table}",
        user=user,
        dry_run=dry_run,
        notes=context.notes,
        progress=progress,
    )


def load_demo_figures(gemeenten: list[Organisation], *, samples: bool = False) -> list[Any]:
    """The shipped open data and the seed figures of the demo gemeenten (idempotent):
    :func:`regie.monitor.demo_data.load`."""
    from regie.monitor import demo_data

    return list(demo_data.load(gemeenten, samples=samples))

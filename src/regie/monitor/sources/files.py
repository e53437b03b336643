"""Reading a file's bytes and text: shared by the text formats (``local``, ``statline-csv``,
``incidents``).

Gzip detection (a gzip file is unpacked as it is read, never past a byte limit), encoding
detection (UTF-8 with or without BOM, UTF-16 with a BOM, else cp1252), delimiter sniffing and CSV
records with their physical line numbers.
"""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from collections.abc import Iterator
from typing import IO, Protocol

from regie.monitor.sources.base import FormatError, clean_label, gettext_noop

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
#: The most a text adapter reads of a file (after unpacking a gzip file), unless
#: ``ReadContext.max_bytes`` says otherwise: national files read from the command line.
MAX_DECOMPRESSED_BYTES = 512 * 1024 * 1024
_PEEK_BYTES = 64 * 1024
_BLOCK = 1024 * 1024
TOO_LARGE = gettext_noop("the file is too large to import; split it into smaller files")
UNPACKED_TOO_LARGE = gettext_noop(
    "the file is too large to import once unpacked; split it into smaller files"
)
GZIP_DAMAGED = gettext_noop("the gzip file is damaged")
NOT_TEXT = gettext_noop(
    "the file is not text (neither UTF-8 nor Windows-1252); save it again as CSV (UTF-8)"
)
NOT_TEXT_NUL = gettext_noop("the file is not text (it contains NUL bytes); save it again as CSV")
CSV_UNREADABLE = gettext_noop(
    "the CSV file cannot be read near line %(line)d; check the quotes there or save it again as CSV"
)


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class _Prefixed:
    """A binary stream with ``head`` (already read) put back in front."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = head
        self._rest = rest

    def read(self, size: int = -1, /) -> bytes:
        if not self._head:
            return self._rest.read(size)
        if size is None or size < 0:
            data, self._head = self._head + self._rest.read(), b""
            return data
        data, self._head = self._head[:size], self._head[size:]
        if len(data) < size:
            data += self._rest.read(size - len(data))
        return data

    def seek(self, offset: int, /) -> int:
        raise io.UnsupportedOperation("the stream is read once, from the start")


def _read_capped(stream: _Readable, max_bytes: int, message: str) -> bytes:
    """At most ``max_bytes`` of ``stream``, read block by block; more is a FormatError."""
    out = io.BytesIO()
    size = 0
    while True:
        block = stream.read(min(_BLOCK, max_bytes + 1 - size))
        if not block:
            return out.getvalue()
        size += len(block)
        if size > max_bytes:
            raise FormatError(message)
        out.write(block)


def read_all(stream: IO[bytes], max_bytes: int = MAX_DECOMPRESSED_BYTES) -> bytes:
    """The whole file, gunzipped when it starts with the gzip magic bytes.

    Never holds more than ``max_bytes`` (plus one block): compressed input is unpacked as it
    is read, so a small gzip file that unpacks to gigabytes is refused after ``max_bytes``.
    """
    head = stream.read(len(GZIP_MAGIC))
    if not isinstance(head, bytes):  # a text stream passed by mistake
        raise FormatError(gettext_noop("the file must be opened in binary mode"))
    source = _Prefixed(head, stream)
    if head != GZIP_MAGIC:
        return _read_capped(source, max_bytes, TOO_LARGE)
    try:
        with gzip.GzipFile(fileobj=source, mode="rb") as archive:
            return _read_capped(archive, max_bytes, UNPACKED_TOO_LARGE)
    except (OSError, EOFError, zlib.error):
        raise FormatError(GZIP_DAMAGED) from None


def peek_text(head: bytes) -> str:
    """The first bytes of a (possibly gzipped) file as text, leniently, for ``sniff``."""
    if head.startswith(GZIP_MAGIC):
        try:
            head = zlib.decompressobj(wbits=31).decompress(head, _PEEK_BYTES)
        except zlib.error:
            return ""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        even = head[: len(head) - len(head) % 2]
        return even.decode("utf-16", errors="replace")
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:  # a character cut off at the end of the head
            return head[: exc.start].decode("utf-8", errors="replace")
        return head.decode("cp1252", errors="replace")


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM (Excel's "Unicode text"), else cp1252;
    raises :class:`FormatError` for binary data."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise FormatError(NOT_TEXT) from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise FormatError(NOT_TEXT) from None
    if "\x00" in text:
        raise FormatError(NOT_TEXT_NUL)
    return text


def sniff_delimiter(text: str, candidates: str = ";,\t", *, lines: int = 10) -> str:
    """The delimiter that occurs most often outside quotes in the first ``lines`` non-empty
    lines."""
    counts = dict.fromkeys(candidates, 0)
    filled = [line for line in text.splitlines()[: 2 * lines] if line.strip()]
    for line in filled[:lines]:
        inside = False
        for char in line:
            if char == '"':
                inside = not inside
            elif not inside and char in counts:
                counts[char] += 1
    best = max(candidates, key=lambda c: counts[c])
    return best if counts[best] else candidates[0]


def csv_records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """``(physical line number where the record starts, cells)``; raises FormatError on bad CSV."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')
    previous = 0
    try:
        for cells in reader:
            start = previous + 1
            previous = reader.line_num
            yield start, cells
    except csv.Error:
        raise FormatError(CSV_UNREADABLE, line=previous + 1) from None


def normalise_header(text: str) -> str:
    return clean_label(text).lower()

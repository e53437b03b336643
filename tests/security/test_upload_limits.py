"""Uploads cannot exhaust memory, disk, time or the database, nor smuggle in foreign figures.

Issue 13. Each test is an attack that worked before the fix; the bomb files are built here, in
memory, so the repository holds no large fixtures:

1. one long XLSX shared string referenced by many bad rows was copied into every row error
   (an 8.9 KB file gave a 210 MB page and a 422 MB database);
2. a small gzip file unpacked wholly into memory (up to 512 MB);
3. an XLSX zip bomb, or a sheet that declares absurd dimensions, kept openpyxl busy for minutes;
4. Django took in the whole request, and the form looked at the file's size only afterwards;
5. a gemeente could upload figures for another gemeente's areas and for national measures as
   its "own" local figures;
6. the cap on errors kept per report (``MAX_ERRORS``) was not applied to the rows the writer
   rejects when it merges the points (a file whose second half repeats its first half, beyond
   one flush, listed every row);
7. why a file could not be read reached the Dutch page in English (format errors were formatted
   text, not translatable messages), and an unexpected error put its own text (internals, file
   values) in the notes users see.
"""

from __future__ import annotations

import ast
import datetime as dt
import functools
import io
import json
import logging
import random
import string
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, trans_real

from regie.accounts.models import Role, User
from regie.areas.models import Area, AreaLevel
from regie.core import uploads
from regie.core.models import Organisation
from regie.monitor import services, tasks
from regie.monitor.forms import LocalFiguresUploadForm
from regie.monitor.models import BatchState, ImportBatch, Observation
from regie.monitor.sources import local
from regie.monitor.sources.base import MAX_VALUE_CHARS, FormatError, ReadContext, RowError

Login = Callable[[User], Client]
Member = Callable[[Organisation, str], User]

MB = 1024 * 1024
#: how the pages write the limits (Dutch decimal comma, a non-breaking space before MB)
TEN_MB, TWENTY_MB = "10,0\xa0MB", "20,0\xa0MB"


@pytest.fixture
def adviseur(
    settings: Any, tmp_path: Path, areas: Any, maassluis: Organisation, member: Member, login: Login
) -> Client:
    settings.REGIE_TASKS_EAGER = True  # the check runs inside the request: its outcome is visible
    settings.VAR_DIR = tmp_path
    services.load_catalogue()
    return login(member(maassluis, Role.ADVISEUR))


def upload_url(org: Organisation) -> str:
    return reverse("monitor:upload", kwargs={"org": org.slug})


def post_file(client: Client, org: Organisation, name: str, data: bytes) -> Any:
    upload = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    return client.post(upload_url(org), {"file": upload}, follow=True)


def latest_batch() -> ImportBatch:
    return ImportBatch.objects.latest("pk")


def assert_refused(response: Any, message: str) -> None:
    """The upload was refused as a whole with ``message``: on the page (a form error) or in the
    notes of its check, whichever the upload flow uses; nothing was stored."""
    shown = response.content.decode() + json.dumps(
        [batch.notes for batch in ImportBatch.objects.all()], ensure_ascii=False
    )
    assert translated(message) in shown
    assert not ImportBatch.objects.filter(state__in=[BatchState.DONE, BatchState.DRY_RUN]).exists()
    assert Observation.objects.count() == 0


def translated(message: str) -> str:
    """The user's text for an adapter message (Dutch once the catalogue has it)."""
    return gettext(message)


# --- Building XLSX files by hand (openpyxl writes no shared strings) -----------------------------

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
PKG = "http://schemas.openxmlformats.org/package/2006"
DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml"
HEADER = ("gebied", "maatstaf", "periode", "waarde")


def zip_parts(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def workbook_parts(sheet_data: bytes, strings: list[str], dimension: str = "") -> dict[str, bytes]:
    """The parts of a minimal workbook: one sheet with ``sheet_data`` and a shared-string table."""
    types = (
        f'<Types xmlns="{PKG}/content-types">'
        f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package'
        '.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{SHEET}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SHEET}.worksheet+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHEET}.sharedStrings+xml"/>'
        "</Types>"
    )
    shared = "".join(f"<si><t>{escape(text)}</t></si>" for text in strings)
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return {
        "[Content_Types].xml": types.encode(),
        "_rels/.rels": (
            f'<Relationships xmlns="{PKG}/relationships"><Relationship Id="rId1" '
            f'Type="{DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ).encode(),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{DOC}"><sheets>'
            '<sheet name="Blad1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ).encode(),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{PKG}/relationships">'
            f'<Relationship Id="rId1" Type="{DOC}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{DOC}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"
        ).encode(),
        "xl/sharedStrings.xml": f'<sst xmlns="{MAIN}">{shared}</sst>'.encode(),
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{MAIN}">{dim}<sheetData>'.encode()
        + sheet_data
        + b"</sheetData></worksheet>",
    }


def row(number: int, *cells: int | str) -> bytes:
    """A sheet row; an ``int`` is a number, ``"s3"`` refers to shared string 3."""
    xml = []
    for column, value in zip("ABCDEFGH", cells, strict=False):
        ref = f"{column}{number}"
        if isinstance(value, int):
            xml.append(f'<c r="{ref}"><v>{value}</v></c>')
        else:
            xml.append(f'<c r="{ref}" t="s"><v>{value[1:]}</v></c>')
    return f'<row r="{number}">{"".join(xml)}</row>'.encode()


def shared_string_workbook(long_text: str, rows: int = 300) -> bytes:
    """Header, then ``rows`` rows whose area and measure are the one shared string ``long_text``."""
    strings = [*HEADER, long_text, "2022"]
    data = row(1, "s0", "s1", "s2", "s3") + b"".join(
        row(n, "s4", "s4", "s5", 1) for n in range(2, rows + 2)
    )
    return zip_parts(workbook_parts(data, strings))


@functools.cache
def gzip_bomb(unpacked: int) -> bytes:
    """``unpacked`` bytes of "x", gzipped (about 1 KB per MB)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"x" * MB
    return b"".join([*(packer.compress(block) for _ in range(unpacked // MB)), packer.flush()])


def packed_part(size: int, unit: bytes) -> bytes:
    """``unit`` repeated to ``size`` bytes (compresses about 1000:1)."""
    return unit * (size // len(unit))


@pytest.fixture
def openpyxl_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records whether openpyxl was asked to open a workbook (it refuses to, to stay fast)."""
    import openpyxl

    calls: list[str] = []

    def refuse(*args: Any, **kwargs: Any) -> None:
        calls.append("load_workbook")
        raise RuntimeError("openpyxl was asked to open a workbook that should have been refused")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)
    return calls


def read(data: bytes, context: ReadContext | None = None) -> list[Any]:
    return list(local.ADAPTER.read(io.BytesIO(data), context or ReadContext()))


# --- 1. One shared string copied into every error ------------------------------------------------


def test_a_long_shared_string_is_not_copied_into_every_error(
    adviseur: Client, maassluis: Organisation
) -> None:
    # Random letters: the file stays small (< 1 MB) but is not "packed too tightly", so the
    # rows are read and every one of them is an error naming the long cell.
    long_text = "".join(random.Random(13).choices(string.ascii_letters, k=MB))  # noqa: S311
    data = shared_string_workbook(long_text)
    assert len(data) < 1 * MB

    response = post_file(adviseur, maassluis, "cijfers.xlsx", data)

    assert response.status_code == 200
    assert len(response.content) < 500_000
    batch = latest_batch()
    assert batch.state == BatchState.REJECTED
    assert 0 < len(batch.errors) <= services.MAX_ERRORS
    assert all(len(error["value"]) <= MAX_VALUE_CHARS for error in batch.errors)
    assert all(len(error["message"]) <= 300 for error in batch.errors)
    assert len(json.dumps(batch.errors)) < 200_000
    assert translated(local.CELL_TOO_LONG) in {error["message"] for error in batch.errors}
    assert Observation.objects.count() == 0


def test_the_reviewed_shared_string_file_is_refused_outright(
    adviseur: Client, maassluis: Organisation
) -> None:
    data = shared_string_workbook("x" * MB)  # the review's file: 1 MB of "x", a few KB packed
    assert len(data) < 20_000

    response = post_file(adviseur, maassluis, "cijfers.xlsx", data)

    assert len(response.content) < 500_000
    assert_refused(response, local.XLSX_PACKED_TOO_TIGHTLY)
    for batch in ImportBatch.objects.all():
        assert len(json.dumps([batch.errors, batch.notes])) < 20_000


def test_every_reader_cuts_file_values_in_errors_and_notes() -> None:
    long_text = "y" * 50_000
    error = RowError(3, long_text, long_text, long_text)
    assert len(error.value) == MAX_VALUE_CHARS
    assert error.value.endswith("…")
    assert len(error.column) <= MAX_VALUE_CHARS
    assert len(error.message) <= 300
    context = ReadContext()
    for _ in range(10_000):
        context.notes.append(long_text)
    assert len(context.notes) <= 201
    assert sum(len(note) for note in context.notes) < 200_000


# --- 2. A small gzip file unpacked wholly into memory --------------------------------------------


def peak_while(action: Callable[[], object]) -> tuple[int, BaseException | None]:
    tracemalloc.start()
    problem: BaseException | None = None
    try:
        action()
    except Exception as exc:
        problem = exc
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak, problem


def test_a_gzip_bomb_is_refused_without_unpacking_it(
    adviseur: Client, maassluis: Organisation
) -> None:
    bomb = gzip_bomb(400 * MB)
    assert len(bomb) < 500_000

    responses: list[Any] = []
    peak, _ = peak_while(
        lambda: responses.append(post_file(adviseur, maassluis, "cijfers.csv", bomb))
    )

    assert peak < local.LOCAL_MAX_BYTES + 60 * MB  # the cap (50 MB) and some; never 400 MB
    assert_refused(responses[0], local.UNPACKED_TOO_LARGE)


def test_the_unpacking_limit_comes_from_the_read_context() -> None:
    bomb = gzip_bomb(64 * MB)
    peak, problem = peak_while(lambda: read(bomb, ReadContext(max_bytes=4 * MB)))
    assert isinstance(problem, FormatError)
    assert str(problem) == local.UNPACKED_TOO_LARGE
    assert peak < 12 * MB


# --- 3. XLSX zip bombs and absurd sheets ---------------------------------------------------------


def test_an_xlsx_zip_bomb_is_refused_before_openpyxl_opens_it(
    adviseur: Client, maassluis: Organisation, openpyxl_calls: list[str]
) -> None:
    parts = workbook_parts(row(1, "s0", "s1", "s2", "s3"), list(HEADER))
    # 60 MB of rows, declared honestly in the zip directory; about 60 KB packed.
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        b"</sheetData>", packed_part(60 * MB, b"<row><c><v>1</v></c></row>") + b"</sheetData>"
    )
    data = zip_parts(parts)
    assert len(data) < 1 * MB

    response = post_file(adviseur, maassluis, "cijfers.xlsx", data)

    assert openpyxl_calls == []
    assert_refused(response, local.XLSX_TOO_LARGE)


def test_a_tightly_packed_part_and_too_many_parts_are_refused(openpyxl_calls: list[str]) -> None:
    parts = workbook_parts(row(1, "s0", "s1", "s2", "s3"), list(HEADER))
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        b"</sheetData>", packed_part(5 * MB, b"<row><c><v>1</v></c></row>") + b"</sheetData>"
    )
    with pytest.raises(FormatError) as packed:
        read(zip_parts(parts))
    assert str(packed.value) == local.XLSX_PACKED_TOO_TIGHTLY

    many = workbook_parts(row(1, "s0", "s1", "s2", "s3"), list(HEADER))
    many.update({f"xl/media/image{n}.png": b"." for n in range(300)})
    with pytest.raises(FormatError) as parts_error:
        read(zip_parts(many))
    assert str(parts_error.value) == local.XLSX_TOO_MANY_PARTS
    assert openpyxl_calls == []


@pytest.fixture
def row_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail fast (instead of running for hours) when rows are read past the template's bounds."""
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    original = ReadOnlyWorksheet._cells_by_row

    def guarded(self: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
        for number, cells in enumerate(original(self, *args, **kwargs), start=1):
            if number > local.MAX_ROWS + 1 or len(cells) > local.MAX_COLUMNS:
                raise AssertionError("read past the template's bounds")
            yield cells

    monkeypatch.setattr(ReadOnlyWorksheet, "_cells_by_row", guarded)


@pytest.mark.usefixtures("row_guard")
def test_a_sheet_declaring_absurd_dimensions_is_refused() -> None:
    strings = [*HEADER, "GM0556", "huisverboden", "2022"]
    sheet = row(1, "s0", "s1", "s2", "s3") + row(2, "s4", "s5", "s6", 3)
    # A1:XFD1048576: every row would be padded to 16,384 cells, a million times.
    data = zip_parts(workbook_parts(sheet, strings, dimension="A1:XFD1048576"))
    with pytest.raises(FormatError) as refused:
        read(data)
    assert str(refused.value) == local.TOO_MANY_ROWS


@pytest.mark.usefixtures("row_guard")
def test_a_row_far_below_the_data_stops_the_read_at_the_row_limit() -> None:
    strings = [*HEADER, "GM0556", "huisverboden", "2022"]
    sheet = row(1, "s0", "s1", "s2", "s3") + row(1_048_576, "s4", "s5", "s6", 3)
    with pytest.raises(FormatError) as refused:
        read(zip_parts(workbook_parts(sheet, strings)))
    assert str(refused.value) == local.TOO_MANY_ROWS


def test_a_csv_with_too_many_rows_is_refused() -> None:
    data = b"gebied;maatstaf;periode;waarde\n" + b"GM0556;x;2022;1\n" * (local.MAX_ROWS + 5)
    with pytest.raises(FormatError) as refused:
        read(data)
    assert str(refused.value) == local.TOO_MANY_ROWS


def test_a_lying_zip_header_never_makes_us_unpack_more_than_it_declares() -> None:
    """zipfile reads a part up to its declared size and then fails its CRC check: the sizes
    check_xlsx adds up bound what openpyxl can unpack, even when the directory lies."""
    strings = [*HEADER]
    parts = workbook_parts(row(1, "s0", "s1", "s2", "s3"), strings)
    truth = 20 * MB
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        b"</sheetData>", b" " * truth + b"</sheetData>"
    )
    data = bytearray(zip_parts(parts))
    declared = 1000
    name = b"xl/worksheets/sheet1.xml"
    # Overwrite the uncompressed size in the local header (offset 22) and the central
    # directory entry (offset 24) of the sheet.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at : name_at + len(name)] == name:
                data[start + offset : start + offset + 4] = declared.to_bytes(4, "little")
            start += 4
    lying = bytes(data)

    with zipfile.ZipFile(io.BytesIO(lying)) as archive:
        assert archive.getinfo(name.decode()).file_size == declared
        local.check_xlsx(lying, local.LOCAL_MAX_BYTES)  # the directory looks harmless
        received: list[int] = []

        def read_part() -> None:
            with archive.open(name.decode()) as part:
                while block := part.read(64 * 1024):
                    received.append(len(block))

        with pytest.raises(zipfile.BadZipFile, match="CRC"):
            read_part()
        assert sum(received) <= declared

    peak, problem = peak_while(lambda: read(lying))
    assert isinstance(problem, FormatError)
    assert peak < truth // 2


# --- 4. The request and the file are bounded while they arrive -----------------------------------


def test_an_oversized_request_gets_413_before_the_view_runs(
    adviseur: Client, maassluis: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    def view_ran(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the upload view ran")

    monkeypatch.setattr(LocalFiguresUploadForm, "__init__", view_ran)
    upload = SimpleUploadedFile("cijfers.csv", b"gebied;maatstaf;periode;waarde\n")
    # The body is small; the declared length is what the server would have to take in.
    response = adviseur.post(upload_url(maassluis), {"file": upload}, CONTENT_LENGTH=str(21 * MB))
    assert response.status_code == 413
    page = response.content.decode()
    assert '<html lang="nl"' in page
    assert translated("The request is too large") in page
    assert TWENTY_MB in page
    assert ImportBatch.objects.count() == 0

    api = adviseur.post(
        "/api/v1/areas/", data=b"{}", content_type="application/json", CONTENT_LENGTH=str(21 * MB)
    )
    assert api.status_code == 413
    assert TWENTY_MB in api.json()["detail"]


def test_the_request_limit_is_configurable_and_applies_to_real_bodies(
    adviseur: Client, maassluis: Organisation, settings: Any
) -> None:
    settings.REGIE_MAX_REQUEST_BYTES = 1 * MB
    response = post_file(adviseur, maassluis, "cijfers.csv", b"x" * (2 * MB))
    assert response.status_code == 413
    assert ImportBatch.objects.count() == 0


def test_a_body_without_length_is_cut_off_at_the_limit(settings: Any) -> None:
    """An ASGI server hands over a chunked body without Content-Length; reading it stops."""
    settings.REGIE_MAX_REQUEST_BYTES = 64 * 1024
    request = RequestFactory().post(
        "/x/", data=b"a=" + b"b" * (256 * 1024), content_type="application/x-www-form-urlencoded"
    )
    del request.META["CONTENT_LENGTH"]
    request._stream = io.BytesIO(b"a=" + b"b" * (256 * 1024))
    seen: list[int] = []

    def view(req: Any) -> Any:
        seen.append(len(req.body))
        return None

    response = uploads.RequestSizeMiddleware(view)(request)
    assert response.status_code == 413
    assert seen == []


def test_an_oversized_file_is_stopped_while_it_arrives(
    adviseur: Client, maassluis: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[int] = []
    original = TemporaryFileUploadHandler.receive_data_chunk

    def counting(self: TemporaryFileUploadHandler, raw_data: bytes, start: int) -> Any:
        written.append(len(raw_data))
        return original(self, raw_data, start)

    monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk", counting)
    size = 12 * MB  # above the form's 10 MB, below the request limit of 20 MB
    data = b"gebied;maatstaf;periode;waarde\n" + b"GM0556;x;2022;1\n" * (size // 16)

    response = post_file(adviseur, maassluis, "cijfers.csv", data)

    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error("file", "size")
    assert TEN_MB in form.errors["file"][0]
    assert TEN_MB in response.content.decode()
    assert sum(written) <= 10 * MB  # the rest of the file was never written to disk
    assert ImportBatch.objects.count() == 0


# --- 5. Only the gemeente's own areas and measures ------------------------------------------------


def test_local_figures_for_another_gemeente_or_a_national_measure_are_refused(
    adviseur: Client, maassluis: Organisation
) -> None:
    nl = Area.objects.get(code="NL01")
    other = Area.objects.create(
        code="GM0482", name="Alblasserdam", level=AreaLevel.GEMEENTE, parent=nl, source="test"
    )
    Area.objects.create(
        code="WK048201", name="Wijk A", level=AreaLevel.WIJK, parent=other, source="test"
    )
    text = (
        "gebied;maatstaf;periode;waarde\n"
        "GM0556;huisverboden;2022;12\n"  # own gemeente, own measure: fine
        "WK055601;huisverboden;2022;3\n"  # own wijk: fine
        "GM0482;huisverboden;2022;99\n"  # another gemeente
        "WK048201;huisverboden;2022;99\n"  # another gemeente's wijk
        "Alblasserdam;huisverboden;2022;99\n"  # … by name
        "NL01;huisverboden;2022;99\n"  # the country
        "GM0556;politie:1.1.1;2022;99\n"  # a police figure
        "GM0556;cbs:T001161;2022;99\n"  # a CBS figure
    )

    post_file(adviseur, maassluis, "cijfers.csv", text.encode())

    batch = latest_batch()
    assert batch.state == BatchState.REJECTED
    got = {(e["row"], e["column"], e["value"], e["message"]) for e in batch.errors}
    area, measure = translated(local.NOT_OWN_AREA), translated(local.NOT_OWN_MEASURE)
    assert got == {
        (4, "gebied", "GM0482", area),
        (5, "gebied", "WK048201", area),
        (6, "gebied", "Alblasserdam", area),
        (7, "gebied", "NL01", area),
        (8, "maatstaf", "politie:1.1.1", measure),
        (9, "maatstaf", "cbs:T001161", measure),
    }
    assert Observation.objects.count() == 0


def test_the_area_rule_follows_cbs_codes() -> None:
    assert local.in_gemeente("GM0556", "GM0556")
    assert local.in_gemeente("WK055601", "GM0556")
    assert local.in_gemeente("BU05560101", "GM0556")
    assert not local.in_gemeente("GM0482", "GM0556")
    assert not local.in_gemeente("WK048201", "GM0556")
    assert not local.in_gemeente("BU04820101", "GM0556")
    assert not local.in_gemeente("WK0556011", "GM0556")
    assert not local.in_gemeente("RE07", "GM0556")
    assert not local.in_gemeente("GM0556", "")
    with pytest.raises(FormatError) as refused:
        read(b"gebied;maatstaf;periode;waarde\nGM0556;x;2022;1\n", ReadContext(own_gemeente=""))
    assert str(refused.value) == local.NO_OWN_AREA


# --- 6. MAX_ERRORS on every path where errors accumulate ----------------------------------------


def repeating_file(distinct: int) -> bytes:
    """``distinct`` monthly figures, then the same ``distinct`` rows again."""
    months = [f"{2000 + n // 12}M{n % 12 + 1:02d}" for n in range(distinct)]
    lines = [f"GM0556;huisverboden;{month};{n}" for n, month in enumerate(months)]
    return ("gebied;maatstaf;periode;waarde\n" + "\n".join(lines + lines) + "\n").encode()


@pytest.mark.parametrize("dry_run", [True, False], ids=["check", "import"])
def test_rows_the_writer_rejects_at_a_flush_are_capped_too(
    areas: Any, maassluis: Organisation, monkeypatch: pytest.MonkeyPatch, dry_run: bool
) -> None:
    services.load_catalogue()
    distinct = services.MAX_ERRORS + 100
    # The second half repeats the first, which an earlier flush holds: the writer finds them.
    monkeypatch.setattr(services.rows, "FLUSH_POINTS", distinct)
    report = services.import_file(
        repeating_file(distinct),
        fmt="local",
        organisation=maassluis,
        filename="x.csv",
        dry_run=dry_run,
    )
    assert report.state == BatchState.REJECTED
    assert report.rejected == distinct  # every rejected row is counted …
    assert len(report.errors) == services.MAX_ERRORS  # … but only so many are kept
    assert len(latest_batch().errors) == services.MAX_ERRORS
    assert Observation.objects.count() == 0


def test_rows_rejected_by_the_write_itself_are_capped(
    areas: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from regie.monitor.tests.factories import dataset, rows

    services.load_catalogue()
    many = [RowError(n, "periode", "2022", "repeats") for n in range(services.MAX_ERRORS * 3)]
    monkeypatch.setattr(services._SeriesWriter, "write", lambda self, prepared=None: many)
    report = services.import_rows(
        rows(("GM0556", "politie:1.1.1", "2022", 1.0)),
        dataset=dataset(),
        lookup=services.CatalogueLookup(None),
        fmt="test",
        filename="x.csv",
    )
    assert report.state == BatchState.REJECTED
    assert report.rejected == len(many)
    assert len(report.errors) == services.MAX_ERRORS
    assert len(latest_batch().errors) == services.MAX_ERRORS


def test_keep_errors_never_keeps_more_than_the_cap() -> None:
    errors = [RowError(1, "a", "b", "c")] * (services.MAX_ERRORS - 2)
    services.keep_errors(errors, (RowError(n, "a", "b", "c") for n in range(10**6)))
    assert len(errors) == services.MAX_ERRORS
    services.keep_errors(errors, [RowError(2, "a", "b", "c")])
    assert len(errors) == services.MAX_ERRORS


# --- 7. in the user's language, without an exception's own text ---------------------------------

SOURCES = Path(services.__file__).parent.parent / "sources"


def test_every_format_error_is_a_translatable_message_with_placeholders() -> None:
    """A FormatError's message is a msgid (a name or gettext_noop("…")), never text formatted
    before it is raised: an f-string or a % expression cannot be translated."""
    formatted = []
    for path in sorted(SOURCES.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "FormatError"
            ):
                message = node.args[0] if node.args else None
                plain = isinstance(message, ast.Name) or (
                    isinstance(message, ast.Call)
                    and isinstance(message.func, ast.Name)
                    and message.func.id == "gettext_noop"
                    and isinstance(message.args[0], ast.Constant)
                )
                if not plain:
                    formatted.append(f"{path.name}:{node.lineno}")
    assert formatted == []


@pytest.fixture
def dutch() -> Iterator[Callable[[str, str], None]]:
    """Adds a Dutch translation to the active catalogue for the test (so that a test can tell a
    translated message from the English one before the .po files have it)."""
    catalog = trans_real.translation("nl")._catalog
    added: list[str] = []

    def add(msgid: str, text: str) -> None:
        added.append(msgid)
        catalog[msgid] = text

    yield add
    for msgid in added:
        catalog._catalogs[0].pop(msgid, None)


def test_why_a_file_cannot_be_read_is_shown_in_dutch(
    adviseur: Client, maassluis: Organisation, dutch: Callable[[str, str], None]
) -> None:
    dutch(local.COLUMN_MISSING, "verplichte kolom ontbreekt: %(columns)s")
    response = post_file(adviseur, maassluis, "cijfers.csv", b"gebied;maatstaf;waarde\nx;y;1\n")
    assert response.status_code == 200
    batch = latest_batch()
    assert batch.state == BatchState.REJECTED
    [note] = batch.notes
    assert "verplichte kolom ontbreekt: periode" in note  # was "required column missing: …"
    assert "verplichte kolom ontbreekt: periode" in response.content.decode()


def test_the_readers_notes_are_shown_in_dutch(
    adviseur: Client, maassluis: Organisation, dutch: Callable[[str, str], None]
) -> None:
    dutch("columns not imported: %(columns)s", "kolommen niet ingelezen: %(columns)s")
    dutch("line %(line)d (%(figure)s): %(remark)s", "regel %(line)d (%(figure)s): %(remark)s")
    data = (
        b"gebied;maatstaf;periode;waarde;toelichting;bron\n"
        b"GM0556;huisverboden;2022;12;geschat;politie\n"
    )
    post_file(adviseur, maassluis, "cijfers.csv", data)
    batch = latest_batch()
    assert batch.state == BatchState.DRY_RUN, batch.notes
    assert "kolommen niet ingelezen: bron" in batch.notes  # was "columns not imported: bron"
    assert "regel 2 (local:huisverboden GM0556 2022): geschat" in batch.notes


def test_the_command_shows_format_errors_in_dutch(
    areas: Any, dutch: Callable[[str, str], None], tmp_path: Path, capsys: Any
) -> None:
    from tests.test_cli import run_main

    dutch(local.CSV_UNREADABLE, "het CSV-bestand is niet te lezen bij regel %(line)d")
    path = tmp_path / "x.csv"
    path.write_bytes(b'gebied;maatstaf;periode;waarde\nGM0556;a;2022;"1\n' + b"x" * 200_000)
    # an unclosed quote: the csv module reads on until its field limit (131,072 characters)
    code, _out, err = run_main(capsys, "import", str(path), "--format", "local")
    assert code == 1
    assert "het CSV-bestand is niet te lezen bij regel 2" in err
    assert "field larger than field limit" not in err  # the csv module's English words


SECRET = "Jan " + "Jansen, Dorpsstraat 1"  # as a file value or an internal detail could read


class Broken:
    """Raises an unexpected error whose text holds something no user or log may see."""

    def __init__(self) -> None:
        self.raised = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.raised += 1
        raise RuntimeError(SECRET)


@pytest.mark.parametrize("stage", ["reading", "before reading"])
def test_an_unexpected_error_of_a_check_shows_a_dutch_note_not_its_text(
    adviseur: Client,
    maassluis: Organisation,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    stage: str,
) -> None:
    broken = Broken()
    if stage == "reading":
        monkeypatch.setattr(local.ADAPTER, "read", broken)  # inside the import service
    else:
        monkeypatch.setattr(services.files, "CatalogueLookup", broken)  # before it
    with caplog.at_level(logging.DEBUG):
        response = post_file(adviseur, maassluis, "cijfers.csv", b"gebied;maatstaf;periode\n")
    assert broken.raised
    batch = latest_batch()
    assert batch.state == BatchState.FAILED
    assert batch.notes[-1] == services.failure_note(dry_run=True)
    shown = response.content.decode() + json.dumps([batch.notes, batch.errors])
    assert "Jansen" not in shown  # was "The check stopped: Jan Jansen, …"
    assert "Jansen" not in caplog.text
    assert "RuntimeError" in caplog.text  # the kind of error and where it happened are logged


def test_an_unexpected_error_of_an_import_shows_a_dutch_note_not_its_text(
    settings: Any,
    tmp_path: Path,
    areas: Any,
    maassluis: Organisation,
    member: Member,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.REGIE_TASKS_EAGER = True
    settings.VAR_DIR = tmp_path
    services.load_catalogue()
    path = tmp_path / "upload"
    path.write_bytes(b"gebied;maatstaf;periode;waarde\nGM0556;huisverboden;2022;1\n")
    monkeypatch.setattr(services.files, "CatalogueLookup", Broken())
    with caplog.at_level(logging.DEBUG):
        batch = tasks.queue_local_import(
            path=path,
            organisation=maassluis,
            dataset=services.local_dataset(maassluis),
            user=member(maassluis, Role.ADVISEUR),
            filename="cijfers.csv",
        )
    batch.refresh_from_db()
    assert batch.state == BatchState.FAILED
    assert batch.notes == [services.failure_note(dry_run=False)]
    assert "Jansen" not in caplog.text


# --- One gemeente cannot take the shared check workers or fill the disk -------------------------


GOOD_FILE = b"gebied;maatstaf;periode;waarde\nGM0556;huisverboden;2022;12\n"


def test_one_organisation_has_one_open_check_at_a_time(
    adviseur: Client,
    maassluis: Organisation,
    alblasserdam: Organisation,
    member: Member,
    login: Login,
) -> None:
    # A slow check of Maassluis is still running (queued in a worker, heartbeat fresh).
    ImportBatch.objects.create(
        dataset=services.local_dataset(maassluis),
        format="local",
        filename="traag.csv",
        imported_by_label="x",
        state=BatchState.RUNNING,
        dry_run=True,
        worker_host="elders",
        worker_pid=1,
        heartbeat_at=timezone.now(),
    )
    before = ImportBatch.objects.count()
    response = post_file(adviseur, maassluis, "cijfers.csv", GOOD_FILE)
    assert "wordt nu een bestand van uw organisatie gecontroleerd" in response.content.decode()
    assert ImportBatch.objects.count() == before  # nothing queued, no file kept
    # Another gemeente is not held up by it.
    other = login(member(alblasserdam, Role.ADVISEUR))
    body = b"gebied;maatstaf;periode;waarde\nGM0482;huisverboden;2022;3\n"
    post_file(other, alblasserdam, "cijfers.csv", body)
    assert ImportBatch.objects.count() == before + 1


def test_a_check_whose_process_died_does_not_block_the_organisation(
    adviseur: Client, maassluis: Organisation
) -> None:
    stuck = ImportBatch.objects.create(
        dataset=services.local_dataset(maassluis),
        format="local",
        filename="vastgelopen.csv",
        imported_by_label="x",
        state=BatchState.RUNNING,
        dry_run=True,
        worker_host="elders",
        worker_pid=1,
        heartbeat_at=timezone.now() - dt.timedelta(hours=1),
    )
    post_file(adviseur, maassluis, "cijfers.csv", GOOD_FILE)
    stuck.refresh_from_db()
    assert stuck.state == BatchState.FAILED
    assert ImportBatch.objects.filter(dry_run=True, filename="cijfers.csv").exists()


def test_uploads_per_hour_are_limited(
    adviseur: Client, maassluis: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    from regie.monitor import batches

    monkeypatch.setattr(batches, "CHECKS_PER_HOUR", 2)
    for _ in range(2):
        post_file(adviseur, maassluis, "cijfers.csv", GOOD_FILE)
    count = ImportBatch.objects.count()
    response = post_file(adviseur, maassluis, "cijfers.csv", GOOD_FILE)
    assert "in het afgelopen uur" in response.content.decode()
    assert ImportBatch.objects.count() == count

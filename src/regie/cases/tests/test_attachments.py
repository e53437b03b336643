"""Attachments of a signal: recognised by content, photos written again without metadata."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from PIL import Image, ImageCms
from PIL.PngImagePlugin import PngInfo

from regie.cases.attachments import (
    MAX_BYTES,
    MAX_FILES,
    AttachmentRefused,
    CleanFile,
    clean_upload,
    clean_uploads,
    read_limited,
)
from regie.core.errors import ServiceError

SECRETS = (b"SECRETCAM", b"SECRETDATUM", b"SECRETCOMMENT", b"SECRETXMP")

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)


def jpeg_with_exif() -> bytes:
    """A 40 × 20 JPEG whose EXIF says: turn 90° (orientation 6), camera SECRETCAM, and a GPS
    position; with an XMP packet and a comment as well."""
    exif = Image.Exif()
    exif[0x010F] = "SECRETCAM"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to show
    gps = exif.get_ifd(0x8825)  # GPS IFD
    gps[1] = "N"
    gps[2] = (51.0, 55.0, 12.5)
    gps[3] = "E"
    gps[4] = (4.0, 15.0, 1.5)
    gps[0x12] = "SECRETDATUM"  # GPSMapDatum
    out = io.BytesIO()
    Image.new("RGB", (40, 20), "red").save(
        out,
        "JPEG",
        exif=exif,
        comment=b"SECRETCOMMENT",
        xmp=b"<x:xmpmeta>SECRETXMP</x:xmpmeta>",
    )
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)[1] == "N"
    assert all(secret in data for secret in SECRETS)
    return data


def png_with_text() -> bytes:
    info = PngInfo()
    info.add_text("Comment", "SECRETCOMMENT")
    info.add_text("Author", "SECRETCAM", zip=True)  # zTXt
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>SECRETXMP</x:xmpmeta>")
    exif = Image.Exif()
    exif[0x010F] = "SECRETCAM"
    out = io.BytesIO()
    Image.new("RGBA", (30, 10), (0, 128, 0, 100)).save(out, "PNG", pnginfo=info, exif=exif)
    data = out.getvalue()
    assert b"tEXt" in data
    assert b"SECRETCOMMENT" in data
    return data


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares ``width`` × ``height`` 1-bit pixels, with almost no data: cheap to
    make, ruinous to decode."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 1024))
        + chunk(b"IEND", b"")
    )


def refusal(name: str, data: bytes) -> AttachmentRefused:
    with pytest.raises(AttachmentRefused) as caught:
        clean_upload(name, data)
    return caught.value


# --- Photos -------------------------------------------------------------------------------------


def test_jpeg_loses_exif_gps_xmp_and_comment_and_stays_upright() -> None:
    clean = clean_upload("IMG_0001.JPG", jpeg_with_exif())
    assert clean.content_type == "image/jpeg"
    assert clean.name == "IMG_0001.jpg"
    for secret in (*SECRETS, b"Exif\x00\x00"):
        assert secret not in clean.data
    image = Image.open(io.BytesIO(clean.data))
    assert image.format == "JPEG"
    assert not image.getexif()
    assert not image.getexif().get_ifd(0x8825)
    assert "exif" not in image.info
    assert "xmp" not in image.info
    assert "comment" not in image.info
    assert image.size == (20, 40)  # orientation 6 applied: the photo shows as it was taken


def test_jpeg_keeps_its_colour_profile() -> None:
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(out, "JPEG", icc_profile=profile)
    clean = clean_upload("blue.jpg", out.getvalue())
    assert Image.open(io.BytesIO(clean.data)).info.get("icc_profile") == profile


def test_png_loses_text_chunks_and_exif() -> None:
    clean = clean_upload("scan.png", png_with_text())
    assert clean.content_type == "image/png"
    assert clean.name == "scan.png"
    for secret in SECRETS:
        assert secret not in clean.data
    for chunk in (b"tEXt", b"zTXt", b"iTXt", b"eXIf"):
        assert chunk not in clean.data
    image = Image.open(io.BytesIO(clean.data))
    assert not image.getexif()
    assert image.size == (30, 10)
    assert image.mode == "RGBA"
    assert image.getpixel((0, 0)) == (0, 128, 0, 100)


def test_palette_png_keeps_its_transparency() -> None:
    out = io.BytesIO()
    Image.new("P", (4, 4), 0).save(out, "PNG", transparency=0)
    image = Image.open(io.BytesIO(clean_upload("icon.png", out.getvalue()).data))
    assert image.info.get("transparency") == 0


def test_the_content_decides_the_type_and_the_extension() -> None:
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, "PNG")
    clean = clean_upload("photo.jpg", out.getvalue())
    assert clean.content_type == "image/png"
    assert clean.name == "photo.png"


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00\x03\x00\x00\x00" + b"\0" * 200,  # Windows executable
        b"\x7fELF\x02\x01\x01" + b"\0" * 200,  # Linux executable
        b"PK\x03\x04" + b"\0" * 200,  # zip (also docx, xlsx)
        b"\0\0\0\x18ftypheic\0\0\0\0mif1heic",  # HEIC photo from an iPhone
        b"GIF89a\x01\x00\x01\x00",
        b"<svg xmlns='http://www.w3.org/2000/svg'></svg>",
        b" %PDF-1.4 not at the start",
    ],
)
def test_other_content_is_refused_whatever_its_name(data: bytes) -> None:
    error = refusal("photo.jpg", data)
    assert error.code == "not_accepted"
    assert error.name == "photo.jpg"
    assert "photo.jpg" in str(error)
    assert isinstance(error, ServiceError)


def test_html_named_pdf_is_refused() -> None:
    error = refusal("x.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>")
    assert error.code == "not_accepted"


def test_a_damaged_jpeg_is_refused() -> None:
    assert refusal("broken.jpg", b"\xff\xd8\xff\xe0" + b"garbage" * 50).code == "damaged"


def test_a_truncated_jpeg_is_refused() -> None:
    data = jpeg_with_exif()
    assert refusal("half.jpg", data[: len(data) // 2]).code == "damaged"


def test_a_decompression_bomb_is_refused_before_it_is_decoded() -> None:
    data = png_header_only(30000, 30000)  # 900 megapixels in a few hundred bytes
    assert len(data) < 1000
    error = refusal("bomb.png", data)
    assert error.code == "too_many_pixels"
    assert "bomb.png" in str(error)


def test_a_photo_above_the_local_pixel_limit_is_refused() -> None:
    # 64 megapixels: under Pillow's own warning limit (89 MP), over the limit here (50 MP).
    assert refusal("large.png", png_header_only(8000, 8000)).code == "too_many_pixels"


# --- PDF, size, count ---------------------------------------------------------------------------


def test_pdf_is_kept_as_it_is() -> None:
    clean = clean_upload("Verslag buurtoverleg.PDF", PDF_BYTES)
    assert clean == CleanFile("Verslag buurtoverleg.pdf", "application/pdf", PDF_BYTES)


def test_pdf_without_end_is_refused() -> None:
    assert refusal("cut.pdf", PDF_BYTES[:-7]).code == "damaged"


def test_too_large_file_is_refused() -> None:
    data = PDF_BYTES + b"\0" * (20 * 1024 * 1024) + b"%%EOF\n"
    error = refusal("big.pdf", data)
    assert error.code == "too_large"
    assert "10 MB" in str(error)


def test_a_file_of_exactly_the_limit_is_accepted() -> None:
    data = PDF_BYTES + b"\0" * (MAX_BYTES - len(PDF_BYTES) - 6) + b"%%EOF\n"
    assert len(data) == MAX_BYTES
    assert clean_upload("exact.pdf", data).data == data


def test_empty_file_is_refused() -> None:
    assert refusal("leeg.jpg", b"").code == "empty"


def test_clean_uploads_all_or_nothing() -> None:
    pdf = ("a.pdf", PDF_BYTES)
    assert [f.name for f in clean_uploads([pdf, ("b.jpg", jpeg_with_exif())])] == ["a.pdf", "b.jpg"]
    assert clean_uploads([]) == []
    with pytest.raises(AttachmentRefused) as caught:
        clean_uploads([pdf] * (MAX_FILES + 1))
    assert caught.value.code == "too_many"
    with pytest.raises(AttachmentRefused) as caught:
        clean_uploads([pdf, ("evil.jpg", b"MZ" + b"\0" * 10)])
    assert caught.value.name == "evil.jpg"


# --- Names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("../../etc/passwd.jpg", "passwd.pdf"),
        ("C:\\Users\\jan\\Desktop\\brief.pdf", "brief.pdf"),
        ("rapport\x00.exe\n.pdf", "rapport .exe.pdf"),
        ("evil\u202efdp.exe", "evil fdp.pdf"),  # right-to-left override removed
        ("..", "bijlage.pdf"),
        ("", "bijlage.pdf"),
        ("/", "bijlage.pdf"),
        (".htaccess", "htaccess.pdf"),
        ('a<b>c:d"e|f?g*h.pdf', "a_b_c_d_e_f_g_h.pdf"),
        ("  spaties   overal  .pdf  ", "spaties overal.pdf"),
        ("x" * 300 + ".pdf", "x" * 96 + ".pdf"),
    ],
)
def test_names_are_made_safe(name: str, stored: str) -> None:
    clean = clean_upload(name, PDF_BYTES)
    if stored.startswith("bijlage"):  # the default name is translated: Dutch once compiled
        assert clean.name in {"bijlage.pdf", "attachment.pdf"}
    else:
        assert clean.name == stored
    assert len(clean.name) <= 100
    assert "/" not in clean.name
    assert "\\" not in clean.name
    assert all(c.isprintable() for c in clean.name)


# --- Reading an upload ---------------------------------------------------------------------------


class EndlessStream(io.RawIOBase):
    """A stream that never ends and counts what was read from it."""

    def __init__(self) -> None:
        self.given = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        size = len(buffer)
        buffer[:size] = b"\0" * size
        self.given += size
        return size


def test_read_limited_reads_a_small_upload() -> None:
    upload = SimpleUploadedFile("a.pdf", PDF_BYTES, content_type="application/pdf")
    upload.read(5)  # already read a little: read_limited starts at the beginning
    assert read_limited(upload) == PDF_BYTES


def test_read_limited_refuses_a_large_upload_by_its_size() -> None:
    upload = SimpleUploadedFile("big.jpg", b"\0" * (20 * 1024 * 1024))
    with pytest.raises(AttachmentRefused) as caught:
        read_limited(upload)
    assert caught.value.code == "too_large"
    assert caught.value.name == "big.jpg"


def test_read_limited_stops_reading_past_the_limit() -> None:
    stream = EndlessStream()
    upload = UploadedFile(file=stream, name="../endless.jpg", size=None)  # size unknown or lied
    with pytest.raises(AttachmentRefused) as caught:
        read_limited(upload)
    assert caught.value.code == "too_large"
    assert caught.value.name == "endless.jpg"
    assert stream.given <= MAX_BYTES + 1

"""The attachments of a signal: photos (JPEG, PNG) and PDF files, checked and cleaned.

What a file is follows from its content alone (its first bytes), never from its name, extension or
the content type the browser declared. A photo is decoded and written again by Pillow, upright
(the EXIF orientation applied) and without any metadata: no EXIF (camera, GPS position, time), no
XMP, no comments or PNG text chunks. Only what the picture needs to look the same is kept: its ICC
colour profile and, for PNG, its transparency. A PDF is kept byte for byte; it must start with
``%PDF-``, end with ``%%EOF`` and fit the size limit. The name a file gets is its base name, without
path or control characters, at most 100 characters, with the extension of what it really is.

Limits: :data:`MAX_FILES` files per signal, :data:`MAX_BYTES` per file, :data:`MAX_PIXELS` per
photo (checked from the header, before anything is decoded). Pillow's own guard
(``Image.MAX_IMAGE_PIXELS``, a process-wide setting this module leaves alone) stops larger
pictures while they are opened.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from PIL import Image, ImageOps

from regie.core.errors import ServiceError

MAX_FILES = 3
MAX_BYTES = 10 * 1024 * 1024
#: The most pixels a photo may have (50 megapixels; a 48 MP phone camera fits).
MAX_PIXELS = 50_000_000
MAX_NAME_LENGTH = 100
JPEG_QUALITY = 90
#: How much of a file :func:`read_limited` reads at once.
CHUNK_BYTES = 64 * 1024
#: A PDF's last ``%%EOF`` must lie within this many bytes of its end (as PDF readers expect).
PDF_EOF_WINDOW = 1024


class AttachmentRefused(ServiceError):
    """An attachment was refused; the message names the file and the reason.

    ``code`` is one of ``too_large``, ``empty``, ``not_accepted``, ``too_many``,
    ``too_many_pixels``, ``damaged``; ``name`` is the file's (display) name, or ``""``.
    """

    def __init__(self, message: str, *, code: str, name: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.name = name


@dataclass(frozen=True)
class CleanFile:
    name: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class _Kind:
    pillow_format: str  # "" for files Pillow does not touch
    content_type: str
    extension: str


JPEG = _Kind("JPEG", "image/jpeg", ".jpg")
PNG = _Kind("PNG", "image/png", ".png")
PDF = _Kind("", "application/pdf", ".pdf")

_SIGNATURES: tuple[tuple[bytes, _Kind], ...] = (
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"%PDF-", PDF),
)


def clean_uploads(files: list[tuple[str, bytes]]) -> list[CleanFile]:
    """Check and clean all attachments of one signal: all of them, or a refusal."""
    if len(files) > MAX_FILES:
        raise AttachmentRefused(
            _("You can add at most %(max)d files; you chose %(count)d.")
            % {"max": MAX_FILES, "count": len(files)},
            code="too_many",
        )
    return [clean_upload(name, data) for name, data in files]


def clean_upload(name: str, data: bytes) -> CleanFile:
    """Check one attachment by its content and return it cleaned, or refuse it."""
    shown = display_name(name)
    if not data:
        raise AttachmentRefused(
            _("“%(name)s” is empty.") % {"name": shown}, code="empty", name=shown
        )
    if len(data) > MAX_BYTES:
        raise _too_large(shown)
    kind = sniff(data)
    if kind is None:
        raise AttachmentRefused(
            _(
                "“%(name)s” is not a photo or a PDF file. Photos are accepted as JPEG or PNG "
                "(not HEIC), documents as PDF."
            )
            % {"name": shown},
            code="not_accepted",
            name=shown,
        )
    cleaned = _check_pdf(data, shown) if kind is PDF else _reencode(data, kind, shown)
    return CleanFile(
        name=safe_name(name, kind.extension), content_type=kind.content_type, data=cleaned
    )


def read_limited(upload: UploadedFile) -> bytes:
    """The content of ``upload``, read in chunks and at most ``MAX_BYTES + 1`` bytes of it:
    a larger file is refused without being read any further."""
    shown = display_name(upload.name or "")
    if upload.size is not None and upload.size > MAX_BYTES:
        raise _too_large(shown)
    if upload.seekable():
        upload.seek(0)
    data = bytearray()
    while len(data) <= MAX_BYTES:
        chunk = upload.read(min(CHUNK_BYTES, MAX_BYTES + 1 - len(data)))
        if not chunk:
            return bytes(data)
        data += chunk
    raise _too_large(shown)


def sniff(data: bytes) -> _Kind | None:
    """What the content is (JPEG, PNG or PDF), from its first bytes; ``None`` for anything else."""
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            return kind
    return None


# --- Names ---------------------------------------------------------------------------------------

_UNSAFE = re.compile(r'[<>:"|?*]')
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")


def display_name(name: str) -> str:
    """The base name of ``name`` without control or format characters, at most 100 characters:
    fit to show in a message and to store."""
    name = unicodedata.normalize("NFC", name)
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(" " if unicodedata.category(c).startswith("C") else c for c in name)
    name = _UNSAFE.sub("_", name)
    name = " ".join(name.split()).strip(". ")
    return name[:MAX_NAME_LENGTH]


def safe_name(name: str, extension: str) -> str:
    """The stored name: :func:`display_name` with ``extension`` in place of its own."""
    stem = _EXTENSION.sub("", display_name(name)).rstrip(". ")
    if not stem:
        stem = pgettext("file name of an attachment without a name", "attachment")
    return stem[: MAX_NAME_LENGTH - len(extension)].rstrip(". ") + extension


# --- Checks ---------------------------------------------------------------------------------------


def _too_large(shown: str) -> AttachmentRefused:
    return AttachmentRefused(
        _("“%(name)s” is larger than %(max)s, the most accepted per file. Send a smaller file.")
        % {"name": shown, "max": f"{MAX_BYTES // (1024 * 1024)} MB"},
        code="too_large",
        name=shown,
    )


def _check_pdf(data: bytes, shown: str) -> bytes:
    if b"%%EOF" not in data[-PDF_EOF_WINDOW:]:
        raise AttachmentRefused(
            _("“%(name)s” is not a complete PDF file; it may be damaged.") % {"name": shown},
            code="damaged",
            name=shown,
        )
    return data


def _damaged_photo(shown: str) -> AttachmentRefused:
    return AttachmentRefused(
        _("“%(name)s” cannot be read as a photo; it may be damaged.") % {"name": shown},
        code="damaged",
        name=shown,
    )


def _too_many_pixels(shown: str) -> AttachmentRefused:
    return AttachmentRefused(
        _("“%(name)s” has too many pixels (at most %(max)d megapixels). Send a smaller photo.")
        % {"name": shown, "max": MAX_PIXELS // 1_000_000},
        code="too_many_pixels",
        name=shown,
    )


def _reencode(data: bytes, kind: _Kind, shown: str) -> bytes:
    """The photo decoded, turned upright and written again without metadata."""
    try:
        with Image.open(io.BytesIO(data), formats=[kind.pillow_format]) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise _too_many_pixels(shown)
            image.load()
            return _save_clean(_upright(image), kind)
    except AttachmentRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _too_many_pixels(shown) from error
    except Exception as error:  # any decoding error of untrusted input: Pillow has many kinds
        raise _damaged_photo(shown) from error


def _upright(image: Image.Image) -> Image.Image:
    """The image turned as its EXIF orientation says; as it is when that EXIF is unreadable."""
    try:
        return ImageOps.exif_transpose(image)
    except Exception:  # a broken EXIF block should not cost the resident the photo
        return image.copy()


def _save_clean(image: Image.Image, kind: _Kind) -> bytes:
    """Write ``image`` with nothing but its pixels, colour profile and (PNG) transparency."""
    keep: dict[str, Any] = {}
    if icc := image.info.get("icc_profile"):
        keep["icc_profile"] = icc
    if kind is PNG and image.info.get("transparency") is not None:
        keep["transparency"] = image.info["transparency"]
    image.info = {}  # Pillow reads comments, ICC and transparency from here too
    out = io.BytesIO()
    if kind is JPEG:
        image.save(out, format="JPEG", quality=JPEG_QUALITY, **keep)
    else:
        image.save(out, format="PNG", **keep)
    return out.getvalue()

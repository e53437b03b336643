"""Bounds on what a request may send: the whole body, and each uploaded file.

Two layers, both configured in settings:

- :class:`RequestSizeMiddleware` (right after ``SecurityMiddleware``) answers ``413`` to a
  request whose ``Content-Length`` is larger than ``REGIE_MAX_REQUEST_BYTES``, before anything
  reads the body. A body without a length (a WSGI server that passes chunked bodies through) is
  wrapped so that reading past the limit stops and the answer becomes the same ``413``. Under
  ASGI, Django spools the whole body before any middleware runs, so there the server's own
  limit counts; ``regie serve`` (waitress, WSGI) also caps the body itself.
- :class:`LimitedUploadHandler` (first in ``FILE_UPLOAD_HANDLERS``) counts each uploaded file as
  it arrives and stops passing it on to Django's memory/temporary-file handlers once it is
  larger than the view allows (:func:`upload_limit`). The form then finds a
  :class:`RefusedUpload` in its place, and :func:`validate_upload_size` reports it as too large:
  the rest of the file was never stored.

A view with a file form uses both halves::

    @upload_limit(MAX_UPLOAD_BYTES)      # stop the file while it arrives
    @org_view(EDITOR_ROLES)
    def upload(request, organisation): ...

    class UploadForm(forms.Form):
        def clean_file(self):
            upload = self.cleaned_data["file"]
            validate_upload_size(upload, MAX_UPLOAD_BYTES)   # and say so in the form
            return upload
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.urls import Resolver404, ResolverMatch, resolve
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext as _

#: The attribute :func:`upload_limit` sets on a view.
LIMIT_ATTRIBUTE = "regie_upload_max_bytes"
#: The attributes :func:`request_limit` sets on a view: its own bound on the whole body (above or
#: below ``REGIE_MAX_REQUEST_BYTES``), and the view that answers a body above it.
REQUEST_LIMIT_ATTRIBUTE = "regie_request_max_bytes"
TOO_LARGE_ATTRIBUTE = "regie_too_large_view"

View = TypeVar("View", bound=Callable[..., Any])


def max_request_bytes() -> int:
    """The largest request body accepted (``REGIE_MAX_REQUEST_MB``)."""
    return int(settings.REGIE_MAX_REQUEST_BYTES)


def upload_limit(max_bytes: int) -> Callable[[View], View]:
    """Decorate a view: files posted to it are stopped as soon as they exceed ``max_bytes``.

    Put it above (outside) the other decorators; ``functools.wraps`` passes it inwards too.
    """

    def decorate(view: View) -> View:
        setattr(view, LIMIT_ATTRIBUTE, max_bytes)
        return view

    return decorate


_LARGEST: list[int] = []


def largest_request_bytes() -> int:
    """The largest body any view accepts (the server in front must let it through): the site's
    bound or a view's own (:func:`request_limit`), once the URL configuration is loaded."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every view module
    return max([max_request_bytes(), *_LARGEST])


def request_limit(
    max_bytes: int, *, too_large: Callable[..., HttpResponse] | None = None
) -> Callable[[View], View]:
    """Decorate a view: its requests may be up to ``max_bytes`` (instead of
    ``REGIE_MAX_REQUEST_BYTES``); a larger one gets ``too_large(request, *args, **kwargs)``
    (called with the view's URL arguments, before sessions, CSRF and the language are set up),
    else the site's 413 page. Put it above (outside) the other decorators."""

    def decorate(view: View) -> View:
        _LARGEST.append(max_bytes)
        setattr(view, REQUEST_LIMIT_ATTRIBUTE, max_bytes)
        if too_large is not None:
            setattr(view, TOO_LARGE_ATTRIBUTE, too_large)
        return view

    return decorate


class RefusedUpload(UploadedFile):
    """Stands in for a file that was stopped while it arrived: it holds no content, and its
    ``size`` is what had arrived when it was stopped (more than ``max_bytes``)."""

    def __init__(
        self,
        *,
        name: str,
        content_type: str | None,
        received: int,
        max_bytes: int,
        charset: str | None = None,
    ) -> None:
        super().__init__(
            file=io.BytesIO(), name=name, content_type=content_type, size=received, charset=charset
        )
        self.max_bytes = max_bytes


def too_large_message(max_bytes: int) -> str:
    return _(
        "The file is larger than %(max)s, the most that is accepted here. Make the file "
        "smaller or split it into several files."
    ) % {"max": filesizeformat(max_bytes)}


def validate_upload_size(upload: UploadedFile, max_bytes: int) -> None:
    """Raise a form error (code ``size``) when ``upload`` is larger than ``max_bytes`` or was
    stopped while it arrived (:class:`RefusedUpload`)."""
    if isinstance(upload, RefusedUpload) or (upload.size or 0) > max_bytes:
        raise forms.ValidationError(too_large_message(max_bytes), code="size")


class LimitedUploadHandler(FileUploadHandler):
    """First upload handler: passes each file's data on to the next handlers until the file is
    larger than the view's :func:`upload_limit` (else ``REGIE_MAX_REQUEST_BYTES``); from then on
    it keeps nothing, discards what the next handlers stored, and answers the file with a
    :class:`RefusedUpload`."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.max_bytes = _view_limit(request)
        self.received = 0
        self.refused = False

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0
        self.refused = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if self.refused:
            return None
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            self.refused = True
            self._discard_stored()
            return None
        return raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if not self.refused:
            return None  # the next handler returns the file it stored
        return RefusedUpload(
            name=self.file_name or "",
            content_type=self.content_type,
            received=self.received,
            max_bytes=self.max_bytes,
            charset=self.charset,
        )

    def _discard_stored(self) -> None:
        """Let the handlers after this one drop what they stored of the current file."""
        handlers = getattr(self.request, "upload_handlers", []) if self.request else []
        for handler in handlers:
            if handler is self:
                continue
            handler.upload_interrupted()  # the temporary-file handler removes its file
            stored = getattr(handler, "file", None)
            if stored is not None:
                stored.close()


def _view_limit(request: HttpRequest | None) -> int:
    match = getattr(request, "resolver_match", None)
    func = getattr(match, "func", None)
    limit = getattr(func, LIMIT_ATTRIBUTE, None)
    cap = _request_cap(func)
    return min(int(limit), cap) if isinstance(limit, int) else cap


def _request_cap(func: Any) -> int:
    """The bound on the whole body for ``func`` (:func:`request_limit`, else the site's)."""
    own = getattr(func, REQUEST_LIMIT_ATTRIBUTE, None)
    return int(own) if isinstance(own, int) else max_request_bytes()


def _resolve(request: HttpRequest) -> ResolverMatch | None:
    try:
        return resolve(request.path_info)
    except Resolver404:
        return None


# --- The whole request --------------------------------------------------------------------------


class RequestTooLarge(RequestDataTooBig):
    """A body without ``Content-Length`` went on past ``REGIE_MAX_REQUEST_BYTES``."""


class _CappedStream:
    """A request body of unknown length that may be read up to ``limit`` bytes."""

    def __init__(self, stream: Any, limit: int, request: HttpRequest) -> None:
        self._stream = stream
        self._left = limit
        self._request = request

    def _take(self, data: bytes) -> bytes:
        self._left -= len(data)
        if self._left < 0:
            self._request.regie_too_large = True  # type: ignore[attr-defined]
            raise RequestTooLarge("the request body is larger than REGIE_MAX_REQUEST_BYTES")
        return data

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0 or size > self._left:
            size = self._left + 1
        return self._take(self._stream.read(size))

    def readline(self, size: int | None = -1) -> bytes:
        if size is None or size < 0 or size > self._left:
            size = self._left + 1
        return self._take(self._stream.readline(size))

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()


def _content_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


def too_large_response(request: HttpRequest, max_bytes: int) -> HttpResponse:
    """``413`` in Dutch (or the language the browser asks for): a page, or JSON for the API."""
    with translation.override(translation.get_language_from_request(request)):
        title = _("The request is too large")
        text = _(
            "What you sent is larger than %(max)s, the most this site accepts at once. Send a "
            "smaller file, or split it into several files."
        ) % {"max": filesizeformat(max_bytes)}
        home = _("Go to the home page")
        language = translation.get_language()
    accept = request.META.get("HTTP_ACCEPT", "")
    if request.path.startswith("/api/") or (
        "application/json" in accept and "text/html" not in accept
    ):
        return JsonResponse({"detail": text}, status=413)
    page = format_html(
        '<!DOCTYPE html><html lang="{}"><head><meta charset="utf-8"><title>{}</title></head>'
        '<body><main><h1>{}</h1><p>{}</p><p><a href="/">{}</a></p></main></body></html>',
        language,
        title,
        title,
        text,
        home,
    )
    return HttpResponse(page, status=413, content_type="text/html; charset=utf-8")


class RequestSizeMiddleware:
    """Answer ``413`` to a request body larger than ``REGIE_MAX_REQUEST_BYTES``, before the
    body is read and before any view runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        match = _resolve(request)
        cap = _request_cap(getattr(match, "func", None))
        length = _content_length(request)
        if length is not None and length > cap:
            return _too_large(request, match, cap)
        stream = getattr(request, "_stream", None)
        if length is None and stream is not None:
            request._stream = _CappedStream(stream, cap, request)  # type: ignore[assignment]
        try:
            response = self.get_response(request)
        except RequestTooLarge:  # Django turns it into a 400 response before it gets here
            return _too_large(request, match, cap)
        if getattr(request, "regie_too_large", False):
            return _too_large(request, match, cap)
        return response


def _too_large(request: HttpRequest, match: ResolverMatch | None, cap: int) -> HttpResponse:
    """The view's own answer to a body above its bound (:func:`request_limit`), else the site's."""
    own = getattr(getattr(match, "func", None), TOO_LARGE_ATTRIBUTE, None)
    if match is not None and callable(own):
        response: HttpResponse = own(request, *match.args, **match.kwargs)
        return response
    return too_large_response(request, cap)

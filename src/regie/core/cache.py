"""Computed results kept until what they were computed from changes: :func:`remember`.

The caller names the *version* of its data (for figures: ``monitor.selectors.data_version``); a
new version is a new key, so a result is never older than the database. The active language is
part of the key (results hold words). ``REGIE_CACHE_SECONDS`` bounds how long an entry lives.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language

T = TypeVar("T")

_PREFIX = "regie:monitor:"


def remember(parts: tuple[Hashable, ...], build: Callable[[], T], *, version: str) -> T:
    """``build()``, or its earlier result for the same ``parts``, data version and language."""
    raw = repr((parts, version, get_language()))
    key = _PREFIX + hashlib.sha256(raw.encode()).hexdigest()
    found = cache.get(key)
    if found is not None:
        return found  # type: ignore[no-any-return] # the cache returns what build() returned
    value = build()
    cache.set(key, value, timeout=settings.REGIE_CACHE_SECONDS)
    return value

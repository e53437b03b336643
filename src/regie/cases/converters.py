"""The URL converter of a signal reference (GM0556-2024-00031)."""

from __future__ import annotations


class ReferenceConverter:
    regex = r"[A-Z0-9]{2,12}-\d{4}-\d{5,6}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value

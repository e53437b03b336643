"""Typed access to a parsed plan file that records every problem with its place in the file
(``priorities[1].themes[0].goals[2].aim``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _


class _Reader:
    """Typed access to the parsed YAML that records every problem with its place."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        # Every mapping read, with the keys asked for: what is left over is unknown.
        self.read: dict[int, tuple[dict[str, Any], str, set[str]]] = {}
        #: The place last read: where an unexpected error while storing is reported.
        self.last = "plan"

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def get(
        self,
        node: Any,
        key: str,
        where: str,
        kind: type | tuple[type, ...],
        *,
        required: bool = True,
    ) -> Any:
        if not isinstance(node, dict):
            self.fail(where, _("expected a mapping"))
            return None
        self.read.setdefault(id(node), (node, where, set()))[2].add(key)
        self.last = f"{where}.{key}"
        value = node.get(key)
        if value is None:
            if required:
                self.fail(f"{where}.{key}", _("is missing"))
            return None
        kinds = kind if isinstance(kind, tuple) else (kind,)
        wrong_bool = isinstance(value, bool) and bool not in kinds
        if wrong_bool or not isinstance(value, kinds):
            self.fail(
                f"{where}.{key}",
                _("expected %(kind)s, got %(value)r") % {"kind": _kind(kind), "value": value},
            )
            return None
        return value

    def unknown_keys(self) -> None:
        """A field the reader never asked for is a typo or a field of another format version:
        storing the rest would silently lose it."""
        for node, where, asked in self.read.values():
            for key in node:
                if key not in asked:
                    self.fail(f"{where}.{key}", _("unknown field"))

    def text(self, node: Any, key: str, where: str, *, required: bool = True) -> str:
        value = self.get(node, key, where, str, required=required)
        return value if isinstance(value, str) else ""

    def items(self, node: Any, key: str, where: str) -> Iterator[tuple[str, Any]]:
        value = self.get(node, key, where, list, required=False) or []
        for index, item in enumerate(value):
            yield f"{where}.{key}[{index}]", item

    def decimal(self, node: Any, key: str, where: str, *, required: bool = True) -> Decimal | None:
        value = self.get(node, key, where, (int, float, str), required=required)
        if value is None:
            return None
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            self.fail(f"{where}.{key}", _("not a number: %(value)r") % {"value": value})
            return None
        return number

    def date(self, node: Any, key: str, where: str) -> dt.date | None:
        value = self.get(node, key, where, (str, dt.date), required=False)
        if isinstance(value, dt.datetime):  # a date with a time: the day counts
            return value.date()
        if value is None or isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.fail(f"{where}.{key}", _("not a date (YYYY-MM-DD): %(value)r") % {"value": value})
            return None

    def choice(
        self, node: Any, key: str, where: str, choices: list[str], default: str | None = None
    ) -> str:
        value = self.get(node, key, where, str, required=default is None)
        if value is None:
            return default or ""
        if value not in choices:
            self.fail(
                f"{where}.{key}",
                _("%(value)r is not one of: %(choices)s")
                % {"value": value, "choices": ", ".join(choices)},
            )
        return str(value)


def _kind(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {
        str: _("text"),
        int: _("a whole number"),
        float: _("a number"),
        list: _("a list"),
        dict: _("a mapping"),
        bool: _("true or false"),
        dt.date: _("a date"),
    }
    return " / ".join(names.get(k, k.__name__) for k in kinds)

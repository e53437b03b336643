"""Typed access to a parsed programme file that records every problem with its place in the
file and the value found there (``actions[3].budget: cannot be negative (“-5”)``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml
from django.utils import timezone
from django.utils.translation import gettext as _

from regie.core import numbers

#: Amounts are stored with cents, at most 12 digits (the model's DecimalField).
_LARGEST_AMOUNT = Decimal(10) ** 10
_CENTS = Decimal("0.01")
#: ``12.000`` unquoted: YAML reads twelve, a Dutch reader means twelve thousand.
_DOTTED_THOUSANDS = re.compile(r"^[-+]?\d{1,3}\.\d{3}$")
#: Fields that hold an amount in euros.
AMOUNT_FIELDS = frozenset({"budget", "spent"})


def place(where: str, key: str | int) -> str:
    """``actions[3]`` + ``budget`` → ``actions[3].budget``; an index → ``actions[3]``."""
    if isinstance(key, int):
        return f"{where}[{key}]"
    return f"{where}.{key}" if where else key


def shown(value: Any) -> str:
    """A value as a problem quotes it: “text”, cut short."""
    if isinstance(value, dt.datetime | dt.date):
        text = value.isoformat()
    elif isinstance(value, dict):
        text = "{…}"
    elif isinstance(value, list):
        text = "[…]"
    else:
        text = str(value)
    return f"“{text if len(text) <= 60 else text[:59] + '…'}”"


def ambiguous_amounts(text: str) -> set[str]:
    """The places of amounts written like ``12.000`` without quotes (YAML reads 12.0).

    The text was already checked by the bounded loader (size, nesting, no aliases), so composing
    its node tree is safe.
    """
    loader_class: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    found: set[str] = set()
    try:
        root = yaml.compose(text, Loader=loader_class)
    except yaml.YAMLError:  # pragma: no cover - the loader already read it
        return found
    stack: list[tuple[Any, str]] = [(root, "")]
    while stack:
        node, where = stack.pop()
        if isinstance(node, yaml.SequenceNode):
            stack.extend((item, place(where, i)) for i, item in enumerate(node.value))
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                name = str(key.value) if isinstance(key, yaml.ScalarNode) else "?"
                if (
                    name in AMOUNT_FIELDS
                    and isinstance(value, yaml.ScalarNode)
                    and not value.style  # plain: None (Python) or "" (libyaml)
                    and _DOTTED_THOUSANDS.match(value.value)
                ):
                    found.add(place(where, name))
                stack.append((value, place(where, name)))
    return found


class Reader:
    """Typed access to the parsed YAML that records every problem with its place."""

    def __init__(self, ambiguous: set[str] | None = None) -> None:
        self.problems: list[str] = []
        self.ambiguous = ambiguous or set()
        # Every mapping read, with the keys asked for: what is left over is unknown.
        self.read: dict[int, tuple[dict[Any, Any], str, set[str]]] = {}

    def fail(self, where: str, message: str, value: Any = None) -> None:
        where = where or _("the file")
        if value is None:
            self.problems.append(f"{where}: {message}")
        else:
            self.problems.append(f"{where}: {message} ({shown(value)})")

    def mapping(self, node: Any, where: str) -> dict[Any, Any] | None:
        if not isinstance(node, dict):
            self.fail(where, _("expected a mapping of fields"), node)
            return None
        self.read.setdefault(id(node), (node, where, set()))
        return node

    def get(
        self,
        node: Any,
        key: str,
        where: str,
        kind: type | tuple[type, ...],
        *,
        required: bool = False,
    ) -> Any:
        if not isinstance(node, dict):
            return None  # the mapping itself was reported
        self.read.setdefault(id(node), (node, where, set()))[2].add(key)
        value = node.get(key)
        if value is None:
            if required:
                self.fail(place(where, key), _("is missing"))
            return None
        kinds = kind if isinstance(kind, tuple) else (kind,)
        wrong_bool = isinstance(value, bool) and bool not in kinds
        if wrong_bool or not isinstance(value, kinds):
            self.fail(place(where, key), _("expected %(kind)s") % {"kind": _kind(kinds)}, value)
            return None
        return value

    def unknown_keys(self) -> None:
        """A field the reader never asked for is a typo or a field of another format version:
        importing the rest would silently lose it."""
        for node, where, asked in self.read.values():
            for key in node:
                if key not in asked:
                    self.fail(place(where, str(key)), _("unknown field"))

    def text(
        self,
        node: Any,
        key: str,
        where: str,
        *,
        required: bool = False,
        max_length: int | None = None,
    ) -> str:
        value = self.get(node, key, where, (str, int, float), required=required)
        if value is None:
            return ""
        text = str(value).strip() if not isinstance(value, str) else value.strip()
        if required and not text:
            self.fail(place(where, key), _("is empty"))
        if max_length is not None and len(text) > max_length:
            self.fail(
                place(where, key),
                _("longer than %(count)d characters") % {"count": max_length},
                value,
            )
            return text[:max_length]
        return text

    def items(self, node: Any, key: str, where: str) -> Iterator[tuple[str, Any]]:
        value = self.get(node, key, where, list) or []
        for index, item in enumerate(value):
            yield place(place(where, key), index), item

    def amount(self, node: Any, key: str, where: str) -> Decimal | None:
        """An amount in euros: a YAML number, or Dutch text (``"12.000,50"`` → 12000.50)."""
        value = self.get(node, key, where, (int, float, str))
        if value is None:
            return None
        at = place(where, key)
        if at in self.ambiguous:
            self.fail(
                at,
                _(
                    "can be read two ways: write 12000 for twelve thousand euros, or put a Dutch "
                    'amount between quotes ("12.000" or "12,50")'
                ),
                value,
            )
            return None
        number = self._number(value, at)
        if number is None:
            return None
        if number < 0:
            self.fail(at, _("cannot be negative"), value)
            return None
        if number >= _LARGEST_AMOUNT:
            self.fail(at, _("too large for an amount in euros"), value)
            return None
        if number != number.quantize(_CENTS):
            self.fail(at, _("an amount has at most two decimals (cents)"), value)
            return None
        return number.quantize(_CENTS)

    def _number(self, value: Any, at: str) -> Decimal | None:
        if isinstance(value, str):
            try:
                return numbers.parse(value, signs="€")
            except numbers.NumberError as exc:
                self.fail(at, str(exc))
                return None
        try:
            number = Decimal(str(value))
        except InvalidOperation:  # pragma: no cover - a YAML number always converts
            number = None
        if number is None or not number.is_finite():
            self.fail(at, _("not a number"), value)
            return None
        return number

    def date(self, node: Any, key: str, where: str, *, required: bool = False) -> dt.date | None:
        value = self.get(node, key, where, (str, dt.date), required=required)
        if isinstance(value, dt.datetime):  # a date with a time: the day counts
            return value.date()
        if value is None or isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            self.fail(place(where, key), _("not a date (YYYY-MM-DD)"), value)
            return None

    def moment(self, node: Any, key: str, where: str) -> dt.datetime | None:
        """A date and time; without a time zone the Dutch one."""
        value = self.get(node, key, where, (str, dt.date))
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            found: dt.datetime = value
        elif isinstance(value, dt.date):
            found = dt.datetime.combine(value, dt.time())
        else:
            try:
                found = dt.datetime.fromisoformat(value.strip())
            except ValueError:
                self.fail(place(where, key), _("not a date and time (YYYY-MM-DDTHH:MM:SS)"), value)
                return None
        if timezone.is_naive(found):
            found = timezone.make_aware(found)
        return found

    def choice(self, node: Any, key: str, where: str, choices: list[str], default: str) -> str:
        value = self.get(node, key, where, str)
        if value is None:
            return default
        if value not in choices:
            self.fail(
                place(where, key),
                _("is not one of: %(choices)s") % {"choices": ", ".join(choices)},
                value,
            )
            return default
        return str(value)


def _kind(kinds: tuple[type, ...]) -> str:
    names = {
        str: _("text"),
        int: _("a whole number"),
        float: _("a number"),
        list: _("a list"),
        dict: _("a mapping"),
        bool: _("true or false"),
        dt.date: _("a date"),
    }
    return " / ".join(dict.fromkeys(names.get(k, k.__name__) for k in kinds))

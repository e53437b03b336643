"""Reading a plan file, bounded: at most 1 MB, no YAML anchors or aliases, limited nesting and
size; every problem of the YAML itself with its line and column, in the user's language.
"""

from __future__ import annotations

import re
from typing import IO, Any

import yaml
from django.utils.translation import gettext as _

from regie.policy.plan_file.common import FORMAT, PlanFileError

# --- Reading the file, bounded -----------------------------------------------------------------
#
# A plan file is small (a plan of 200 indicators is about 150 kB). Before anything is built from
# it, the event stream of the YAML parser is checked: no anchors or aliases (``&a`` / ``*a``: a
# few lines of them expand to gigabytes, "billion laughs"), at most MAX_DEPTH levels of nesting
# (deep nesting made the recursive composer fail), at most MAX_NODES values and no value longer
# than MAX_SCALAR characters. The events come from libyaml when it is there (fast); only a file
# that passes is loaded.

#: The largest plan file, in bytes (the web form and the command both refuse a larger one).
MAX_BYTES = 1024 * 1024
MAX_DEPTH = 20
MAX_NODES = 200_000
MAX_SCALAR = 50_000

_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_text(stream: IO[bytes]) -> str:
    """Read a plan file from ``stream``, never more than :data:`MAX_BYTES` (+1 to notice)."""
    raw = stream.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise PlanFileError([too_large()])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PlanFileError(
            [_("The file is not UTF-8 text; export it again from Veiligheidsregie.")]
        ) from exc


def too_large() -> str:
    return _("The file is larger than %(size)s; a plan file is at most %(size)s.") % {
        "size": "1 MB"
    }


def _at(mark: Any) -> str:
    if mark is None:
        return _("the file")
    return _("line %(line)d, column %(column)d") % {
        "line": mark.line + 1,
        "column": mark.column + 1,
    }


def _refused(mark: Any, message: str) -> PlanFileError:
    return PlanFileError([f"{_at(mark)}: {message}"])


def _check_event(event: Any, depth: int, nodes: int) -> None:
    mark = event.start_mark
    if isinstance(event, yaml.AliasEvent):
        raise _refused(
            mark,
            _(
                "a reference to another part of the file (*%(name)s) is not allowed in a plan "
                "file; write the value out in full"
            )
            % {"name": event.anchor},
        )
    if event.anchor is not None:
        raise _refused(
            mark,
            _("an anchor (&%(name)s) is not allowed in a plan file; write every value out in full")
            % {"name": event.anchor},
        )
    if nodes > MAX_NODES:
        raise _refused(
            mark,
            _("the file holds more than %(count)s values; a plan file has far fewer")
            % {"count": f"{MAX_NODES:,}".replace(",", ".")},
        )
    if depth > MAX_DEPTH:
        raise _too_deep(mark)
    if isinstance(event, yaml.ScalarEvent) and len(event.value) > MAX_SCALAR:
        raise _refused(
            mark,
            _("a value is longer than %(count)s characters")
            % {"count": f"{MAX_SCALAR:,}".replace(",", ".")},
        )


def _too_deep(mark: Any) -> PlanFileError:
    return _refused(
        mark,
        _("nested more than %(depth)d levels deep; a plan file is not that deep")
        % {"depth": MAX_DEPTH},
    )


def _check_events(text: str) -> None:
    """Refuse what could make loading the file slow or large, before it is loaded."""
    loader = _SafeLoader(text)
    depth = nodes = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            elif isinstance(event, yaml.NodeEvent):  # aliases, scalars, collection starts
                nodes += 1
                depth += isinstance(event, yaml.CollectionStartEvent)
                _check_event(event, depth, nodes)
    except yaml.MarkedYAMLError as exc:
        # libyaml reads ahead and stops at 1000 levels itself, before the events get here.
        if "nesting depth" in str(exc.problem):
            raise _too_deep(exc.problem_mark) from exc
        raise
    finally:
        loader.dispose()


# --- Values that YAML cannot convert -----------------------------------------------------------
#
# YAML converts plain values by their look or by an explicit tag: ``2024-13-45`` looks like a date,
# ``!!float abc`` asks for a number. Such a conversion raises ValueError, TypeError or worse
# deep inside the loader; :class:`_Loader` turns each into a problem at the value's place. It also
# refuses numbers of more than :data:`MAX_DIGITS` digits (no field of a plan holds one; a
# thousand-digit number cannot even be printed) and text with a NUL character or a lone
# surrogate (no database column stores them).

#: The most digits a whole number in a plan file has.
MAX_DIGITS = 15
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_TAG_PROBLEMS = {
    "tag:yaml.org,2002:int": lambda: _("not a whole number: %(value)s"),
    "tag:yaml.org,2002:float": lambda: _("not a number: %(value)s"),
    "tag:yaml.org,2002:bool": lambda: _("not true or false: %(value)s"),
    "tag:yaml.org,2002:timestamp": lambda: _("not a valid date or time: %(value)s"),
}


def _shown(node: Any) -> str:
    """A scalar node's text for a problem, quoted and cut short."""
    value = node.value if isinstance(getattr(node, "value", None), str) else ""
    return repr(value if len(value) <= 40 else value[:39] + "…")


def _value_problem(node: Any) -> PlanFileError:
    if node.tag == "tag:yaml.org,2002:int" and len(str(node.value)) > MAX_DIGITS:
        return _too_many_digits(node.start_mark)
    problem = _TAG_PROBLEMS.get(node.tag)
    message = (problem() if problem else _("this value cannot be read: %(value)s")) % {
        "value": _shown(node)
    }
    return _refused(node.start_mark, message)


def _too_many_digits(mark: Any) -> PlanFileError:
    return _refused(
        mark,
        _("a number of more than %(digits)d digits; no value of a plan is that large")
        % {"digits": MAX_DIGITS},
    )


class _Loader(_SafeLoader):  # type: ignore[misc]
    """The safe loader; a value it cannot convert is a :class:`PlanFileError` at its place."""

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        try:
            value = super().construct_object(node, deep=deep)
        except (yaml.YAMLError, PlanFileError):
            raise
        except (
            ValueError,
            TypeError,
            OverflowError,
            ArithmeticError,
            LookupError,
            AttributeError,
        ) as exc:
            # e.g. month 13, "abc" as !!float, 5,000 digits, "maybe" as !!bool (KeyError),
            # !!timestamp of text that is no date at all (AttributeError)
            raise _value_problem(node) from exc
        if isinstance(value, int) and not isinstance(value, bool):
            if not -(10**MAX_DIGITS) < value < 10**MAX_DIGITS:
                raise _too_many_digits(node.start_mark)
        elif isinstance(value, str) and _UNSTORABLE.search(value):
            raise _refused(
                node.start_mark,
                _(
                    "the text holds a NUL character or another character that cannot be stored; "
                    "remove it"
                ),
            )
        return value


def _starts_badly() -> str:
    return _("a character that cannot begin a value (such as @ or `); put the text between quotes")


#: Common problems of the YAML parser (libyaml's English words), in the user's language.
_YAML_PROBLEMS: list[tuple[str, Any]] = [
    (
        "control characters",
        lambda: _("a control character, which a text file cannot hold; remove it"),
    ),
    (
        "special characters",
        lambda: _("a control character, which a text file cannot hold; remove it"),
    ),
    (
        "mapping values are not allowed",
        lambda: _(
            "a colon (:) where no field name can begin; put text with a colon between quotes"
        ),
    ),
    ("tab character", lambda: _("a tab character; indent with spaces")),
    ("cannot start any token", _starts_badly),
    ("expected ',' or ']'", lambda: _("a list that begins with [ is not closed with ]")),
    ("expected ',' or '}'", lambda: _("a mapping that begins with { is not closed with }")),
    (
        "escape",
        lambda: _(
            "an unknown escape (a backslash) in text between double quotes; use single quotes"
        ),
    ),
    (
        "hexdecimal number",
        lambda: _(
            "an unknown escape (a backslash) in text between double quotes; use single quotes"
        ),
    ),
    ("end of stream", lambda: _("the file ends in the middle of a value; is a quote not closed?")),
    (
        "expected <document start>",
        lambda: _("text after the end of the plan's structure; check the indentation here"),
    ),
    ("directive", _starts_badly),
    (
        "alphabetic or numeric character",
        lambda: _("a & or * without a name after it; put text that begins so between quotes"),
    ),
    ("expected ':'", lambda: _("a field name without a colon (:) after it")),
    (
        "expected comment or line break",
        lambda: _("more text after a value between quotes; put the whole value between quotes"),
    ),
    (
        "expected key",
        lambda: _("the indentation is not right: fields of one level begin in the same column"),
    ),
    (
        "indentation",
        lambda: _("the indentation is not right: fields of one level begin in the same column"),
    ),
]


def _constructor_problem(problem: str) -> str:
    if "could not determine a constructor" in problem or "undefined tag" in problem:
        return _("a type marker (starting with !) that a plan file does not use; remove it")
    if "unhashable key" in problem:
        return _("a field name that is a list or a mapping; a field name is one word")
    return _("a type marker (starting with !) that does not fit the value; remove it")


def _yaml_problem(exc: yaml.YAMLError, text: str) -> str:
    """Where and what is wrong, in the user's language (never the parser's English words)."""
    problem = str(getattr(exc, "problem", None) or exc)
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if isinstance(exc, yaml.reader.ReaderError):  # a character the reader refuses: no mark
        position = max(0, min(exc.position, len(text)))
        line_start = text.rfind("\n", 0, position) + 1
        mark = yaml.error.Mark(
            "", position, text.count("\n", 0, position), position - line_start, "", 0
        )
    if isinstance(exc, yaml.constructor.ConstructorError):
        message = _constructor_problem(problem)
    else:
        message = next(
            (say() for words, say in _YAML_PROBLEMS if words in problem),
            _("not valid YAML; compare this place with an exported plan file"),
        )
    return f"{_at(mark)}: {message}"


def load_bounded(text: str, *, what: str = "") -> Any:
    """The YAML ``text`` as data under the limits of a plan file (size, anchors and aliases,
    depth, number and length of values, digits); :class:`PlanFileError` with line and column of
    what is refused. Other YAML files of the product (the programme file) are read by it too."""
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise PlanFileError([too_large()])
    try:
        _check_events(text)
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise PlanFileError([_yaml_problem(exc, text)]) from exc
    except RecursionError as exc:  # pragma: no cover - the depth check comes first
        raise PlanFileError([_("The file is nested too deeply.")]) from exc


def parse(text: str) -> dict[str, Any]:
    """The YAML text as data; :class:`PlanFileError` when it is not YAML or not a plan file.

    Bounded (see above): too large, anchors and aliases, deep nesting, too many or too long
    values are refused with their line and column before the file is loaded; a value that YAML
    cannot convert (a 13th month, ``!!float abc``) with its line and column while it is loaded.
    """
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise PlanFileError([too_large()])
    try:
        _check_events(text)
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise PlanFileError([_yaml_problem(exc, text)]) from exc
    except RecursionError as exc:  # pragma: no cover - the depth check comes first
        raise PlanFileError([_("The file is nested too deeply to be a plan file.")]) from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise PlanFileError(
            [_("format: expected %(format)r (is this a plan file?)") % {"format": FORMAT}]
        )
    return data

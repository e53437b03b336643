"""A whole plan as one YAML file: readable, reviewable in git, and a lossless round trip.

``export_plan`` gives a plain dict in a fixed key order; ``dump`` writes it as YAML (block style,
Unicode, no tags). ``parse`` reads a file back into that dict and checks every field, collecting
all problems with their place in the file (``priorities[1].themes[0].goals[2].aim``) before
anything is stored; ``import_plan`` then creates a new plan in one transaction. Exporting the
imported plan gives the same file byte for byte. Database ids, creation times and the status
snapshots (which belong to reports of one stored plan) are not part of the file; status
overrides are, with their reason, author label and time (kept on import only for a faithful copy
of an override the organisation already has, see :class:`_Overrides`). A file is read bounded:
at most 1 MB, no YAML anchors or aliases, limited nesting and size (see :func:`parse`).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any, TypeVar

import yaml
from django.db import DataError, IntegrityError, models, transaction
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils import timezone
from django.utils.translation import gettext as _

from regie.areas.models import Area
from regie.core.models import Organisation
from regie.monitor.models import Measure
from regie.monitor.selectors import visible_measures
from regie.policy import scales
from regie.policy.engine import Status, TargetKind
from regie.policy.models import (
    BudgetLine,
    CapacityLine,
    Goal,
    Indicator,
    Plan,
    PlanState,
    Priority,
    PriorityKind,
    SafetyTheme,
    Scenario,
    StatedFigure,
    StatusOverride,
    Theme,
)
from regie.stats import periods

logger = logging.getLogger(__name__)

FORMAT = "veiligheidsregie-plan/1"
DEMO_DIR = Path(__file__).resolve().parent / "data"


class PlanFileError(ValueError):
    """The file cannot become a plan; ``problems`` lists each with its place in the file."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


# --- Export ---------------------------------------------------------------------------------


def money(value: Decimal | None) -> int | str | None:
    """Whole euros as an int; anything else as an exact decimal string."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else format(value.normalize(), "f")


def _number(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else float(value)


def _fte(value: Decimal | None) -> int | float | None:
    return None if value is None else _number(float(value))


def _codes(themes: Any) -> list[str]:
    return sorted(t.code for t in themes.all())


def export_plan(plan: Plan) -> dict[str, Any]:
    """The plan as plain data, in the order a reader expects."""
    plan = (
        Plan.objects.select_related("organisation")
        .prefetch_related(
            "priorities__themes__safety_themes",
            "priorities__themes__goals__safety_themes",
            "priorities__themes__goals__indicators__measure",
            "priorities__themes__goals__indicators__area",
            "priorities__themes__goals__indicators__overrides__created_by",
            "priorities__themes__scenarios__lines",
            "budget_lines",
            "stated_figures",
        )
        .get(pk=plan.pk)
    )
    data: dict[str, Any] = {
        "format": FORMAT,
        "gemeente": plan.organisation.cbs_code,
        "title": plan.title,
        "summary": plan.summary,
        "period": {"start": plan.start_year, "end": plan.end_year},
        "state": plan.state,
        "adopted_on": plan.adopted_on.isoformat() if plan.adopted_on else None,
        "version": plan.version,
        "scenario_decision": {
            "decided_on": plan.decision_date.isoformat() if plan.decision_date else None,
            "costs_start": plan.costs_start.isoformat() if plan.costs_start else None,
        },
        "priorities": [_priority(p) for p in plan.priorities.all()],
        "budget": _budget(plan),
        "stated_figures": [
            {
                "label": s.label,
                "year": s.year,
                "through_end": s.through_end,
                "amount": money(s.amount),
                "note": s.note,
            }
            for s in plan.stated_figures.all()
        ],
    }
    return data


def _priority(priority: Priority) -> dict[str, Any]:
    return {
        "key": priority.key,
        "kind": priority.kind,
        "title": priority.title,
        "description": priority.description,
        "aim": priority.aim,
        "themes": [_theme(t) for t in priority.themes.all()],
    }


def _theme(theme: Theme) -> dict[str, Any]:
    return {
        "key": theme.key,
        "title": theme.title,
        "description": theme.description,
        "kbv": _codes(theme.safety_themes),
        "goals": [_goal(g) for g in theme.goals.all()],
        "scenarios": [
            {
                "letter": s.letter,
                "title": s.title,
                "description": s.description,
                "chosen": s.chosen,
                "lines": [
                    {
                        "label": line.label,
                        "fte_extra": _fte(line.fte_extra),
                        "fte_total": _fte(line.fte_total),
                        "amount": money(line.amount),
                        "cap": money(line.cap),
                        "note": line.note,
                    }
                    for line in s.lines.all()
                ],
            }
            for s in theme.scenarios.all()
        ],
    }


def _goal(goal: Goal) -> dict[str, Any]:
    return {
        "key": goal.key,
        "aim": goal.aim,
        "kbv": _codes(goal.safety_themes),
        "indicators": [_indicator(i) for i in goal.indicators.all()],
    }


def _indicator(indicator: Indicator) -> dict[str, Any]:
    overrides = sorted(indicator.overrides.all(), key=lambda o: (o.created_at, o.pk))
    return {
        "key": indicator.key,
        "name": indicator.name,
        "measure": indicator.measure.code,
        "area": indicator.area.code,
        "target": target_of(indicator),
        "baseline": {
            "period": indicator.baseline_period or None,
            "value": _number(indicator.baseline_value),
        },
        "decimals": indicator.decimals,
        "overrides": [
            {
                "status": o.status or None,
                "reason": o.reason,
                "by": o.created_by.get_username() if o.created_by else None,
                "at": o.created_at.isoformat(timespec="seconds"),
            }
            for o in overrides
        ],
    }


def target_of(indicator: Indicator) -> dict[str, Any]:
    kind = TargetKind(indicator.target_kind)
    if kind == TargetKind.TRAJECTORY:
        return {
            "kind": kind.value,
            "from": {"year": indicator.start_year, "value": _number(indicator.start_value)},
            "to": {"year": indicator.end_year, "value": _number(indicator.end_value)},
        }
    if kind in (TargetKind.AT_LEAST, TargetKind.AT_MOST):
        return {"kind": kind.value, "value": _number(indicator.target_value)}
    return {"kind": kind.value}


def _budget(plan: Plan) -> list[dict[str, Any]]:
    lines: dict[str, dict[str, Any]] = {}
    for line in plan.budget_lines.all():
        entry = lines.setdefault(line.label, {"label": line.label, "note": "", "amounts": {}})
        entry["amounts"][line.year] = money(line.amount)
        if line.note and not entry["note"]:
            entry["note"] = line.note
        if line.recurring:  # only when there is one: files without structural lines unchanged
            entry.setdefault("recurring", []).append(line.year)
    return list(lines.values())


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, indent=2)


def export_yaml(plan: Plan) -> str:
    return dump(export_plan(plan))


# --- Import ---------------------------------------------------------------------------------


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


def import_plan(
    data: dict[str, Any],
    *,
    organisation: Organisation | None = None,
    user: Any = None,
    predecessor: Plan | None = None,
) -> Plan:
    """Create a new plan from ``data`` in one transaction (nothing is stored on any problem).

    ``organisation`` must match the file's gemeente when given (the CLI passes none and uses the
    file's; the browser passes the user's organisation). ``user`` is who imports (none: the
    system); status overrides the file cannot vouch for are theirs (see :class:`_Overrides`).
    ``predecessor`` makes the plan the next version of that plan (:func:`services.new_version`).
    """
    reader = _Reader()
    code = reader.text(data, "gemeente", "plan")
    found = Organisation.objects.filter(cbs_code=code).first() if code else None
    if code and found is None:
        reader.fail("plan.gemeente", _("no organisation with code %(code)r") % {"code": code})
    if organisation is not None and found is not None and found.pk != organisation.pk:
        reader.fail(
            "plan.gemeente",
            _("the file is a plan of %(code)s, not of %(name)s")
            % {"code": code, "name": organisation.name},
        )
    # Only measures the gemeente may see: another gemeente's own measures are not found.
    measures = {m.code: m for m in visible_measures(found)}
    areas: dict[str, Area] = {}
    kbv = {t.code: t for t in SafetyTheme.objects.all()}
    overrides = _Overrides(found, user)
    reader.get(data, "format", "plan", str)  # checked by parse()
    try:
        with transaction.atomic():
            plan = _build(reader, data, found, measures, areas, kbv, overrides, predecessor)
            if not reader.problems:
                reader.unknown_keys()
            if reader.problems:
                transaction.set_rollback(True)
                raise PlanFileError(reader.problems)
    except PlanFileError:
        raise
    except (
        ValueError,
        TypeError,
        OverflowError,
        ArithmeticError,
        DataError,
        IntegrityError,
    ) as exc:
        # A value the checks above let through and the database refused: still the file's
        # problem, at the place read last (everything was rolled back). No file values logged.
        logger.warning("plan file value at %s not stored: %s", reader.last, type(exc).__name__)
        problem = _("this value cannot be stored; check it")
        raise PlanFileError([*reader.problems, f"{reader.last}: {problem}"]) from exc
    return plan


#: A status override's place and content: priority, theme, goal and indicator key, status,
#: reason, author's login name (None: none) and time (UTC, whole seconds).
_OverrideKey = tuple[str, str, str, str, str, str, str | None, dt.datetime]


class _Overrides:
    """Who made a status override in the file, and when: only what the organisation's history
    vouches for.

    A file is text anyone can write, so its ``by`` and ``at`` are a claim. An override keeps them
    only when it is a faithful copy of one that exists in a plan of this organisation (the same
    indicator, status, reason, author and time: an exported plan read back, or a new version).
    Any other override is recorded as made by the importing person (none: the system) at the
    time of the import, with the file's claim kept visibly at the end of its reason.
    """

    def __init__(self, organisation: Organisation | None, user: Any) -> None:
        self.organisation = organisation
        self.user = user if getattr(user, "is_authenticated", False) else None
        self._known: dict[_OverrideKey, Any] | None = None

    def known(self) -> dict[_OverrideKey, Any]:
        if self._known is None:
            rows = StatusOverride.objects.filter(
                indicator__goal__theme__priority__plan__organisation=self.organisation
            ).select_related("created_by", "indicator__goal__theme__priority")
            self._known = {}
            for row in rows:
                goal = row.indicator.goal
                key: _OverrideKey = (
                    goal.theme.priority.key,
                    goal.theme.key,
                    goal.key,
                    row.indicator.key,
                    row.status,
                    row.reason,
                    row.created_by.get_username() if row.created_by else None,
                    _utc_second(row.created_at),
                )
                self._known[key] = row.created_by
        return self._known

    def author_and_time(
        self, place: tuple[str, str, str, str], status: str, reason: str, by: Any, at: Any
    ) -> dict[str, Any]:
        """The fields ``created_by``, ``created_at`` and ``reason`` for an override of the file."""
        when = _aware(at) if isinstance(at, dt.datetime) else None
        name = by if isinstance(by, str) else None
        if when is not None:
            key: _OverrideKey = (*place, status, reason, name, _utc_second(when))
            if key in self.known():
                return {"created_by": self.known()[key], "created_at": when, "reason": reason}
        claim = (
            _("(from the plan file: by %(by)s on %(at)s)") % {"by": name[:150], "at": _text(at)}
            if name
            else _("(from the plan file: on %(at)s)") % {"at": _text(at)}
        )
        return {
            "created_by": self.user,
            "created_at": timezone.now(),
            "reason": f"{reason} {claim}".strip(),
        }


def _aware(value: dt.datetime) -> dt.datetime:
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _utc_second(value: dt.datetime) -> dt.datetime:
    return _aware(value).astimezone(dt.UTC).replace(microsecond=0)


def _text(value: Any) -> str:
    return (value.isoformat() if isinstance(value, dt.datetime) else str(value))[:40]


#: Model fields whose key in the file differs from the field name ("": the place itself).
_FILE_KEYS: dict[tuple[type[models.Model], str], str] = {
    (Plan, "start_year"): "period.start",
    (Plan, "end_year"): "period.end",
    (Plan, "decision_date"): "scenario_decision.decided_on",
    (Plan, "costs_start"): "scenario_decision.costs_start",
    (Indicator, "start_year"): "target.from.year",
    (Indicator, "end_year"): "target.to.year",
    (Indicator, "start_value"): "target.from.value",
    (Indicator, "end_value"): "target.to.value",
    (Indicator, "target_value"): "target.value",
    (Indicator, "baseline_value"): "baseline.value",
    (Indicator, "baseline_period"): "baseline.period",
    (BudgetLine, "year"): "",
    (BudgetLine, "amount"): "",
}
_INTEGER_RANGES = BaseDatabaseOperations.integer_field_ranges


def _fits(model_field: models.Field[Any, Any], value: Any) -> tuple[str, Any] | None:
    """What is wrong with ``value`` for ``model_field`` (and a value that fits instead), or None.

    What a database refuses or cannot hold: text longer than the column, a whole number outside
    the column's range (the narrowest of the databases: PostgreSQL's), an amount with more digits
    than the column, a number that is not finite.
    """
    if isinstance(value, str):
        limit = getattr(model_field, "max_length", None)
        if limit is not None and len(value) > limit:
            return _("longer than %(count)d characters") % {"count": limit}, value[:limit]
        return None
    if isinstance(value, bool) or value is None:
        return None
    bounds = _INTEGER_RANGES.get(model_field.get_internal_type())
    if bounds is not None and isinstance(value, int):
        low, high = bounds
        if not low <= value <= high:
            message = _("must be a whole number from %(low)s to %(high)s") % {
                "low": low,
                "high": high,
            }
            return message, _replacement(model_field, low)
    if isinstance(model_field, models.DecimalField) and isinstance(value, Decimal):
        whole = (model_field.max_digits or 0) - (model_field.decimal_places or 0)
        if value and value.adjusted() >= whole:
            message = _("too large: at most %(digits)d digits before the decimal point") % {
                "digits": whole
            }
            return message, _replacement(model_field, Decimal(0))
    if isinstance(value, float) and not math.isfinite(value):
        return _("not a finite number"), _replacement(model_field, 0.0)
    return None


def _replacement(model_field: models.Field[Any, Any], otherwise: Any) -> Any:
    """A value ``model_field`` holds, in place of one it cannot (the import fails anyway)."""
    if model_field.null:
        return None
    return model_field.get_default() if model_field.has_default() else otherwise


_M = TypeVar("_M", bound=models.Model)


def _create(reader: _Reader, where: str, model: type[_M], **fields: Any) -> _M:
    """``model.objects.create(**fields)``, with a problem at its place for each value the
    database could not store (which is then replaced, so that the rest is still checked)."""
    for name, value in list(fields.items()):
        model_field = model._meta.get_field(name)
        if not isinstance(model_field, models.Field):  # pragma: no cover - concrete fields only
            continue
        wrong = _fits(model_field, value)
        if wrong is not None:
            message, fields[name] = wrong
            key = _FILE_KEYS.get((model, name), name)
            reader.fail(f"{where}.{key}" if key else where, message)
    return model._default_manager.create(**fields)


def _build(
    reader: _Reader,
    data: dict[str, Any],
    organisation: Organisation | None,
    measures: dict[str, Measure],
    areas: dict[str, Area],
    kbv: dict[str, SafetyTheme],
    overrides: _Overrides,
    predecessor: Plan | None,
) -> Plan:
    period = reader.get(data, "period", "plan", dict) or {}
    start = reader.get(period, "start", "plan.period", int)
    end = reader.get(period, "end", "plan.period", int)
    if isinstance(start, int) and isinstance(end, int) and end < start:
        reader.fail("plan.period", _("the last year comes before the first"))
    state = reader.choice(data, "state", "plan", [s.value for s in PlanState], PlanState.CONCEPT)
    adopted_on = reader.date(data, "adopted_on", "plan")
    if state == PlanState.ADOPTED and adopted_on is None:
        reader.fail("plan.adopted_on", _("an adopted plan needs the date of the council decision"))
    decision = reader.get(data, "scenario_decision", "plan", dict, required=False) or {}
    version = reader.get(data, "version", "plan", int, required=False) or 1
    if reader.problems or organisation is None:
        # Without a valid head nothing below can be stored; still check the rest for problems.
        _check_children(reader, data, measures, areas, kbv)
        return Plan()
    plan = _create(
        reader,
        "plan",
        Plan,
        organisation=organisation,
        title=reader.text(data, "title", "plan"),
        summary=reader.text(data, "summary", "plan", required=False),
        start_year=start,
        end_year=end,
        state=state,
        adopted_on=adopted_on,
        version=version,
        decision_date=reader.date(decision, "decided_on", "plan.scenario_decision"),
        costs_start=reader.date(decision, "costs_start", "plan.scenario_decision"),
        predecessor=predecessor,
    )
    _children(reader, data, plan, measures, areas, kbv, overrides)
    return plan


def _check_children(
    reader: _Reader,
    data: dict[str, Any],
    measures: dict[str, Measure],
    areas: dict[str, Area],
    kbv: dict[str, SafetyTheme],
) -> None:
    for where, item in reader.items(data, "priorities", "plan"):
        for twhere, theme in reader.items(item, "themes", where):
            for gwhere, goal in reader.items(theme, "goals", twhere):
                for iwhere, indicator in reader.items(goal, "indicators", gwhere):
                    _refs(reader, indicator, iwhere, measures, areas)


def _refs(
    reader: _Reader, node: Any, where: str, measures: dict[str, Measure], areas: dict[str, Area]
) -> tuple[Measure | None, Area | None]:
    code = reader.text(node, "measure", where)
    measure = measures.get(code)
    if code and measure is None:
        reader.fail(f"{where}.measure", _("unknown measure %(code)r") % {"code": code})
    area_code = reader.text(node, "area", where)
    if area_code and area_code not in areas:
        found = Area.objects.filter(code=area_code).first()
        if found is None:
            reader.fail(f"{where}.area", _("unknown area %(code)r") % {"code": area_code})
        else:
            areas[area_code] = found
    return measure, areas.get(area_code)


def _tags(reader: _Reader, node: Any, where: str, kbv: dict[str, SafetyTheme]) -> list[SafetyTheme]:
    tags: list[SafetyTheme] = []
    for code in reader.get(node, "kbv", where, list, required=False) or []:
        found = kbv.get(str(code))
        if found is None:
            reader.fail(f"{where}.kbv", _("unknown KBV theme %(code)r") % {"code": code})
        else:
            tags.append(found)
    return tags


def _children(
    reader: _Reader,
    data: dict[str, Any],
    plan: Plan,
    measures: dict[str, Measure],
    areas: dict[str, Area],
    kbv: dict[str, SafetyTheme],
    overrides: _Overrides,
) -> None:
    seen: set[str] = set()
    for p_index, (where, item) in enumerate(reader.items(data, "priorities", "plan")):
        key = reader.text(item, "key", where)
        if key in seen:
            reader.fail(f"{where}.key", _("%(key)r is used twice") % {"key": key})
            continue
        seen.add(key)
        priority = _create(
            reader,
            where,
            Priority,
            plan=plan,
            key=key,
            kind=reader.choice(
                item, "kind", where, [k.value for k in PriorityKind], PriorityKind.PRIORITY
            ),
            title=reader.text(item, "title", where),
            description=reader.text(item, "description", where, required=False),
            aim=reader.text(item, "aim", where, required=False),
            position=p_index,
        )
        theme_keys: set[str] = set()
        for t_index, (twhere, titem) in enumerate(reader.items(item, "themes", where)):
            tkey = reader.text(titem, "key", twhere)
            if tkey in theme_keys:
                reader.fail(f"{twhere}.key", _("%(key)r is used twice") % {"key": tkey})
                continue
            theme_keys.add(tkey)
            theme = _create(
                reader,
                twhere,
                Theme,
                priority=priority,
                key=tkey,
                title=reader.text(titem, "title", twhere),
                description=reader.text(titem, "description", twhere, required=False),
                position=t_index,
            )
            theme.safety_themes.set(_tags(reader, titem, twhere, kbv))
            _goals(reader, titem, twhere, theme, measures, areas, kbv, overrides)
            _scenarios(reader, titem, twhere, theme)
    for position, (where, item) in enumerate(reader.items(data, "budget", "plan")):
        label = reader.text(item, "label", where)
        amounts = reader.get(item, "amounts", where, dict) or {}
        recurring = _recurring_years(reader, item, where, amounts)
        for b_index, (year, amount) in enumerate(
            sorted(amounts.items(), key=lambda kv: str(kv[0]))
        ):
            value = reader.decimal({"amount": amount}, "amount", f"{where}.amounts.{year}")
            if not isinstance(year, int) or isinstance(year, bool):
                reader.fail(
                    f"{where}.amounts", _("year %(year)r is not a whole number") % {"year": year}
                )
                continue
            if value is not None:
                _create(
                    reader,
                    f"{where}.amounts.{year}",
                    BudgetLine,
                    plan=plan,
                    label=label,
                    year=year,
                    recurring=year in recurring,
                    amount=value,
                    note=reader.text(item, "note", where, required=False) if b_index == 0 else "",
                    position=position,
                )
    for where, item in reader.items(data, "stated_figures", "plan"):
        amount = reader.decimal(item, "amount", where)
        year = reader.get(item, "year", where, int)
        if amount is not None and year is not None:
            _create(
                reader,
                where,
                StatedFigure,
                plan=plan,
                label=reader.text(item, "label", where),
                year=year,
                through_end=bool(reader.get(item, "through_end", where, bool, required=False)),
                amount=amount,
                note=reader.text(item, "note", where, required=False),
            )


def _recurring_years(reader: _Reader, item: Any, where: str, amounts: dict[Any, Any]) -> set[int]:
    """The years of a budget item whose amount is structural (``recurring: [2025]``)."""
    years = reader.get(item, "recurring", where, list, required=False) or []
    found: set[int] = set()
    for year in years:
        if not isinstance(year, int) or isinstance(year, bool) or year not in amounts:
            reader.fail(
                f"{where}.recurring",
                _("%(year)r is not a year of this line's amounts") % {"year": year},
            )
            continue
        found.add(year)
    return found


def _goals(
    reader: _Reader,
    titem: Any,
    twhere: str,
    theme: Theme,
    measures: dict[str, Measure],
    areas: dict[str, Area],
    kbv: dict[str, SafetyTheme],
    overrides: _Overrides,
) -> None:
    goal_keys: set[str] = set()
    for g_index, (gwhere, gitem) in enumerate(reader.items(titem, "goals", twhere)):
        gkey = reader.text(gitem, "key", gwhere)
        if gkey in goal_keys:
            reader.fail(f"{gwhere}.key", _("%(key)r is used twice") % {"key": gkey})
            continue
        goal_keys.add(gkey)
        goal = _create(
            reader,
            gwhere,
            Goal,
            theme=theme,
            key=gkey,
            aim=reader.text(gitem, "aim", gwhere),
            position=g_index,
        )
        goal.safety_themes.set(_tags(reader, gitem, gwhere, kbv))
        indicator_keys: set[str] = set()
        for i_index, (iwhere, iitem) in enumerate(reader.items(gitem, "indicators", gwhere)):
            ikey = reader.text(iitem, "key", iwhere)
            if ikey in indicator_keys:
                reader.fail(f"{iwhere}.key", _("%(key)r is used twice") % {"key": ikey})
                continue
            indicator_keys.add(ikey)
            measure, area = _refs(reader, iitem, iwhere, measures, areas)
            fields = _target_fields(reader, iitem, iwhere)
            baseline = reader.get(iitem, "baseline", iwhere, dict, required=False) or {}
            base_value = reader.decimal(baseline, "value", f"{iwhere}.baseline", required=False)
            base_period = reader.get(
                baseline, "period", f"{iwhere}.baseline", (str, int), required=False
            )
            if base_period is not None:
                try:
                    base_period = periods.parse(str(base_period)).code
                except periods.PeriodError:
                    reader.fail(
                        f"{iwhere}.baseline.period",
                        _("unknown period %(value)r") % {"value": base_period},
                    )
                    base_period = None
            if measure is None or area is None or fields is None:
                continue
            baseline_value = None if base_value is None else float(base_value)
            for name, in_file in (
                ("target_value", "target.value"),
                ("start_value", "target.from.value"),
                ("end_value", "target.to.value"),
                ("baseline_value", "baseline.value"),
            ):
                value = baseline_value if name == "baseline_value" else fields.get(name)
                problem = scales.scale_problem(measure, value)
                if problem:
                    reader.fail(f"{iwhere}.{in_file}", problem)
            if base_period and baseline_value is None:
                # No value in the file: the baseline is read from the figures.
                from regie.policy.status import value_in_data

                baseline_value = value_in_data(
                    theme.priority.plan.organisation, area, measure, str(base_period)
                )
            indicator = _create(
                reader,
                iwhere,
                Indicator,
                goal=goal,
                key=ikey,
                name=reader.text(iitem, "name", iwhere),
                measure=measure,
                area=area,
                baseline_period=base_period or "",
                baseline_value=baseline_value,
                decimals=_decimals(reader.get(iitem, "decimals", iwhere, int, required=False)),
                position=i_index,
                **fields,
            )
            place = (theme.priority.key, theme.key, gkey, ikey)
            _overrides(reader, iitem, iwhere, indicator, place, overrides)


def _overrides(
    reader: _Reader,
    iitem: Any,
    iwhere: str,
    indicator: Indicator,
    place: tuple[str, str, str, str],
    overrides: _Overrides,
) -> None:
    for owhere, oitem in reader.items(iitem, "overrides", iwhere):
        status = reader.get(oitem, "status", owhere, str, required=False) or ""
        if status and status not in {s.value for s in Status}:
            reader.fail(f"{owhere}.status", _("unknown status %(value)r") % {"value": status})
        at = reader.get(oitem, "at", owhere, (str, dt.datetime))
        when = at if isinstance(at, dt.datetime) else None
        if isinstance(at, str):
            try:
                when = dt.datetime.fromisoformat(at)
            except ValueError:
                reader.fail(f"{owhere}.at", _("not a date and time: %(value)r") % {"value": at})
        if when is not None:
            try:
                _utc_second(when)
            except (OverflowError, ValueError):  # year 1 or 9999 moved across a day boundary
                reader.fail(
                    f"{owhere}.at", _("not a date and time: %(value)r") % {"value": _text(at)}
                )
                when, at = None, ""
        by = reader.get(oitem, "by", owhere, str, required=False)
        reason = reader.text(oitem, "reason", owhere)
        _create(
            reader,
            owhere,
            StatusOverride,
            indicator=indicator,
            status=status,
            **overrides.author_and_time(place, status, reason, by, when or at),
        )


def _decimals(value: int | None) -> int:
    """The file's decimals, or the model's default when the file leaves them out."""
    if value is None:
        default = Indicator._meta.get_field("decimals").default
        return int(default) if isinstance(default, int) else 1
    return value


def _target_fields(reader: _Reader, node: Any, where: str) -> dict[str, Any] | None:
    target = reader.get(node, "target", where, dict)
    if target is None:
        return None
    kind = reader.choice(target, "kind", f"{where}.target", [k.value for k in TargetKind])
    fields: dict[str, Any] = {"target_kind": kind}
    if kind == TargetKind.TRAJECTORY:
        start = reader.get(target, "from", f"{where}.target", dict) or {}
        end = reader.get(target, "to", f"{where}.target", dict) or {}
        fields["start_year"] = reader.get(start, "year", f"{where}.target.from", int)
        fields["end_year"] = reader.get(end, "year", f"{where}.target.to", int)
        start_value = reader.decimal(start, "value", f"{where}.target.from")
        end_value = reader.decimal(end, "value", f"{where}.target.to")
        fields["start_value"] = None if start_value is None else float(start_value)
        fields["end_value"] = None if end_value is None else float(end_value)
        if (
            isinstance(fields["start_year"], int)
            and isinstance(fields["end_year"], int)
            and fields["end_year"] <= fields["start_year"]
        ):
            reader.fail(f"{where}.target", _("the goal year must come after the start year"))
    elif kind in (TargetKind.AT_LEAST, TargetKind.AT_MOST):
        value = reader.decimal(target, "value", f"{where}.target")
        fields["target_value"] = None if value is None else float(value)
    return fields


def _scenarios(reader: _Reader, titem: Any, twhere: str, theme: Theme) -> None:
    letters: set[str] = set()
    chosen = 0
    for swhere, sitem in reader.items(titem, "scenarios", twhere):
        letter = reader.text(sitem, "letter", swhere)
        if letter in letters:
            reader.fail(f"{swhere}.letter", _("%(key)r is used twice") % {"key": letter})
            continue
        letters.add(letter)
        is_chosen = bool(reader.get(sitem, "chosen", swhere, bool, required=False))
        chosen += is_chosen
        if chosen > 1 and is_chosen:
            reader.fail(f"{swhere}.chosen", _("only one scenario of a theme can be chosen"))
            is_chosen = False
        scenario = _create(
            reader,
            swhere,
            Scenario,
            theme=theme,
            letter=letter,
            title=reader.text(sitem, "title", swhere),
            description=reader.text(sitem, "description", swhere, required=False),
            chosen=is_chosen,
        )
        for l_index, (lwhere, litem) in enumerate(reader.items(sitem, "lines", swhere)):
            amount = reader.decimal(litem, "amount", lwhere)
            if amount is None:
                continue
            _create(
                reader,
                lwhere,
                CapacityLine,
                scenario=scenario,
                label=reader.text(litem, "label", lwhere),
                fte_extra=reader.decimal(litem, "fte_extra", lwhere, required=False) or Decimal(0),
                fte_total=reader.decimal(litem, "fte_total", lwhere, required=False),
                amount=amount,
                cap=reader.decimal(litem, "cap", lwhere, required=False),
                note=reader.text(litem, "note", lwhere, required=False),
                position=l_index,
            )

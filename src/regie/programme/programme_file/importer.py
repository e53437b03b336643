"""Import: a new programme from a programme file, in one transaction.

Every field is checked and every problem collected with its place in the file and the value
found there before anything is stored; then the programme, its actions, their progress notes,
the evaluation and (for an adopted programme) the college's decision are written through
:mod:`regie.programme.services`, the one write path of forms and commands. On any problem
nothing is stored.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import DataError, IntegrityError, transaction
from django.utils.translation import gettext as _

from regie.core.concurrency import edit_token
from regie.core.errors import ServiceError
from regie.core.models import Organisation
from regie.policy import selectors as policy_selectors
from regie.policy.models import CapacityLine, Goal, Plan
from regie.programme import selectors, services
from regie.programme.models import ActionStatus, Programme, ProgrammeState
from regie.programme.programme_file.loading import ProgrammeFileError, load
from regie.programme.programme_file.reader import Reader, ambiguous_amounts, place
from regie.programme.programme_file.writer import FORMAT, goal_path

logger = logging.getLogger(__name__)

_KEY = re.compile(r"^[-a-zA-Z0-9_]+$")
_PLAN_FORMAT = "veiligheidsregie-plan/1"
_STATUSES = [s.value for s in ActionStatus]


@dataclass
class NoteSpec:
    where: str
    moment: str
    status: str
    spent: Decimal | None
    text: str
    at: dt.datetime | None


@dataclass
class ActionSpec:
    where: str
    fields: dict[str, Any]
    goals: list[Goal]
    notes: list[NoteSpec] = field(default_factory=list)


@dataclass
class Head:
    organisation: Organisation | None = None
    plan: Plan | None = None
    period: str = ""
    title: str = ""
    summary: str = ""
    state: str = ProgrammeState.CONCEPT
    adopted_on: dt.date | None = None
    predecessor: Programme | None = None
    evaluation: tuple[str, str] = ("", "")


@dataclass
class Lookups:
    """The plan's goals by path and scenario lines by (theme, letter, label)."""

    goals: dict[str, Goal] = field(default_factory=dict)
    lines: dict[tuple[str, str, str], CapacityLine] = field(default_factory=dict)

    @classmethod
    def of(cls, plan: Plan | None) -> Lookups:
        found = cls()
        if plan is None:
            return found
        found.goals = {goal_path(g): g for g in selectors.goals_of(plan)}
        lines = (
            CapacityLine.objects.filter(scenario__theme__priority__plan=plan)
            .select_related("scenario__theme__priority")
            .order_by(
                "scenario__theme__priority__position", "scenario__theme__position", "position", "pk"
            )
        )
        for line in lines:
            theme = line.scenario.theme
            for name in (theme.key, f"{theme.priority.key}/{theme.key}"):
                found.lines.setdefault((name, line.scenario.letter, line.label), line)
        return found


def import_programme(
    text: str, *, organisation: Organisation | None = None, user: Any = None
) -> Programme:
    """Create a new programme from the text of a programme file, in one transaction.

    ``organisation`` must match the file's gemeente when given (the browser passes the user's
    organisation; the command passes ``--org`` or none). ``user`` is who imports: the progress
    notes are theirs. :class:`ProgrammeFileError` lists every problem; nothing is stored then.
    """
    data = load(text)
    if not isinstance(data, dict):
        raise ProgrammeFileError(
            [_("The file is not a programme file: it does not begin with fields such as gemeente.")]
        )
    reader = Reader(ambiguous_amounts(text))
    reader.mapping(data, "")
    head = _head(reader, data, organisation)
    lookups = Lookups.of(head.plan)
    actions = _actions(reader, data, lookups, head.plan is not None)
    if head.state == ProgrammeState.ADOPTED and not actions and not reader.problems:
        reader.fail("state", _("a programme without actions cannot be adopted"), head.state)
    reader.unknown_keys()
    if reader.problems:
        raise ProgrammeFileError(reader.problems)
    where = ["period"]
    try:
        with transaction.atomic():
            return _store(head, actions, user, where)
    except ServiceError as exc:
        raise ProgrammeFileError([f"{where[0]}: {exc}"]) from exc
    except (ValueError, TypeError, ArithmeticError, DataError, IntegrityError) as exc:
        # A value the checks let through and the database refused: still the file's problem,
        # at the place stored last (everything was rolled back). No file values logged.
        logger.warning("programme file value at %s not stored: %s", where[0], type(exc).__name__)
        raise ProgrammeFileError(
            [f"{where[0]}: " + _("this value cannot be stored; check it")]
        ) from exc


# --- the head: gemeente, plan, period, state ---------------------------------------------------


def _head(reader: Reader, data: dict[str, Any], organisation: Organisation | None) -> Head:
    head = Head()
    fmt = reader.get(data, "format", "", str)
    if fmt == _PLAN_FORMAT:
        reader.fail("format", _("this is a plan file; import it with: regie plan import"), fmt)
    elif fmt is not None and fmt != FORMAT:
        reader.fail("format", _("expected %(format)s") % {"format": FORMAT}, fmt)
    head.organisation = _organisation(reader, data, organisation)
    head.period = reader.text(data, "period", "", required=True).upper()
    head.plan = _plan(reader, data, head)
    if head.plan is not None and head.period:
        try:
            head.period = services.check_period(head.plan, head.period)
        except ServiceError as exc:
            reader.fail("period", str(exc))
        else:
            _check_new(reader, head)
    head.title = reader.text(data, "title", "", max_length=200)
    head.summary = reader.text(data, "summary", "")
    head.state = reader.choice(
        data, "state", "", [s.value for s in ProgrammeState], ProgrammeState.CONCEPT
    )
    head.adopted_on = reader.date(data, "adopted_on", "")
    if head.state == ProgrammeState.ADOPTED and head.adopted_on is None:
        reader.fail("adopted_on", _("an adopted programme needs the date of the college decision"))
    if head.state == ProgrammeState.CONCEPT and head.adopted_on is not None:
        reader.fail(
            "adopted_on",
            _("a concept programme has no date of adoption; write state: vastgesteld"),
            head.adopted_on,
        )
    predecessor = reader.text(data, "predecessor", "").upper()
    if predecessor and head.organisation is not None:
        # The programme of the year before, when this database has it (else the link is left).
        head.predecessor = selectors.programme_for(head.organisation, predecessor)
    evaluation = reader.get(data, "evaluation", "", dict)
    if evaluation is not None:
        reader.mapping(evaluation, "evaluation")
        head.evaluation = (
            reader.text(evaluation, "summary", "evaluation"),
            reader.text(evaluation, "proposals", "evaluation"),
        )
    return head


def _organisation(
    reader: Reader, data: dict[str, Any], organisation: Organisation | None
) -> Organisation | None:
    code = reader.text(data, "gemeente", "", required=True).upper()
    found = Organisation.objects.filter(cbs_code=code).first() if code else None
    if code and found is None:
        reader.fail("gemeente", _("no gemeente with this CBS code"), code)
    if organisation is not None and found is not None and found.pk != organisation.pk:
        reader.fail(
            "gemeente",
            _("the file is a programme of another gemeente than %(name)s")
            % {"name": organisation.name},
            code,
        )
        return None
    return found


def _plan(reader: Reader, data: dict[str, Any], head: Head) -> Plan | None:
    named = reader.get(data, "plan", "", dict)
    if named is not None:
        reader.mapping(named, "plan")
        start = reader.get(named, "start_year", "plan", int, required=True)
        version = reader.get(named, "version", "plan", int) or 1
    if head.organisation is None:
        return None
    plans = policy_selectors.plans_of(head.organisation).select_related("organisation")
    if named is not None:
        if start is None:
            return None
        found = plans.filter(start_year=start, version=version).first()
        if found is None:
            reader.fail(
                "plan",
                _("%(name)s has no plan starting in %(year)s, version %(version)s")
                % {"name": head.organisation.name, "year": start, "version": version},
            )
        return found
    year = head.period[:4]
    if not year.isdigit():
        return None  # the period's own problem is reported
    found = policy_selectors.plan_covering(head.organisation, int(year))
    if found is None:
        reader.fail(
            "period",
            _("%(name)s has no plan whose years hold this period")
            % {"name": head.organisation.name},
            head.period,
        )
    return found


def _check_new(reader: Reader, head: Head) -> None:
    assert head.organisation is not None  # noqa: S101 - the plan was found for it
    existing = selectors.programmes_of(head.organisation).filter(period=head.period).first()
    if existing is not None:
        reader.fail(
            "period",
            _(
                "%(name)s already has a programme for this period (“%(title)s”); an import never "
                "changes or replaces a programme"
            )
            % {"name": head.organisation.name, "title": existing.title},
            head.period,
        )


# --- actions -----------------------------------------------------------------------------------


def _actions(
    reader: Reader, data: dict[str, Any], lookups: Lookups, resolve: bool
) -> list[ActionSpec]:
    found: list[ActionSpec] = []
    keys: set[str] = set()
    for index, (where, item) in enumerate(reader.items(data, "actions", "")):
        if reader.mapping(item, where) is None:
            continue
        spec = _action(reader, item, where, lookups, resolve)
        key = spec.fields["key"]
        if key and key in keys:
            reader.fail(place(where, "key"), _("is used by another action too"), key)
        keys.add(key)
        spec.fields["position"] = index
        found.append(spec)
    return found


def _action(
    reader: Reader, item: dict[str, Any], where: str, lookups: Lookups, resolve: bool
) -> ActionSpec:
    key = reader.text(item, "key", where, max_length=60)
    if key and not _KEY.match(key):
        reader.fail(place(where, "key"), _("a key holds only letters, digits, - and _"), key)
    fields: dict[str, Any] = {
        "key": key,
        "title": reader.text(item, "title", where, required=True, max_length=300),
        "description": reader.text(item, "description", where),
        "owner": reader.text(item, "owner", where, required=True, max_length=200),
        "partners": reader.text(item, "partners", where, max_length=300),
        "start": reader.date(item, "start", where),
        "end": reader.date(item, "end", where),
        "quarters": _quarters(reader, item, where),
        "budget": reader.amount(item, "budget", where),
        "capacity_line": _line(reader, item, where, lookups, resolve),
        "spent": reader.amount(item, "spent", where),
        "status": reader.choice(item, "status", where, _STATUSES, ActionStatus.NOT_STARTED),
        "result": reader.text(item, "result", where),
        "lessons": reader.text(item, "lessons", where),
    }
    start, end = fields["start"], fields["end"]
    if start and end and end < start:
        reader.fail(
            place(where, "end"),
            _("comes before the start (%(start)s)") % {"start": start.isoformat()},
            end,
        )
    spec = ActionSpec(where, fields, _goals(reader, item, where, lookups, resolve))
    for nwhere, note in reader.items(item, "notes", where):
        if reader.mapping(note, nwhere) is not None:
            spec.notes.append(
                NoteSpec(
                    where=nwhere,
                    moment=reader.text(note, "moment", nwhere, required=True, max_length=20),
                    status=reader.choice(note, "status", nwhere, _STATUSES, "")
                    if note.get("status") is not None
                    else _missing(reader, nwhere, "status"),
                    spent=reader.amount(note, "spent", nwhere),
                    text=reader.text(note, "text", nwhere, required=True),
                    at=reader.moment(note, "at", nwhere),
                )
            )
    return spec


def _missing(reader: Reader, where: str, key: str) -> str:
    reader.fail(place(where, key), _("is missing"))
    return ""


def _quarters(reader: Reader, item: dict[str, Any], where: str) -> str:
    quarters = reader.text(item, "quarters", where)
    if quarters and (set(quarters) - set("1234") or len(set(quarters)) != len(quarters)):
        reader.fail(
            place(where, "quarters"),
            _("give the quarters as digits 1 to 4, each once (12 for Q1 and Q2)"),
            quarters,
        )
        return ""
    return "".join(sorted(quarters))


def _goals(
    reader: Reader, item: dict[str, Any], where: str, lookups: Lookups, resolve: bool
) -> list[Goal]:
    found: list[Goal] = []
    for gwhere, path in reader.items(item, "goals", where):
        if not isinstance(path, str):
            reader.fail(gwhere, _("expected priority-key/theme-key/goal-key"), path)
            continue
        goal = lookups.goals.get(path.strip())
        if goal is None:
            if resolve:
                reader.fail(
                    gwhere,
                    _("no goal of the plan has this path (priority-key/theme-key/goal-key)"),
                    path,
                )
            continue
        if goal in found:
            reader.fail(gwhere, _("this goal is named twice"), path)
            continue
        found.append(goal)
    return found


def _line(
    reader: Reader, item: dict[str, Any], where: str, lookups: Lookups, resolve: bool
) -> CapacityLine | None:
    named = reader.get(item, "scenario_line", where, dict)
    if named is None:
        return None
    lwhere = place(where, "scenario_line")
    reader.mapping(named, lwhere)
    theme = reader.text(named, "theme", lwhere, required=True)
    letter = reader.text(named, "scenario", lwhere, required=True)
    label = reader.text(named, "line", lwhere, required=True)
    if not (theme and letter and label and resolve):
        return None
    line = lookups.lines.get((theme, letter, label))
    if line is None:
        reader.fail(
            lwhere,
            _("the plan has no line with this label in this scenario of this theme"),
            f"{theme} {letter}: {label}",
        )
    return line


# --- storing -----------------------------------------------------------------------------------


def _store(head: Head, actions: list[ActionSpec], user: Any, where: list[str]) -> Programme:
    assert head.plan is not None  # noqa: S101 - checked before
    programme = services.create_programme(
        plan=head.plan,
        period=head.period,
        title=head.title,
        summary=head.summary,
        predecessor=head.predecessor,
    )
    for spec in actions:
        where[0] = spec.where
        fields = dict(spec.fields)
        action = services.save_action(programme, goals=spec.goals, **fields)
        for note in spec.notes:
            where[0] = note.where
            services.add_progress(
                action,
                version=edit_token(action),
                moment=note.moment,
                text=note.text,
                status=note.status,
                spent=note.spent,
                user=user,
                at=note.at,
            )
        if spec.notes:  # a note sets the action's status and spending: the file's count
            where[0] = spec.where
            services.save_action(
                programme,
                action=action,
                version=edit_token(action),
                status=fields["status"],
                spent=fields["spent"],
            )
    where[0] = "evaluation"
    summary, proposals = head.evaluation
    if summary or proposals:
        services.save_evaluation(
            programme, version=edit_token(programme), summary=summary, proposals=proposals
        )
    if head.state == ProgrammeState.ADOPTED and head.adopted_on is not None:
        where[0] = "state"
        services.adopt(programme, adopted_on=head.adopted_on, version=edit_token(programme))
    return programme

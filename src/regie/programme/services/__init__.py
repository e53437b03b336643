"""The writes of the uitvoeringsprogramma: one path for forms, the programme file and commands.

Rules that live here and nowhere else:

- A programme's period is a year or a half year within its plan's years, once per plan.
- An adopted (vastgesteld) programme is frozen for what the college decided: which actions, their
  goals, owner, partners, planning and budget. What happens during the year stays editable: an
  action's status, realised spending, result and lessons, progress notes and the evaluation text.
- An action's goals and scenario line belong to the programme's plan.
- Every write to something that exists claims the version the user saw (two saves: one wins).
- A new year starts from the open actions of the last (:func:`start_next`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from regie.core import audit, concurrency, formats
from regie.core.concurrency import StaleEditError
from regie.core.errors import ServiceError
from regie.core.models import AuditAction
from regie.policy.models import CapacityLine, Goal, Plan
from regie.programme import selectors
from regie.programme.models import (
    OPEN_STATUSES,
    PERIOD_PATTERN,
    Action,
    ActionStatus,
    Programme,
    ProgrammeState,
    ProgressNote,
)

__all__ = [
    "DECIDED_FIELDS",
    "EXECUTION_FIELDS",
    "EXECUTION_ORDER",
    "ProgrammeFrozen",
    "ServiceError",
    "add_progress",
    "adopt",
    "create_programme",
    "delete_action",
    "import_demo_programmes",
    "save_action",
    "save_evaluation",
    "save_programme",
    "start_next",
]

#: What the college decides with the programme (frozen once it is adopted).
DECIDED_FIELDS = frozenset(
    {
        "key",
        "title",
        "description",
        "owner",
        "partners",
        "start",
        "end",
        "quarters",
        "budget",
        "capacity_line",
        "position",
    }
)
#: What happens during the year (editable in an adopted programme too), in the forms' order.
EXECUTION_ORDER = ("status", "spent", "result", "lessons")
EXECUTION_FIELDS = frozenset(EXECUTION_ORDER)


#: At most this many characters in one text (a summary, a result, a note): they are printed in
#: the council's reports, so one text of megabytes must not hold up everyone's builds.
MAX_TEXT = 20_000


def check_lengths(**texts: str | None) -> None:
    """Refuse a text longer than :data:`MAX_TEXT` (keywords name the texts for the reader)."""
    for text in texts.values():
        if text is not None and len(text) > MAX_TEXT:
            raise ServiceError(
                _("A text holds at most %(max)s characters; this one has %(length)s.")
                % {"max": formats.num(MAX_TEXT), "length": formats.num(len(text))}
            )


class ProgrammeFrozen(ServiceError):
    """The college adopted the programme: its decided parts cannot change."""


def _frozen_error(programme: Programme) -> ProgrammeFrozen:
    return ProgrammeFrozen(
        _(
            "This programme was adopted by the college on %(date)s: actions, goals, planning and "
            "budget cannot be changed. Status, spending, results and progress can."
        )
        % {"date": formats.date(programme.adopted_on) if programme.adopted_on else "?"}
    )


def _locked(programme: Programme) -> Programme:
    """Read the programme's state again under a row lock (inside the caller's transaction)."""
    stored = (
        Programme.objects.select_for_update()
        .filter(pk=programme.pk)
        .values_list("state", "adopted_on")
        .first()
    )
    if stored is None:
        raise StaleEditError
    programme.state, programme.adopted_on = stored
    return programme


def check_period(plan: Plan, period: str) -> str:
    """``period`` cleaned (``2024h1`` → ``2024H1``), or a ServiceError that says what is wrong."""
    period = (period or "").strip().upper()
    match = PERIOD_PATTERN.match(period)
    if match is None:
        raise ServiceError(
            _(
                "Give the period as a year (2024) or a half year (2024H1 or 2024H2), "
                "not “%(value)s”."
            )
            % {"value": period}
        )
    year = int(match["year"])
    if not plan.start_year <= year <= plan.end_year:
        raise ServiceError(
            _("%(year)s is not a year of the plan (%(start)s–%(end)s).")
            % {"year": year, "start": plan.start_year, "end": plan.end_year}
        )
    return period


def _full_clean(obj: Any) -> None:
    try:
        obj.full_clean()
    except ValidationError as error:
        raise ServiceError("; ".join(error.messages)) from error


@transaction.atomic
def create_programme(
    *, plan: Plan, period: str, title: str, summary: str = "", predecessor: Programme | None = None
) -> Programme:
    period = check_period(plan, period)
    check_lengths(summary=summary)
    if Programme.objects.filter(plan=plan, period=period).exists():
        raise ServiceError(
            _("This plan already has a programme for %(period)s.") % {"period": period}
        )
    programme = Programme(
        organisation=plan.organisation,
        plan=plan,
        period=period,
        title=title.strip() or _("Uitvoeringsprogramma %(period)s") % {"period": period},
        summary=summary,
        predecessor=predecessor,
    )
    _full_clean(programme)
    try:
        with transaction.atomic():
            programme.save()
    except IntegrityError:  # the same period created at the same moment by someone else
        raise ServiceError(
            _("This plan already has a programme for %(period)s.") % {"period": period}
        ) from None
    return programme


@transaction.atomic
def save_programme(programme: Programme, *, version: str, title: str, summary: str) -> Programme:
    """Change title and summary of a concept programme."""
    check_lengths(summary=summary)
    _locked(programme)
    if programme.is_frozen:
        raise _frozen_error(programme)
    programme.title, programme.summary = title.strip(), summary
    _full_clean(programme)
    concurrency.claim(programme, version)
    programme.save()
    return programme


@transaction.atomic
def save_evaluation(
    programme: Programme, *, version: str, summary: str, proposals: str
) -> Programme:
    """The evaluation's own text (allowed in an adopted programme: it is written afterwards)."""
    check_lengths(summary=summary, proposals=proposals)
    _locked(programme)
    programme.evaluation_summary, programme.evaluation_proposals = summary, proposals
    concurrency.claim(programme, version)
    programme.save()
    return programme


@transaction.atomic
def adopt(programme: Programme, *, adopted_on: dt.date, version: str) -> Programme:
    _locked(programme)
    if programme.is_frozen:
        raise _frozen_error(programme)
    if not programme.actions.exists():
        raise ServiceError(_("A programme without actions cannot be adopted."))
    concurrency.claim(programme, version)
    programme.state, programme.adopted_on = ProgrammeState.ADOPTED, adopted_on
    programme.save()
    return programme


def _check_goals(programme: Programme, goals: Iterable[Goal]) -> list[Goal]:
    goals = list(goals)
    foreign = [g for g in goals if g.theme.priority.plan_id != programme.plan_id]
    if foreign:
        raise ServiceError(
            _("Goal “%(goal)s” is not a goal of this programme's plan.") % {"goal": foreign[0]}
        )
    return goals


def _check_action(programme: Programme, fields: dict[str, Any]) -> None:
    line = fields.get("capacity_line")
    if isinstance(line, CapacityLine) and line.scenario.theme.priority.plan_id != programme.plan_id:
        raise ServiceError(_("That scenario line is not a line of this programme's plan."))
    quarters = str(fields.get("quarters") or "")
    if quarters and (set(quarters) - set("1234") or len(set(quarters)) != len(quarters)):
        raise ServiceError(
            _(
                "Give the quarters as digits 1 to 4, each once (e.g. 12 for Q1 and Q2), "
                "not “%(value)s”."
            )
            % {"value": quarters}
        )
    if quarters:
        fields["quarters"] = "".join(sorted(quarters))
    for name, label in (("budget", _("budget")), ("spent", _("spent"))):
        value = fields.get(name)
        if value is not None and Decimal(value) < 0:
            raise ServiceError(
                _("The %(what)s cannot be negative (%(value)s).")
                % {"what": label, "value": formats.money(value)}
            )
    start, end = fields.get("start"), fields.get("end")
    if start and end and end < start:
        raise ServiceError(
            _("The end (%(end)s) is before the start (%(start)s).")
            % {"end": formats.date(end), "start": formats.date(start)}
        )


def _free_key(programme: Programme, text: str, exclude: int | None) -> str:
    base = slugify(text)[:50].strip("-") or "actie"
    others = programme.actions.all() if exclude is None else programme.actions.exclude(pk=exclude)
    taken = set(others.values_list("key", flat=True))
    key, number = base, 2
    while key in taken:
        key, number = f"{base}-{number}", number + 1
    return key


@transaction.atomic
def save_action(
    programme: Programme,
    *,
    action: Action | None = None,
    version: str | None = None,
    goals: Iterable[Goal] | None = None,
    **fields: Any,
) -> Action:
    """Create an action (``action`` None) or change one (at ``version``).

    In an adopted programme only :data:`EXECUTION_FIELDS` may change; anything else is refused.
    """
    unknown = set(fields) - DECIDED_FIELDS - EXECUTION_FIELDS
    if unknown:
        raise TypeError(f"not a field of an action: {sorted(unknown)}")
    check_lengths(**{k: fields.get(k) for k in ("description", "result", "lessons")})
    _locked(programme)
    if action is not None and action.programme_id != programme.pk:
        raise StaleEditError
    if programme.is_frozen:
        changed = {
            name
            for name, value in fields.items()
            if action is None or getattr(action, name) != value
        } - EXECUTION_FIELDS
        goals_changed = goals is not None and (
            action is None
            or {g.pk for g in goals} != set(action.goals.values_list("pk", flat=True))
        )
        if action is None or changed or goals_changed:
            raise _frozen_error(programme)
    _check_action(programme, fields)
    checked = _check_goals(programme, goals) if goals is not None else None
    if action is None:
        action = Action(programme=programme)
        highest = programme.actions.aggregate(highest=Max("position"))["highest"]
        fields.setdefault("position", 0 if highest is None else int(highest) + 1)
    elif version is None:
        raise TypeError("Saving an existing action needs the version the user saw.")
    for name, value in fields.items():
        setattr(action, name, value)
    if not action.key:
        action.key = _free_key(programme, action.title, action.pk)
    elif programme.actions.exclude(pk=action.pk).filter(key=action.key).exists():
        raise ServiceError(_("Another action already has the key “%(key)s”.") % {"key": action.key})
    _full_clean(action)
    created = action.pk is None
    if not created:
        concurrency.claim(action, version)
    action.save()
    if checked is not None:
        _set_goals(action, checked, created=created)
    return action


def _set_goals(action: Action, goals: list[Goal], *, created: bool) -> None:
    """Tie ``action`` to ``goals``; a change is audited (a many-to-many relation is not part of
    the row the audit log compares, and the goals decide each goal's effort)."""
    before = [] if created else sorted(map(selectors.goal_path, action.goals.all()))
    action.goals.set(goals)
    after = sorted(map(selectors.goal_path, goals))
    if before != after:
        audit.write_entry(
            action=AuditAction.UPDATE,
            obj=action,
            organisation=action.programme.organisation,
            before={"goals": before},
            after={"goals": after},
        )


@transaction.atomic
def delete_action(action: Action, *, version: str) -> None:
    programme = _locked(action.programme)
    if programme.is_frozen:
        raise _frozen_error(programme)
    concurrency.claim(action, version)
    action.delete()


@transaction.atomic
def add_progress(
    action: Action,
    *,
    version: str,
    moment: str,
    text: str,
    status: str,
    spent: Decimal | None = None,
    user: Any = None,
    at: dt.datetime | None = None,
) -> ProgressNote:
    """Report on an action at a reporting moment: the note is kept (append-only) and the
    action's status and spending become what the note says. ``at`` keeps the time of a note
    read from a programme file (default: now)."""
    if status not in ActionStatus.values:
        raise ServiceError(_("“%(value)s” is not a status of an action.") % {"value": status})
    if not moment.strip() or not text.strip():
        raise ServiceError(_("Give the reporting moment and what there is to report."))
    check_lengths(text=text)
    if spent is not None and spent < 0:
        raise ServiceError(
            _("The %(what)s cannot be negative (%(value)s).")
            % {"what": _("spent"), "value": formats.money(spent)}
        )
    _locked(action.programme)
    concurrency.claim(action, version)
    action.status = status
    if spent is not None:
        action.spent = spent
    action.save(update_fields=["status", "spent"])
    return ProgressNote.objects.create(
        action=action,
        moment=moment.strip()[:20],
        status=status,
        spent=spent,
        text=text.strip(),
        created_by=user if getattr(user, "is_authenticated", False) else None,
        created_at=at or timezone.now(),
    )


def _goal_path(goal: Goal) -> tuple[str, str, str]:
    return (goal.theme.priority.key, goal.theme.key, goal.key)


@transaction.atomic
def start_next(
    programme: Programme, *, period: str, title: str = "", plan: Plan | None = None
) -> Programme:
    """A new concept programme for ``period`` holding a copy of every open action of ``programme``.

    The copies keep their key, text, owner, partners and goals (found by key in ``plan`` when the
    new programme follows a newer plan version), start without budget, spending, result or notes,
    and remember where they came from. Goals the new plan no longer has are left off.
    """
    plan = plan or programme.plan
    if plan.organisation_id != programme.organisation_id:
        raise ServiceError(_("The new programme must be of the same gemeente."))
    new = create_programme(plan=plan, period=period, title=title, predecessor=programme)
    goals_by_path = {
        _goal_path(g): g
        for g in Goal.objects.filter(theme__priority__plan=plan).select_related("theme__priority")
    }
    for position, old in enumerate(
        programme.actions.filter(status__in=OPEN_STATUSES).prefetch_related(
            "goals__theme__priority"
        )
    ):
        copy = Action.objects.create(
            programme=new,
            key=old.key,
            title=old.title,
            description=old.description,
            owner=old.owner,
            partners=old.partners,
            status=ActionStatus.RUNNING if old.status != ActionStatus.NOT_STARTED else old.status,
            carried_from=old,
            position=position,
        )
        copy.goals.set(
            [goals_by_path[p] for p in map(_goal_path, old.goals.all()) if p in goals_by_path]
        )
    return new


#: The demo uitvoeringsprogramma's (paraphrased from the seeds' "wat gaan we doen").
DEMO_DIR = Path(__file__).resolve().parents[1] / "data"


def import_demo_programmes() -> list[Programme]:
    """The demo programmes, in period order (a programme finds the one before it), unless the
    plan already has a programme for that period (idempotent)."""
    from regie.programme import programme_file

    imported = []
    files = sorted(DEMO_DIR.glob("*.yaml"), key=lambda p: p.stem.split("-", 1)[1])
    for path in files:
        text = path.read_text(encoding="utf-8")
        data = programme_file.load(text)
        code, period = str(data.get("gemeente", "")), str(data.get("period", ""))
        if Programme.objects.filter(organisation__cbs_code=code, period=period).exists():
            continue
        imported.append(programme_file.import_programme(text))
    return imported

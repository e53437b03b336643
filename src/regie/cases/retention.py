"""Retention of signals (docs/privacy.md §6): which signals are destroyed and whose reporter
details are removed, when — and doing it.

Three defaults, each with its source shown to the privacy officer:

1. a signal **not taken up** (closed with outcome *niet opgepakt*) is destroyed 12 months after
   receipt (CCV Modelprotocol ondermijning);
2. the **reporter's contact details** are removed 12 months after closure (the gemeente's
   policy);
3. every other **closed** signal is destroyed ``REGIE_RETENTION_CLOSED_YEARS`` (5) years after
   closure (Selectielijst gemeenten).

Only **closed** signals are ever touched: an open signal (received, in progress) is never
destroyed or anonymised automatically, whatever its age. A signal with a **legal hold** is never
touched either (it is counted as *held*).

A gemeente's :class:`~regie.cases.models.RetentionRule` rows replace the default of the same
action for what they cover. For one signal and one action the most specific rule wins:
category + outcome > category > outcome > all; among rules of a category, a subcategory's rule
beats its main category's (a main category's rule covers its subcategories); a gemeente's rule
beats a default of the same specificity; between two gemeente rules of the same scope the newest
(highest number) wins.

A term is due on the day it ends: a signal received on 15-01-2025 with a 12-month term is due
from 15-01-2026 on (dates in the Dutch time zone).

The run works in batches of primary keys, each batch in its own transaction, so memory stays flat
over a million signals, and a second run with the same date changes nothing. Every destroyed
signal and every removal of reporter details leaves a :class:`~regie.privacy.models.Tombstone`
(no personal data).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from regie.cases import services
from regie.cases.models import (
    Attachment,
    Category,
    Outcome,
    RetentionAction,
    RetentionRule,
    RetentionStart,
    Signal,
    SignalEvent,
    Status,
    SubjectKey,
)
from regie.core.models import Organisation
from regie.privacy import services as privacy
from regie.privacy.models import RetentionRun

#: Signals handled per batch (one transaction each).
BATCH_SIZE = 500

#: What a tombstone says was done (stored values, not translated).
DESTROYED = "vernietigd"
ANONYMISED = "melder geanonimiseerd"
OBJECT_TYPE = "signal"
#: How the signals' history and the audit log name the retention job.
ACTOR = "bewaartermijnen"


@dataclass(frozen=True)
class EffectiveRule:
    """One retention rule as it applies: a default or one of the gemeente's rules."""

    action: str
    months: int
    starts: str
    source: str
    outcome: str = ""
    category_id: int | None = None
    category_name: str = ""
    category_depth: int = 0  # 0 all categories, 1 a main category, 2 a subcategory
    is_default: bool = False
    rule_id: int | None = None
    default_name: str = ""

    @property
    def specificity(self) -> tuple[int, int, int, int, int]:
        return (
            int(self.category_id is not None),
            int(bool(self.outcome)),
            self.category_depth,
            int(not self.is_default),
            self.rule_id or 0,
        )

    def covers(self, category: Category, outcome: str) -> bool:
        if self.outcome and self.outcome != outcome:
            return False
        return self.category_id is None or self.category_id in (category.pk, category.parent_id)

    @property
    def name(self) -> str:
        if self.is_default:
            return self.default_name
        return _("Rule %(number)s of the gemeente") % {"number": self.rule_id}

    @property
    def action_label(self) -> str:
        return str(RetentionAction(self.action).label)

    @property
    def term(self) -> str:
        """The term with its start: "12 maanden na ontvangst"."""
        if self.months and self.months % 12 == 0:
            years = self.months // 12
            amount = ngettext("%(n)s year", "%(n)s years", years) % {"n": years}
        else:
            amount = ngettext("%(n)s month", "%(n)s months", self.months) % {"n": self.months}
        return _("%(amount)s %(start)s") % {
            "amount": amount,
            "start": RetentionStart(self.starts).label,
        }

    @property
    def scope(self) -> str:
        category = self.category_name or _("every category")
        outcome = str(Outcome(self.outcome).label) if self.outcome else _("any outcome")
        return _("%(category)s, %(outcome)s") % {"category": category, "outcome": outcome}

    @property
    def policy(self) -> str:
        """The rule in words, with its term and source (a tombstone's *policy*)."""
        return _("%(name)s: %(action)s %(term)s (%(scope)s). Source: %(source)s") % {
            "name": self.name,
            "action": self.action_label.lower(),
            "term": self.term,
            "scope": self.scope,
            "source": self.source,
        }


@dataclass(frozen=True)
class _Default:
    action: str
    outcome: str
    starts: str
    name: Promise
    source: Promise


DEFAULTS = (
    _Default(
        RetentionAction.DESTROY,
        Outcome.NOT_TAKEN_UP,
        RetentionStart.RECEIVED,
        gettext_lazy("Signal not taken up"),
        gettext_lazy("CCV Modelprotocol ondermijning: destroy signals not taken up after one year"),
    ),
    _Default(
        RetentionAction.ANONYMISE_REPORTER,
        "",
        RetentionStart.CLOSED,
        gettext_lazy("Contact details of the reporter"),
        gettext_lazy("Policy of the gemeente: reporter's contact details one year after closure"),
    ),
    _Default(
        RetentionAction.DESTROY,
        "",
        RetentionStart.CLOSED,
        gettext_lazy("Closed signal"),
        gettext_lazy("Selectielijst gemeenten (configurable)"),
    ),
)


def _default_months(default: _Default) -> int:
    if default.action == RetentionAction.DESTROY and not default.outcome:
        return int(settings.REGIE_RETENTION_CLOSED_YEARS) * 12
    return 12


def default_rules() -> list[EffectiveRule]:
    return [
        EffectiveRule(
            action=d.action,
            months=_default_months(d),
            starts=d.starts,
            source=str(d.source),
            outcome=d.outcome,
            is_default=True,
            default_name=str(d.name),
        )
        for d in DEFAULTS
    ]


def _own_rule(rule: RetentionRule) -> EffectiveRule:
    category = rule.category
    return EffectiveRule(
        action=rule.action,
        months=rule.months,
        starts=rule.starts,
        source=rule.source,
        outcome=rule.outcome,
        category_id=category.pk if category else None,
        category_name=str(category) if category else "",
        category_depth=0 if category is None else (2 if category.parent_id else 1),
        rule_id=rule.pk,
    )


def rules_for(organisation: Organisation) -> list[EffectiveRule]:
    """The defaults and the gemeente's own rules, each with its source (the privacy officer's
    page); the most specific rule for a signal wins (module documentation)."""
    own = RetentionRule.objects.filter(organisation=organisation).select_related("category__parent")
    return default_rules() + [_own_rule(rule) for rule in own]


# --- Which rule applies to which signals ---------------------------------------------------------


@dataclass
class Policy:
    """The rule per action, category and outcome of one gemeente."""

    organisation: Organisation
    rules: dict[tuple[str, int, str], EffectiveRule] = field(default_factory=dict)

    def rule(self, action: str, category_id: int, outcome: str) -> EffectiveRule | None:
        return self.rules.get((action, category_id, outcome))

    def due_q(self, action: str, today: dt.date) -> Q:
        """Signals whose term for ``action`` has ended by ``today`` (closed ones only)."""
        groups: dict[tuple[EffectiveRule, str], list[int]] = {}
        for (act, category_id, outcome), rule in self.rules.items():
            if act == action:
                groups.setdefault((rule, outcome), []).append(category_id)
        query = Q(pk__in=[])
        for (rule, outcome), category_ids in groups.items():
            start = "received_at" if rule.starts == RetentionStart.RECEIVED else "closed_at"
            query |= Q(
                outcome=outcome,
                category_id__in=sorted(category_ids),
                **{f"{start}__lt": _cutoff(today, rule.months)},
            )
        return query


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` earlier (the month's last day when it has no such day)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def _cutoff(today: dt.date, months: int) -> dt.datetime:
    """Moments before this are at least ``months`` old on ``today`` (the term ends that day)."""
    last_day = months_before(today, months)
    return timezone.make_aware(dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time()))


def policy(organisation: Organisation) -> Policy:
    rules = rules_for(organisation)
    categories = Category.objects.filter(organisation=organisation).only("pk", "parent_id")
    outcomes = ["", *Outcome.values]
    found = Policy(organisation)
    for category in categories:
        for outcome in outcomes:
            for action in RetentionAction.values:
                covering = [r for r in rules if r.action == action and r.covers(category, outcome)]
                if covering:
                    best = max(covering, key=lambda r: r.specificity)
                    found.rules[(action, category.pk, outcome)] = best
    return found


_HAS_CONTACT = (
    Q(reporter_name__isnull=False)
    | Q(reporter_phone__isnull=False)
    | Q(reporter_email__isnull=False)
)


@dataclass
class Due:
    """The signals of one gemeente that retention touches as of a day."""

    policy: Policy
    today: dt.date

    @property
    def closed(self) -> QuerySet[Signal]:
        return Signal.objects.filter(organisation=self.policy.organisation, status=Status.CLOSED)

    @property
    def destroy_q(self) -> Q:
        return self.policy.due_q(RetentionAction.DESTROY, self.today)

    @property
    def anonymise_q(self) -> Q:
        return (
            self.policy.due_q(RetentionAction.ANONYMISE_REPORTER, self.today)
            & Q(reporter_anonymised_at__isnull=True)
            & _HAS_CONTACT
        )

    def to_destroy(self) -> QuerySet[Signal]:
        return self.closed.filter(legal_hold=False).filter(self.destroy_q)

    def to_anonymise(self) -> QuerySet[Signal]:
        return self.closed.filter(legal_hold=False).filter(self.anonymise_q).exclude(self.destroy_q)

    def held(self) -> QuerySet[Signal]:
        return self.closed.filter(legal_hold=True).filter(self.destroy_q | self.anonymise_q)


def due(organisation: Organisation, today: dt.date) -> tuple[QuerySet[Signal], QuerySet[Signal]]:
    """The signals to destroy and those whose reporter details to remove, as of ``today``
    (legal holds left out)."""
    found = Due(policy(organisation), today)
    return found.to_destroy(), found.to_anonymise()


def held(organisation: Organisation, today: dt.date) -> QuerySet[Signal]:
    """Signals that would be destroyed or anonymised but for their legal hold."""
    return Due(policy(organisation), today).held()


# --- Doing it ----------------------------------------------------------------------------------


def _batches(queryset: QuerySet[Signal]) -> Iterator[list[int]]:
    """Primary keys in ascending batches; the queryset is asked again after each batch."""
    last = 0
    while True:
        ids = list(
            queryset.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH_SIZE]
        )
        if not ids:
            return
        last = ids[-1]
        yield ids


def _tombstone(signal: Signal, rule: EffectiveRule, action: str, run: RetentionRun) -> None:
    privacy.write_tombstone(
        organisation=signal.organisation,
        object_type=OBJECT_TYPE,
        object_ref=signal.reference,
        category=str(signal.category),
        received_on=timezone.localdate(signal.received_at),
        closed_on=timezone.localdate(signal.closed_at) if signal.closed_at else None,
        outcome=signal.outcome,
        action=action,
        reason=_("Retention term ended: %(rule)s, %(term)s.")
        % {
            "rule": rule.name,
            "term": rule.term,
        },
        policy=rule.policy,
        run=run,
    )


_TOMBSTONE_FIELDS = (
    "pk",
    "organisation",
    "reference",
    "category",
    "received_at",
    "closed_at",
    "outcome",
)


def _delete_signals(ids: list[int]) -> None:
    """Delete the signals with everything that belongs to them; attachments one at a time
    (their content can be large)."""
    SubjectKey.objects.filter(signal_id__in=ids).only("pk").delete()
    SignalEvent.objects.filter(signal_id__in=ids).only("pk").delete()
    attachment_ids = list(Attachment.objects.filter(signal_id__in=ids).values_list("pk", flat=True))
    for pk in attachment_ids:
        Attachment.objects.filter(pk=pk).delete()
    Signal.objects.filter(pk__in=ids).delete()


def _destroy_batch(found: Due, ids: list[int], run: RetentionRun) -> int:
    with transaction.atomic():
        signals = list(
            found.to_destroy()
            .filter(pk__in=ids)
            .select_for_update(of=("self",))
            .select_related("organisation", "category__parent")
            .only(*_TOMBSTONE_FIELDS, "category__name", "category__parent__name")
            .order_by("pk")
        )
        done = []
        for signal in signals:
            rule = found.policy.rule(RetentionAction.DESTROY, signal.category_id, signal.outcome)
            if rule is not None:  # always, for a signal the policy selected
                _tombstone(signal, rule, DESTROYED, run)
                done.append(signal.pk)
        _delete_signals(done)
    return len(done)


def _anonymise_batch(found: Due, ids: list[int], run: RetentionRun) -> int:
    done = 0
    with transaction.atomic():
        signals = (
            found.to_anonymise()
            .filter(pk__in=ids)
            .select_for_update(of=("self",))
            .select_related("organisation", "category__parent")
            .order_by("pk")
        )
        for signal in signals:
            rule = found.policy.rule(
                RetentionAction.ANONYMISE_REPORTER, signal.category_id, signal.outcome
            )
            if rule is None:  # never, for a signal the policy selected
                continue
            services.anonymise_reporter(signal, label=ACTOR)
            _tombstone(signal, rule, ANONYMISED, run)
            done += 1
    return done


def apply(
    organisation: Organisation, today: dt.date, *, dry_run: bool, run: RetentionRun
) -> dict[str, int]:
    """Apply the gemeente's retention as of ``today``; counts of what was (or would be) done."""
    found = Due(policy(organisation), today)
    held_count = found.held().count()
    if dry_run:
        return {
            "destroyed": found.to_destroy().count(),
            "anonymised": found.to_anonymise().count(),
            "held": held_count,
        }
    destroyed = sum(_destroy_batch(found, ids, run) for ids in _batches(found.to_destroy()))
    anonymised = sum(_anonymise_batch(found, ids, run) for ids in _batches(found.to_anonymise()))
    return {"destroyed": destroyed, "anonymised": anonymised, "held": held_count}


#: The attribute of a :class:`RetentionRun` (in memory) with the counts per gemeente.
BY_ORGANISATION = "by_organisation"


def handler(today: dt.date, dry_run: bool, run: RetentionRun) -> dict[str, int]:
    """The cases app's part of a retention run (registered with the privacy core).

    The counts per gemeente are left on ``run`` (attribute ``by_organisation``, not stored) for
    the command's summary.
    """
    totals = {"destroyed": 0, "anonymised": 0, "held": 0}
    per_org: dict[str, dict[str, int]] = getattr(run, BY_ORGANISATION, None) or {}
    org_ids = Signal.objects.order_by().values_list("organisation_id", flat=True).distinct()
    for organisation in Organisation.objects.filter(pk__in=list(org_ids)).order_by("name"):
        counts = apply(organisation, today, dry_run=dry_run, run=run)
        mine = per_org.setdefault(organisation.name, {})
        by_pk = getattr(run, "per_organisation", None)  # the privacy core stores these
        for key, value in counts.items():
            totals[key] += value
            mine[key] = mine.get(key, 0) + value
            if isinstance(by_pk, dict):
                own = by_pk.setdefault(str(organisation.pk), {})
                own[key] = own.get(key, 0) + value
    setattr(run, BY_ORGANISATION, per_org)
    return totals


privacy.register_retention("cases", handler)

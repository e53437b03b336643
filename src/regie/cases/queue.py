"""The werkvoorraad (work queue): its filters, their query string, the rows it lists and the
saved filters of a user.

A filter is parsed from a query string (or a GET's ``QueryDict``) leniently: a value that is not
understood is left out (and named in :attr:`Parsed.invalid`), so that an old bookmark or saved
filter never breaks the page. The rows carry no personal data: reference, dates, category,
family, status, outcome, deadline (with the working days it is overdue), team, channel and
flags only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from regie.cases import workdays
from regie.cases.models import (
    Category,
    Channel,
    SavedFilter,
    Signal,
    Status,
    SubjectKey,
    Team,
)
from regie.core import formats
from regie.core.errors import ServiceError
from regie.core.models import Organisation

#: Rows per page of the werkvoorraad.
PAGE_SIZE = 50
#: Saved filters per user and organisation.
MAX_SAVED = 20
MAX_QUERY = 500
MAX_NAME = 80
MAX_REFERENCE = 30

ORDER_NEWEST = "nieuw"
ORDER_DEADLINE = "deadline"

#: The query-string names of the filters (Dutch, as they appear in bookmarks).
P_STATUS = "status"
P_FAMILY = "familie"
P_CATEGORY = "categorie"
P_TEAM = "team"
P_CHANNEL = "kanaal"
P_OVERDUE = "te_laat"
P_FROM = "van"
P_TO = "tot"
P_REFERENCE = "zoek"
P_ORDER = "volgorde"
PARAMS = (
    P_STATUS,
    P_FAMILY,
    P_CATEGORY,
    P_TEAM,
    P_CHANNEL,
    P_OVERDUE,
    P_FROM,
    P_TO,
    P_REFERENCE,
    P_ORDER,
)

_DATE_FORMATS = ("%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d")
_TRUE = frozenset({"1", "ja", "on", "true"})


def parse_date(text: str) -> dt.date | None:
    """A day written dd-mm-jjjj (also d-m-jjjj, dd/mm/jjjj, dd.mm.jjjj, or jjjj-mm-dd as a
    browser's date field sends it); None when it is not one."""
    text = text.strip()
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


@dataclass(frozen=True)
class QueueFilter:
    """What the werkvoorraad shows: every field empty means everything visible."""

    status: str = ""
    family: str = ""
    category: int | None = None
    team: int | None = None
    channel: str = ""
    overdue: bool = False
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    reference: str = ""
    order: str = ORDER_NEWEST

    def params(self) -> list[tuple[str, str]]:
        """The filter as query-string pairs (empty ones left out), in a fixed order."""
        pairs = [
            (P_STATUS, self.status),
            (P_FAMILY, self.family),
            (P_CATEGORY, str(self.category or "")),
            (P_TEAM, str(self.team or "")),
            (P_CHANNEL, self.channel),
            (P_OVERDUE, "1" if self.overdue else ""),
            (P_FROM, self.received_from.strftime("%d-%m-%Y") if self.received_from else ""),
            (P_TO, self.received_to.strftime("%d-%m-%Y") if self.received_to else ""),
            (P_REFERENCE, self.reference),
            (P_ORDER, "" if self.order == ORDER_NEWEST else self.order),
        ]
        return [(k, v) for k, v in pairs if v]

    def query(self) -> str:
        """The canonical query string (without ``?``); "" for no filter."""
        return urlencode(self.params())

    @property
    def is_filtered(self) -> bool:
        return bool(replace(self, order=ORDER_NEWEST).params())


@dataclass(frozen=True)
class Choices:
    """What a filter may choose from, for this user in this organisation."""

    families: frozenset[str] = frozenset()
    categories: frozenset[int] = frozenset()
    teams: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Parsed:
    filter: QueueFilter
    #: The names of the parameters whose value was not understood (and is ignored).
    invalid: tuple[str, ...] = ()


def as_mapping(data: str | Mapping[str, Any]) -> dict[str, str]:
    """A query string or a GET mapping as one value per name (the last one wins)."""
    if isinstance(data, str):
        return dict(parse_qsl(data.lstrip("?"), keep_blank_values=True))
    return {k: str(data.get(k, "")) for k in PARAMS if k in data}


def _choice(value: str, allowed: Iterable[str]) -> str | None:
    return value if value in set(allowed) else None


def _number(value: str, allowed: frozenset[int]) -> int | None:
    try:
        number = int(value)
    except ValueError:
        return None
    return number if number in allowed else None


def _parse_one(name: str, value: str, choices: Choices) -> tuple[str, Any] | None:
    """(field, value) for one parameter, or None when the value is not understood."""
    parsers: dict[str, Any] = {
        P_STATUS: lambda v: ("status", _choice(v, Status.values)),
        P_FAMILY: lambda v: ("family", _choice(v, choices.families)),
        P_CATEGORY: lambda v: ("category", _number(v, choices.categories)),
        P_TEAM: lambda v: ("team", _number(v, choices.teams)),
        P_CHANNEL: lambda v: ("channel", _choice(v, Channel.values)),
        P_OVERDUE: lambda v: ("overdue", True if v.lower() in _TRUE else None),
        P_FROM: lambda v: ("received_from", parse_date(v)),
        P_TO: lambda v: ("received_to", parse_date(v)),
        P_REFERENCE: lambda v: ("reference", _reference(v)),
        P_ORDER: lambda v: ("order", _choice(v, (ORDER_NEWEST, ORDER_DEADLINE))),
    }
    key, parsed = parsers[name](value)
    return None if parsed is None else (key, parsed)


def _reference(text: str) -> str | None:
    cleaned = "".join(text.split()).upper()
    return cleaned if 0 < len(cleaned) <= MAX_REFERENCE else None


def parse(data: str | Mapping[str, Any], choices: Choices) -> Parsed:
    """The filter of a query string or GET mapping; values not understood are ignored."""
    values: dict[str, Any] = {}
    invalid: list[str] = []
    for name, raw in as_mapping(data).items():
        if name not in PARAMS or not raw.strip():
            continue
        found = _parse_one(name, raw.strip(), choices)
        if found is None:
            invalid.append(name)
        else:
            values[found[0]] = found[1]
    return Parsed(QueueFilter(**values), tuple(invalid))


def choices_for(
    organisation: Organisation, families: frozenset[str], visible: QuerySet[Signal]
) -> Choices:
    """The families the user holds; the categories and teams of the gemeente (of a partner
    organisation: those of the signals it sees)."""
    if organisation.is_gemeente:
        categories = Category.objects.filter(organisation=organisation)
        teams = Team.objects.filter(organisation=organisation)
    else:
        categories = Category.objects.filter(pk__in=visible.values("category_id"))
        teams = Team.objects.filter(pk__in=visible.values("team_id"))
    return Choices(
        families=families,
        categories=frozenset(categories.values_list("pk", flat=True)),
        teams=frozenset(teams.values_list("pk", flat=True)),
    )


def last_working_day(today: dt.date) -> dt.date:
    """``today`` when it is a working day, else the working day before it."""
    day = today
    while not workdays.is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def overdue_q(today: dt.date) -> Q:
    """Open signals with at least one working day after their deadline up to ``today``."""
    return Q(deadline__isnull=False, deadline__lt=last_working_day(today)) & ~Q(
        status=Status.CLOSED
    )


def apply(
    signals: QuerySet[Signal], flt: QueueFilter, *, today: dt.date, with_status: bool = True
) -> QuerySet[Signal]:
    """``signals`` narrowed by ``flt`` (the status too unless ``with_status`` is False)."""
    rows = signals
    if flt.status and with_status:
        rows = rows.filter(status=flt.status)
    if flt.family:
        rows = rows.filter(family=flt.family)
    if flt.category:
        rows = rows.filter(Q(category_id=flt.category) | Q(category__parent_id=flt.category))
    if flt.team:
        rows = rows.filter(team_id=flt.team)
    if flt.channel:
        rows = rows.filter(channel=flt.channel)
    if flt.overdue:
        rows = rows.filter(overdue_q(today))
    rows = _period(rows, flt)
    if flt.reference:
        rows = rows.filter(reference__icontains=flt.reference)
    return rows


def _period(rows: QuerySet[Signal], flt: QueueFilter) -> QuerySet[Signal]:
    tz = timezone.get_current_timezone()
    if flt.received_from:
        start = dt.datetime.combine(flt.received_from, dt.time.min, tzinfo=tz)
        rows = rows.filter(received_at__gte=start)
    if flt.received_to:
        end = dt.datetime.combine(flt.received_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        rows = rows.filter(received_at__lt=end)
    return rows


def ordered(rows: QuerySet[Signal], order: str) -> QuerySet[Signal]:
    if order == ORDER_DEADLINE:
        return rows.order_by(F("deadline").asc(nulls_last=True), "-received_at", "-pk")
    return rows.order_by("-received_at", "-pk")


#: Counts stop here: counting a Meldpunt's whole history on every view would read every row
#: (docs/performance.md, the werkvoorraad over a million signals); more shows as "1.000+".
COUNT_CAP = 1000
#: The list pages through at most this many signals (then "more than 5.000": narrow the filter).
LIST_CAP = 5000


def status_counts(rows: QuerySet[Signal]) -> dict[str, int]:
    """Signals per status (every status, 0 included), each counted up to ``COUNT_CAP + 1``."""
    plain = rows.order_by()
    return {value: plain.filter(status=value)[: COUNT_CAP + 1].count() for value in Status.values}


def count_label(count: int) -> str:
    """A count as shown: "1.000+" beyond the cap."""
    if count > COUNT_CAP:
        return f"{formats.num(COUNT_CAP, 0)}+"
    return formats.num(count, 0)


class CappedPaginator(Paginator):  # type: ignore[type-arg]
    """Counts at most ``LIST_CAP + 1`` rows: the list pages through the first ``LIST_CAP``."""

    @cached_property
    def count(self) -> int:
        rows: QuerySet[Signal] = self.object_list  # type: ignore[assignment]
        return int(rows[: LIST_CAP + 1].count())

    @property
    def capped(self) -> bool:
        return self.count > LIST_CAP


@dataclass(frozen=True)
class Row:
    """One line of the werkvoorraad: no personal data."""

    signal: Signal
    overdue_days: int
    hermelding: bool

    @property
    def is_overdue(self) -> bool:
        return self.overdue_days > 0


def overdue_days(signal: Signal, today: dt.date) -> int:
    """Working days past the deadline; 0 for a closed signal or one without a deadline."""
    if signal.status == Status.CLOSED or signal.deadline is None:
        return 0
    return workdays.working_days_overdue(signal.deadline, today)


def with_hermeldingen(signals: list[Signal]) -> set[int]:
    """The ids of ``signals`` that have another signal of their gemeente on a shared identifier
    within the window now (the rule of the signal page, ``selectors.hermeldingen``), in two
    queries for the whole page."""
    if not signals:
        return set()
    window = dt.timedelta(days=settings.REGIE_HERMELDING_WINDOW_DAYS)
    own = list(
        SubjectKey.objects.filter(signal_id__in=[s.pk for s in signals]).values_list(
            "signal_id", "organisation_id", "digest", "received_at"
        )
    )
    others: dict[tuple[int, str], list[tuple[int, dt.datetime]]] = {}
    for pk, org, digest, at in SubjectKey.objects.filter(
        organisation_id__in={o for _s, o, _d, _a in own}, digest__in={d for _s, _o, d, _a in own}
    ).values_list("signal_id", "organisation_id", "digest", "received_at"):
        others.setdefault((org, digest), []).append((pk, at))
    return {
        pk
        for pk, org, digest, at in own
        if any(other != pk and abs(when - at) <= window for other, when in others[(org, digest)])
    }


def rows_of(
    signals: Iterable[Signal], today: dt.date, *, with_hermelding: bool = True
) -> list[Row]:
    """The rows of the list; the hermelding flag only for gemeente staff entitled by family."""
    listed = list(signals)
    flagged = with_hermeldingen(listed) if with_hermelding else set()
    return [Row(s, overdue_days(s, today), s.pk in flagged) for s in listed]


def listing(rows: QuerySet[Signal]) -> QuerySet[Signal]:
    """The columns of the list (and nothing encrypted)."""
    return rows.select_related("category", "category__parent", "team", "organisation").only(
        "reference",
        "received_at",
        "channel",
        "family",
        "status",
        "outcome",
        "deadline",
        "verification_needed",
        "enrichment",
        "organisation__name",
        "category__name",
        "category__parent__name",
        "team__name",
    )


# --- Saved filters ------------------------------------------------------------------------------


def saved_filters(user: Any, organisation: Organisation) -> list[SavedFilter]:
    return list(SavedFilter.objects.filter(organisation=organisation, user=user).order_by("name"))


def save_filter(user: Any, organisation: Organisation, *, name: str, query: str) -> SavedFilter:
    """Keep the filter ``query`` under ``name`` for this user (at most :data:`MAX_SAVED`)."""
    name = " ".join(name.split())
    if not name:
        raise ServiceError(_("Give the filter a name."))
    if len(name) > MAX_NAME:
        raise ServiceError(_("The name is longer than %(max)s characters.") % {"max": MAX_NAME})
    if len(query) > MAX_QUERY:
        raise ServiceError(_("This filter is too long to be saved."))
    mine = SavedFilter.objects.filter(organisation=organisation, user=user)
    if mine.filter(name__iexact=name).exists():
        raise ServiceError(_("You already have a filter with this name."))
    if mine.count() >= MAX_SAVED:
        raise ServiceError(
            _("You can save at most %(max)s filters; delete one first.") % {"max": MAX_SAVED}
        )
    try:
        with transaction.atomic():
            return SavedFilter.objects.create(
                organisation=organisation, user=user, name=name, query=query
            )
    except IntegrityError:
        raise ServiceError(_("You already have a filter with this name.")) from None


def own_filter(user: Any, organisation: Organisation, pk: int) -> SavedFilter | None:
    return SavedFilter.objects.filter(organisation=organisation, user=user, pk=pk).first()


def delete_filter(saved: SavedFilter) -> None:
    saved.delete()

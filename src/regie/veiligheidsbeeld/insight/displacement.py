"""The waterbed (displacement) computation: WDD and WDQ from monthly counts of a target area, a
displacement area and their control areas, in a window before and a window after a measure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from regie import stats
from regie.areas.models import Area
from regie.core.models import Organisation
from regie.monitor import selectors
from regie.monitor.models import Measure
from regie.monitor.selectors.series import Point, load_series
from regie.stats import periods
from regie.veiligheidsbeeld import wording
from regie.veiligheidsbeeld.insight.errors import InsightError


@dataclass(frozen=True)
class WaterbedResult:
    measure: str
    before: stats.Window
    after: stats.Window
    groups: dict[str, list[str]]
    counts: stats.WaterbedCounts
    wdd: stats.WDD
    wdq: stats.WDQ
    sentence: str
    sources: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "measure": self.measure,
            "before": [self.before.start.isoformat(), self.before.end.isoformat()],
            "after": [self.after.start.isoformat(), self.after.end.isoformat()],
            "areas": self.groups,
            "counts": {k: selectors.number(v) for k, v in vars(self.counts).items()},
            "wdd": {
                "value": selectors.number(self.wdd.value),
                "variance": selectors.number(self.wdd.variance),
                "se": round(self.wdd.se, 4),
                "z": round(self.wdd.z, 4),
                "p_value": self.wdd.p_value,
                "lower": round(self.wdd.lower, 4),
                "upper": round(self.wdd.upper, 4),
                "shared_control": self.wdd.shared_control,
            },
            "wdq": {
                "value": None if self.wdq.value is None else round(self.wdq.value, 4),
                "reading": str(self.wdq.reading),
            },
            "sentence": self.sentence,
            "sources": self.sources,
        }


def parse_window(text: str) -> stats.Window:
    """``2023M01:2023M12`` (first and last month, inclusive) → a window."""
    first_code, _sep, last_code = text.partition(":")
    try:
        first, last = periods.parse(first_code.strip()), periods.parse(last_code.strip())
        ok = {first.kind, last.kind} == {periods.PeriodKind.MONTH}
    except periods.PeriodError:
        ok = False
    if not ok:
        raise InsightError(
            _("Write a window as first and last month: 2023M01:2023M12 (not %(text)s).")
            % {"text": text},
            code="window",
        )
    return stats.Window(first.start, last.end)


def waterbed(
    measure_code: str,
    *,
    target: Sequence[str],
    displacement: Sequence[str],
    control_target: Sequence[str],
    control_displacement: Sequence[str] | None = None,
    before: stats.Window,
    after: stats.Window,
    organisation: Organisation | None,
) -> WaterbedResult:
    """WDD and WDQ from monthly counts; refuses windows that cannot be compared, and says why."""
    try:
        stats.check_windows(before, after)
    except stats.WindowError as exc:
        raise InsightError(wording.window_error(exc), code=exc.code) from exc
    measure = _count_measure(measure_code, organisation)
    groups = {
        "target": list(target),
        "displacement": list(displacement),
        "control_target": list(control_target),
        "control_displacement": list(control_displacement or control_target),
    }
    found = _role_areas(groups)
    shared_control = _check_roles(groups)
    series = load_series(organisation, list(found.values()), [measure])
    monthly: _Monthly = {
        code: {(p.year, p.month or 0): p for p in series[(area.pk, measure.pk)].months()}
        for code, area in found.items()
    }
    counts = _counts(monthly, measure.code, groups, before, after)
    try:
        wdd = stats.wdd(counts, shared_control=shared_control)
    except stats.NotComputable as exc:
        raise InsightError(
            _("WDD cannot be computed: every count in both windows is 0."),
            code="not_computable",
        ) from exc
    wdq = stats.wdq(counts)
    used = set(before.months) | set(after.months)
    return WaterbedResult(
        measure=measure.code,
        before=before,
        after=after,
        groups=groups,
        counts=counts,
        wdd=wdd,
        wdq=wdq,
        sentence=wording.waterbed(wdd, wdq, small=min(vars(counts).values()) < stats.SMALL_COUNT),
        sources=sorted(
            {
                f"{code}: {point.source_line}"
                for code, area in found.items()
                for point in series[(area.pk, measure.pk)].months()
                if (point.year, point.month or 0) in used
            }
        ),
    )


#: Per area code its monthly figures by (year, month).
_Monthly = dict[str, dict[tuple[int, int], Point]]


def _count_measure(measure_code: str, organisation: Organisation | None) -> Measure:
    """The visible measure ``measure_code``, refused unless it counts events."""
    measure = selectors.visible_measures(organisation).filter(code=measure_code.strip()).first()
    if measure is None:
        raise InsightError(_("Unknown measure %(code)s.") % {"code": measure_code}, code="measure")
    if not measure.is_event_count:
        raise InsightError(
            _("%(measure)s is not a count of events: WDD and WDQ need counts of events.")
            % {"measure": measure.code},
            code="not_a_count",
        )
    return measure


def _role_areas(groups: dict[str, list[str]]) -> dict[str, Area]:
    """The areas of every role by code; refuses an empty role or an unknown area, and writes
    each role's codes in upper case without repeats (in ``groups``)."""
    codes = {c.strip().upper() for group in groups.values() for c in group}
    found = {a.code: a for a in Area.objects.filter(code__in=codes)}
    for name, group in groups.items():
        if not group:
            raise InsightError(_("Choose at least one area for every role."), code="areas")
        for code in group:
            if code.strip().upper() not in found:
                raise InsightError(_("Unknown area %(code)s.") % {"code": code}, code="areas")
        groups[name] = list(dict.fromkeys(c.strip().upper() for c in group))
    return found


def _counts(
    monthly: _Monthly,
    measure: str,
    groups: dict[str, list[str]],
    before: stats.Window,
    after: stats.Window,
) -> stats.WaterbedCounts:
    """The eight totals (every role, both windows) the WDD and WDQ are computed from."""
    return stats.WaterbedCounts(
        target_before=_total(monthly, measure, groups["target"], before),
        target_after=_total(monthly, measure, groups["target"], after),
        displacement_before=_total(monthly, measure, groups["displacement"], before),
        displacement_after=_total(monthly, measure, groups["displacement"], after),
        control_target_before=_total(monthly, measure, groups["control_target"], before),
        control_target_after=_total(monthly, measure, groups["control_target"], after),
        control_displacement_before=_total(
            monthly, measure, groups["control_displacement"], before
        ),
        control_displacement_after=_total(monthly, measure, groups["control_displacement"], after),
    )


def _total(monthly: _Monthly, measure: str, group: list[str], window: stats.Window) -> float:
    """The sum over the areas of ``group`` and the months of ``window``; refuses a month that is
    missing, not published or incomplete."""
    result = 0.0
    for code in group:
        for month in window.months:
            point = monthly[code].get(month)
            month_code = f"{month[0]}M{month[1]:02d}"
            if point is None or point.value is None:
                raise InsightError(
                    _("No figure of %(measure)s for %(area)s in %(month)s.")
                    % {"measure": measure, "area": code, "month": month_code},
                    code="missing",
                )
            if point.incomplete:
                raise InsightError(
                    _(
                        "%(month)s of %(area)s is incomplete (%(label)s has not been counted "
                        "whole): choose windows of complete months."
                    )
                    % {"month": month_code, "area": code, "label": point.label},
                    code="incomplete",
                )
            result += point.value
    return result


_ROLE_NAMES = {
    "target": gettext_noop("target area"),
    "displacement": gettext_noop("displacement area"),
    "control_target": gettext_noop("control area (target)"),
    "control_displacement": gettext_noop("control area (displacement)"),
}


def _check_roles(groups: dict[str, list[str]]) -> bool:
    """Refuse an area in two roles; True when one control (set of areas) serves both target and
    displacement area (the variance then counts the control four times, DOMAIN §5)."""
    control_t, control_d = set(groups["control_target"]), set(groups["control_displacement"])
    shared = control_t == control_d
    roles = ["target", "displacement", "control_target"] + (
        [] if shared else ["control_displacement"]
    )
    seen: dict[str, str] = {}
    for role in roles:
        for code in groups[role]:
            if code in seen:
                raise InsightError(
                    _(
                        "%(area)s is both %(first)s and %(second)s: an area can have one role "
                        "only (one control area may serve both the target and the displacement "
                        "area, as the same areas in both control roles)."
                    )
                    % {
                        "area": code,
                        "first": _(_ROLE_NAMES[seen[code]]),
                        "second": _(_ROLE_NAMES[role]),
                    },
                    code="roles",
                )
            seen[code] = role
    return shared

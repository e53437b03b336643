"""What a status evaluation returns: per indicator, per goal/theme/priority and for the plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from regie.monitor import selectors
from regie.monitor.models import Measure
from regie.policy import engine
from regie.policy.engine import Status
from regie.policy.models import Goal, Indicator, Plan, Priority, StatusOverride, Theme

#: The source named when a measure's figures are not official statistics.
UNOFFICIAL_SOURCE = "Misdaad in kaart"


def unofficial_source(measure: Measure) -> str:
    """ "Misdaad in kaart" when ``measure``'s figures are not official statistics
    (:func:`regie.monitor.selectors.is_unofficial`: ``local:mik_*``), else ""."""
    return UNOFFICIAL_SOURCE if selectors.is_unofficial(measure.code) else ""


@dataclass(frozen=True)
class IndicatorStatus:
    indicator: Indicator
    computed: engine.Evaluation
    status: Status  # the computed status, or the override's
    explanation: str
    override: StatusOverride | None = None
    measurements: tuple[engine.Measurement, ...] = ()
    series: selectors.Series | None = None  # the figures judged, with their sources

    @property
    def label(self) -> str:
        return engine.status_label(self.status)

    @property
    def unofficial_source(self) -> str:
        """ "Misdaad in kaart" when the figures are not official statistics, else ""."""
        return unofficial_source(self.indicator.measure)

    @property
    def margin_text(self) -> str:
        """The margin used, rounded half up at the indicator's decimals ("7,0 – 7,4")."""
        margin = self.computed.margin
        if margin is None:
            return ""
        places = self.indicator.decimals
        return (
            f"{engine.format_number(margin[0], places)} – {engine.format_number(margin[1], places)}"
        )

    def as_dict(self) -> dict[str, Any]:
        m = self.computed.measurement
        test = self.computed.test
        return {
            "indicator": self.indicator.key,
            "name": self.indicator.name,
            "measure": self.indicator.measure.code,
            "area": self.indicator.area.code,
            "status": self.status.value,
            "label": self.label,
            "explanation": self.explanation,
            "computed_status": self.computed.status.value,
            "computed_explanation": self.computed.explanation,
            "measurement": None if m is None else {"period": m.period, "value": m.value},
            "expected": self.computed.expected,
            "margin": list(self.computed.margin) if self.computed.margin else None,
            "test": None if test is None else test.as_dict(),
            "official_statistics": not self.unofficial_source,
            "override": None
            if self.override is None
            else {
                "status": self.override.status,
                "reason": self.override.reason,
                "at": self.override.created_at.isoformat(timespec="seconds"),
            },
        }


@dataclass(frozen=True)
class Node:
    """A goal, theme or priority with the roll-up of what is under it."""

    kind: str
    key: str
    title: str
    status: Status
    explanation: str
    obj: Priority | Theme | Goal
    children: tuple[Node, ...] = ()
    indicators: tuple[IndicatorStatus, ...] = ()
    statuses: tuple[Status, ...] = ()  # of every indicator under it

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": self.kind,
            "key": self.key,
            "title": self.title,
            "status": self.status.value,
            "label": engine.status_label(self.status),
            "explanation": self.explanation,
            "counts": counts_dict(list(self.statuses)),
            "not_judged": engine.count_statuses(self.statuses)[Status.NO_MEASUREMENT],
        }
        if self.children:
            data["children"] = [c.as_dict() for c in self.children]
        if self.indicators:
            data["indicators"] = [i.as_dict() for i in self.indicators]
        return data


@dataclass(frozen=True)
class PlanEvaluation:
    plan: Plan
    status: Status
    explanation: str
    priorities: tuple[Node, ...]
    by_indicator: dict[int, IndicatorStatus] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        statuses = [i.status for i in self.by_indicator.values()]
        return {
            "plan": self.plan.title,
            "gemeente": self.plan.organisation.cbs_code,
            "version": self.plan.version,
            "status": self.status.value,
            "label": engine.status_label(self.status),
            "explanation": self.explanation,
            "counts": counts_dict(statuses),
            "not_judged": engine.count_statuses(statuses)[Status.NO_MEASUREMENT],
            "priorities": [p.as_dict() for p in self.priorities],
        }


def counts_dict(statuses: list[Status]) -> dict[str, int]:
    """Indicators per status (every status, 0 or not) for the JSON; ``no_measurement`` is the
    number that could not be judged."""
    return {s.value: n for s, n in engine.count_statuses(statuses).items()}

"""Every status of a plan, computed from the monitor's figures in a fixed number of queries.

``evaluate_plan`` reads the plan's tree (4 queries), the latest override of each indicator (1) and
every series the indicators need through :func:`regie.monitor.selectors.load_series` (2 per area
the indicators name, however many indicators there are), then runs
:func:`regie.policy.engine.evaluate` per indicator and rolls the statuses up goal → theme →
priority → plan. Nothing is stored: a status follows the
data, and a snapshot (:func:`regie.policy.services.take_snapshot`) keeps one reporting moment.

Modules: :mod:`~regie.policy.status.results` (what comes out),
:mod:`~regie.policy.status.measurements` (targets and measurements from the models and series),
:mod:`~regie.policy.status.evaluation` (indicators) and :mod:`~regie.policy.status.rollup` (goals
up to the plan). Other code imports from this package.
"""

from __future__ import annotations

from regie.policy.engine import Status
from regie.policy.status.evaluation import evaluate_indicator, evaluate_indicators
from regie.policy.status.measurements import measure_kind, measurements, target_of, value_in_data
from regie.policy.status.results import (
    UNOFFICIAL_SOURCE,
    IndicatorStatus,
    Node,
    PlanEvaluation,
    counts_dict,
    unofficial_source,
)
from regie.policy.status.rollup import evaluate_goal, evaluate_plan, roll

__all__ = [
    "UNOFFICIAL_SOURCE",
    "IndicatorStatus",
    "Node",
    "PlanEvaluation",
    "Status",
    "counts_dict",
    "evaluate_goal",
    "evaluate_indicator",
    "evaluate_indicators",
    "evaluate_plan",
    "measure_kind",
    "measurements",
    "roll",
    "target_of",
    "unofficial_source",
    "value_in_data",
]

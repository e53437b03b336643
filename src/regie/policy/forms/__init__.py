"""Forms of the Beleid pages. They validate input; :mod:`regie.policy.services` writes.

Edit forms carry the concurrency token (:class:`regie.core.concurrency.ConcurrencyFormMixin`): a
save over someone else's change is refused with the input kept. A create form has no object yet,
so :func:`without_token` drops the token field.

Modules: :mod:`~regie.policy.forms.common` (shared), :mod:`~regie.policy.forms.plans` (a plan
and its structure), :mod:`~regie.policy.forms.indicators` and :mod:`~regie.policy.forms.scenarios`
(scenarios, budget, stated figures). Other code imports from this package.
"""

from __future__ import annotations

from regie.core.concurrency import VersionForm, without_token
from regie.policy.forms.indicators import (
    TARGET_KIND_CHOICES,
    AreaChoice,
    IndicatorForm,
    MeasureChoice,
    MeasurePicker,
    measure_choices,
)
from regie.policy.forms.plans import (
    MAX_PLAN_FILE,
    AdoptForm,
    GoalForm,
    ImportForm,
    OverrideForm,
    PlanForm,
    PriorityForm,
    SnapshotForm,
    ThemeForm,
)
from regie.policy.forms.scenarios import (
    BudgetLineForm,
    CapacityLineForm,
    ScenarioForm,
    StatedFigureForm,
)

__all__ = [
    "MAX_PLAN_FILE",
    "TARGET_KIND_CHOICES",
    "AdoptForm",
    "AreaChoice",
    "BudgetLineForm",
    "CapacityLineForm",
    "GoalForm",
    "ImportForm",
    "IndicatorForm",
    "MeasureChoice",
    "MeasurePicker",
    "OverrideForm",
    "PlanForm",
    "PriorityForm",
    "ScenarioForm",
    "SnapshotForm",
    "StatedFigureForm",
    "ThemeForm",
    "VersionForm",
    "measure_choices",
    "without_token",
]

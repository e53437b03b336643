"""Every write of the policy app, one write path per aggregate.

* :mod:`.plans`: a plan with its priorities, themes and goals (``store_item``, ``move``,
  ``import_plan``, ``adopt``, ``new_version``, ``take_snapshot``);
* :mod:`.indicators`: an indicator with its target and status history (``add_indicator``,
  ``update_indicator``, ``set_target``, ``baseline_from_data``, ``override_status``); the
  rules of a target live in :mod:`regie.policy.targets`;
* :mod:`.scenarios`: scenarios with capacity lines, budget lines and stated figures, and the
  council's choice (``store_scenario_item``, ``choose_scenario``);
* :mod:`.base`: what they share (the frozen-plan rule, keys, positions, ``save``, ``delete``).

Views, forms, the plan file import and the ``plan`` command call these functions and nothing
else writes. An adopted (vastgesteld) plan is frozen: every change to it or to anything in it
raises :class:`PlanFrozen`; ``new_version`` makes an editable concept copy instead. A write to
something that already exists takes ``version``, the version the user saw, and claims it at the
write: of two people saving or deleting one item at once, one succeeds and the other gets
:class:`~regie.core.concurrency.StaleEditError`.
"""

from regie.core.errors import ServiceError
from regie.policy.plan_file.common import PlanFileError as BoundedYamlError
from regie.policy.plan_file.loading import load_bounded as load_bounded_yaml
from regie.policy.services.base import (
    PlanFrozen,
    PlanItem,
    create_checked,
    delete,
    ensure_editable,
    free_key,
    next_position,
    plan_of,
    save,
)
from regie.policy.services.indicators import (
    add_indicator,
    baseline_from_data,
    history_version,
    override_status,
    set_target,
    update_indicator,
)
from regie.policy.services.plans import (
    adopt,
    import_demo_plans,
    import_plan,
    load_kbv_taxonomy,
    move,
    new_version,
    store_item,
    take_snapshot,
)
from regie.policy.services.scenarios import choice_version, choose_scenario, store_scenario_item

__all__ = [
    "BoundedYamlError",
    "PlanFrozen",
    "PlanItem",
    "ServiceError",
    "add_indicator",
    "adopt",
    "baseline_from_data",
    "choice_version",
    "choose_scenario",
    "create_checked",
    "delete",
    "ensure_editable",
    "free_key",
    "history_version",
    "import_demo_plans",
    "import_plan",
    "load_bounded_yaml",
    "load_kbv_taxonomy",
    "move",
    "new_version",
    "next_position",
    "override_status",
    "plan_of",
    "save",
    "set_target",
    "store_item",
    "store_scenario_item",
    "take_snapshot",
    "update_indicator",
]

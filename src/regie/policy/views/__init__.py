"""The Beleid pages: the plan as a tree with statuses, goal and indicator pages, editing.

Thin views: look the plan up within the URL's organisation (and every item within that plan, so
another gemeente's ids are a 404), validate with :mod:`regie.policy.forms`, write through
:mod:`regie.policy.services`, render. Raadplegers read; beheerders and adviseurs edit.

:mod:`.plans` (a plan's own pages), :mod:`.snapshots`, :mod:`.indicators` (goal and indicator
pages, status overrides), :mod:`.items` (create / edit / delete of every part of a plan) and
:mod:`.common` (lookups and the page context).
"""

from regie.policy.views.common import can_edit, plan_context, plan_in
from regie.policy.views.indicators import goal_detail, indicator_detail, indicator_override
from regie.policy.views.items import KINDS, Kind, item_create, item_delete, item_edit
from regie.policy.views.plans import (
    index,
    plan_adopt,
    plan_create,
    plan_detail,
    plan_diff,
    plan_edit,
    plan_export,
    plan_import,
    plan_new_version,
)
from regie.policy.views.snapshots import snapshot_detail, snapshot_list, snapshot_take

__all__ = [
    "KINDS",
    "Kind",
    "can_edit",
    "goal_detail",
    "index",
    "indicator_detail",
    "indicator_override",
    "item_create",
    "item_delete",
    "item_edit",
    "plan_adopt",
    "plan_context",
    "plan_create",
    "plan_detail",
    "plan_diff",
    "plan_edit",
    "plan_export",
    "plan_import",
    "plan_in",
    "plan_new_version",
    "snapshot_detail",
    "snapshot_list",
    "snapshot_take",
]

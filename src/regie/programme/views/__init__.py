"""The uitvoeringsprogramma pages, under ``/<org>/uitvoering/``.

Thin views: look the programme up within the URL's organisation (and an action within that
programme, so another gemeente's ids are a 404), validate with :mod:`regie.programme.forms`, write
through :mod:`regie.programme.services`, render. Raadplegers read; beheerders and adviseurs edit.

:mod:`.programmes` (list, create, a programme's page, edit, adopt, next year), :mod:`.actions`
(an action's page, create / edit / delete, progress), :mod:`.evaluation` and :mod:`.common`
(lookups, the page context, the goal tree with effort next to effect).
"""

from regie.programme.views.actions import (
    action_create,
    action_delete,
    action_detail,
    action_edit,
    action_progress,
)
from regie.programme.views.capacity import capacity
from regie.programme.views.evaluation import evaluation, evaluation_edit
from regie.programme.views.programmes import (
    index,
    programme_adopt,
    programme_create,
    programme_detail,
    programme_edit,
    programme_next,
)

__all__ = [
    "action_create",
    "action_delete",
    "action_detail",
    "action_edit",
    "action_progress",
    "capacity",
    "evaluation",
    "evaluation_edit",
    "index",
    "programme_adopt",
    "programme_create",
    "programme_detail",
    "programme_edit",
    "programme_next",
]

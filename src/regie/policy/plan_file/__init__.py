"""A whole plan as one YAML file: readable, reviewable in git, and a lossless round trip.

``export_plan`` gives a plain dict in a fixed key order; ``dump`` writes it as YAML (block style,
Unicode, no tags) (:mod:`.writer`). ``parse`` reads a file back into that dict (:mod:`.loading`)
and ``import_plan`` checks every field, collecting all problems with their place in the file
(``priorities[1].themes[0].goals[2].aim``, :mod:`.reader`), and creates a new plan in one
transaction (:mod:`.importer`, :mod:`.indicators`, :mod:`.storing`): every object through the
services and validated by the model, every target by the rules of :mod:`regie.policy.targets`,
the same rules as the indicator form. Exporting the imported plan gives the same file byte for
byte. Database ids, creation times and the status snapshots (which belong to reports of one
stored plan) are not part of the file; status overrides are, with their reason, author label and
time (kept on import only for a faithful copy of an override the organisation already has, see
:mod:`.overrides`). A file is read bounded: at most 1 MB, no YAML anchors or aliases, limited
nesting and size (see :func:`parse`).
"""

from regie.policy.plan_file.common import DEMO_DIR, FORMAT, PlanFileError
from regie.policy.plan_file.importer import import_plan
from regie.policy.plan_file.loading import (
    MAX_BYTES,
    MAX_DEPTH,
    MAX_DIGITS,
    MAX_NODES,
    MAX_SCALAR,
    parse,
    read_text,
    too_large,
)
from regie.policy.plan_file.writer import dump, export_plan, export_yaml, money, target_of

__all__ = [
    "DEMO_DIR",
    "FORMAT",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_DIGITS",
    "MAX_NODES",
    "MAX_SCALAR",
    "PlanFileError",
    "dump",
    "export_plan",
    "export_yaml",
    "import_plan",
    "money",
    "parse",
    "read_text",
    "target_of",
    "too_large",
]

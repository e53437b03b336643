"""A whole uitvoeringsprogramma as one YAML file: readable, reviewable, and a round trip.

``export_programme`` gives a plain dict in a fixed key order and ``dump`` the text of the file
(block style, Unicode, a short header of comments) (:mod:`.writer`). ``import_programme`` reads
such a text bounded like a plan file (at most 1 MB, no anchors or aliases, limited nesting and
size: :mod:`.loading`), checks every field and collects every problem with its place and value
(``actions[3].budget: cannot be negative (“-5”)``, :mod:`.reader`), and creates the programme in
one transaction through :mod:`regie.programme.services` (:mod:`.importer`). Goals are named by
``priority-key/theme-key/goal-key`` of the plan, a scenario line by theme, scenario and label;
amounts are YAML numbers or Dutch text (``"12.000,50"``). Exporting an imported programme gives
the same data.
"""

from regie.programme.programme_file.importer import import_programme
from regie.programme.programme_file.loading import (
    MAX_BYTES,
    ProgrammeFileError,
    load,
    read_text,
    too_large,
)
from regie.programme.programme_file.writer import (
    FORMAT,
    dump,
    dump_data,
    export_programme,
    goal_path,
    header,
    money,
)

__all__ = [
    "FORMAT",
    "MAX_BYTES",
    "ProgrammeFileError",
    "dump",
    "dump_data",
    "export_programme",
    "goal_path",
    "header",
    "import_programme",
    "load",
    "money",
    "read_text",
    "too_large",
]

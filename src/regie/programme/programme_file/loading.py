"""Reading a programme file, bounded: the safe YAML loading of the plan file, reused.

The plan file's loader (:mod:`regie.policy.plan_file.loading`) refuses what could make loading
slow or large before anything is built: no anchors or aliases ("billion laughs"), limited
nesting, a limited number of values, no very long value, no huge number; and it names every
problem of the YAML itself with its line and column, in the user's language. A programme file
is read by the same rules; only the size (at most 1 MB) is checked here first, so that the
message names a programme file.

The loader is reached through ``regie.policy.services`` (``load_bounded_yaml``), the way apps
meet.
"""

from __future__ import annotations

from typing import IO, Any

from django.utils.translation import gettext as _

from regie.policy import services as policy_services

#: The largest programme file, in bytes (as a plan file).
MAX_BYTES: int = 1024 * 1024


class ProgrammeFileError(ValueError):
    """The file cannot become a programme; ``problems`` lists each with its place in the file."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def too_large() -> str:
    return _("The file is larger than %(size)s; a programme file is at most %(size)s.") % {
        "size": "1 MB"
    }


def read_text(stream: IO[bytes]) -> str:
    """Read a programme file from ``stream``, never more than :data:`MAX_BYTES` (+1 to notice)."""
    raw = stream.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise ProgrammeFileError([too_large()])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProgrammeFileError(
            [_("The file is not UTF-8 text; export it again from Veiligheidsregie.")]
        ) from exc


def load(text: str) -> Any:
    """The YAML text as data; :class:`ProgrammeFileError` (with line and column) when it is too
    large, not YAML, or holds what the bounded loader refuses."""
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise ProgrammeFileError([too_large()])
    try:
        return policy_services.load_bounded_yaml(text)
    except policy_services.BoundedYamlError as exc:
        raise ProgrammeFileError(list(exc.problems)) from exc

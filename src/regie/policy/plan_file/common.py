"""The plan file's format name, the demo plans' folder and the error every reader raises."""

from __future__ import annotations

from pathlib import Path

FORMAT = "veiligheidsregie-plan/1"
DEMO_DIR = Path(__file__).resolve().parent.parent / "data"


class PlanFileError(ValueError):
    """The file cannot become a plan; ``problems`` lists each with its place in the file."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems

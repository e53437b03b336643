"""The refusals of :mod:`regie.veiligheidsbeeld.insight`: a question that cannot be answered
honestly, with the reason for people."""

from __future__ import annotations


class InsightError(ValueError):
    """A request that cannot be answered honestly; the message says why (Dutch, for users)."""

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code


class NotAlike(InsightError):
    """Two periods that must not be compared (a partial year against a whole year)."""

"""The exception use cases raise when they refuse; its message is fit to show to the user."""

from __future__ import annotations


class ServiceError(Exception):
    """A use case was refused; the message is fit to show to the user."""

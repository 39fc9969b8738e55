"""Domain errors for the time bank rules; ``message`` is a sentence a person can read."""

from __future__ import annotations


class TimebankError(ValueError):
    """Base class for every refusal by the time bank rules."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidSlot(TimebankError):
    """A time slot is malformed (ends before it starts, unknown weekday, ...)."""


class SlotOverlap(TimebankError):
    """An exchange would overlap one the member has already confirmed."""

    def __init__(self, message: str, *, clashes: tuple[object, ...]) -> None:
        super().__init__(message)
        self.clashes = clashes


class InvalidRota(TimebankError):
    """A recurring commitment or rota assignment cannot be worked out."""


class TaxonomyError(TimebankError):
    """The category taxonomy is malformed (for example a category is its own ancestor)."""

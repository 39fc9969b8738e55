"""Errors that name the part of an SROI case that is wrong, so a form or the CLI can point at it."""


class CaseError(Exception):
    """The case cannot be calculated as given. ``path`` is the dotted place in the case file
    (``outcomes[2].deadweight``) so the person can find and fix it."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message

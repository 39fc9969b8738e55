"""RAS errors; each carries the path of the bad field."""


class RasError(Exception):
    """Base class for RAS errors."""


class ConfigError(RasError):
    """The questionnaire configuration is invalid. ``problems`` are (path, message) pairs."""

    def __init__(self, source: str, problems: list[tuple[str, str]]) -> None:
        detail = "; ".join(f"{path}: {message}" for path, message in problems)
        super().__init__(f"Invalid RAS configuration {source} - {detail}")
        self.problems = problems

    @property
    def paths(self) -> list[str]:
        return [path for path, _ in self.problems]


class AnswerError(RasError):
    """The answers do not fit the questionnaire. ``problems`` are (path, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        detail = "; ".join(f"{path}: {message}" for path, message in problems)
        super().__init__(f"Invalid answers - {detail}")
        self.problems = problems

    @property
    def paths(self) -> list[str]:
        return [path for path, _ in self.problems]


class UnknownVersionError(RasError):
    """No shipped configuration has that version id (or none is in force on that date)."""

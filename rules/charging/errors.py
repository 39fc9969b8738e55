"""Domain errors. Each names the thing that is wrong so a form or CLI can show it."""


class ChargingError(Exception):
    """Base class: the calculator cannot give a lawful figure for this input."""


class InputError(ChargingError):
    """The assessment input is incomplete or malformed.

    ``fields`` lists the dotted paths of the offending fields.
    """

    def __init__(self, message: str, fields: list[str] | None = None) -> None:
        super().__init__(message)
        self.fields: list[str] = list(fields or [])


class InputRangeError(InputError):
    """A number in the input is outside the range the calculator accepts (see
    ``rules.charging.limits``): too large, negative, or a count out of bounds. ``fields`` names
    every problem found, including any that are not about range."""


class UnknownParameterError(ChargingError):
    """A parameter needed for this assessment has no known value on that date."""

    def __init__(self, name: str, on: str, reason: str) -> None:
        super().__init__(
            f"Cannot calculate: parameter '{name}' is unknown for {on} ({reason}). "
            "Add the verified figure to the parameter file before charging anyone on it."
        )
        self.name = name


class OverrideError(ChargingError):
    """A local override is not allowed (unknown name, wrong setting, or less generous)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"Local figure for '{name}' rejected: {message}")
        self.name = name

"""One entry point for every rule."""

from __future__ import annotations

from .greedy import greedy
from .mes import COMPLETIONS, equal_shares
from .model import TIE_BREAKS, UTILITIES, Election, PBError
from .outcome import Outcome

RULES = ("greedy", "greedy-no-skip", "mes")


def tally(
    election: Election,
    rule: str = "mes",
    utility: str = "cost",
    completion: str = "add1",
    tie_break: str = "id",
) -> Outcome:
    """Count ``election`` with ``rule`` (``greedy``, ``greedy-no-skip`` or ``mes``).

    ``completion`` only applies to ``mes``. Tie-breaking ``id``: the project id that sorts first
    as a string wins (pabutools' default); ``cost-votes``: the cheaper project, then the one with
    more supporters, then the id (equalshares.net's recommendation).
    """
    for name, value, allowed in (
        ("rule", rule, RULES),
        ("utility", utility, UTILITIES),
        ("completion", completion, COMPLETIONS),
        ("tie-break", tie_break, TIE_BREAKS),
    ):
        if value not in allowed:
            raise PBError(f"unknown {name} {value!r} (choose one of {', '.join(allowed)})")
    if rule == "mes":
        return equal_shares(election, utility, completion, tie_break)
    return greedy(election, utility, tie_break, skip=rule == "greedy")

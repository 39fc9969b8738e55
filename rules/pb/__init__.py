"""Participatory budgeting: pabulib ``.pb`` files, greedy and Method of Equal Shares counts.

Pure Python, exact arithmetic (``fractions.Fraction``), no Django. Typical use::

    election = read_pb("district.pb")          # or Election(budget, projects, ballots, vote_type)
    outcome = tally(election, rule="mes", utility="cost", completion="add1", tie_break="id")
    outcome.selected, outcome.total_cost, render(outcome)
    write_pb(election, stream)                 # publish anonymised ballots
"""

from .explain import render
from .greedy import greedy
from .mes import COMPLETIONS, equal_shares
from .model import (
    TIE_BREAKS,
    UTILITIES,
    VOTE_TYPES,
    Ballot,
    Election,
    PBError,
    PBFormatError,
    Project,
    format_amount,
)
from .outcome import (
    GreedyExplanation,
    GreedyStep,
    GroupShare,
    MESExplanation,
    MESStep,
    Outcome,
)
from .pabulib import read_pb, write_pb
from .tally import RULES, tally

__all__ = [
    "COMPLETIONS",
    "RULES",
    "TIE_BREAKS",
    "UTILITIES",
    "VOTE_TYPES",
    "Ballot",
    "Election",
    "GreedyExplanation",
    "GreedyStep",
    "GroupShare",
    "MESExplanation",
    "MESStep",
    "Outcome",
    "PBError",
    "PBFormatError",
    "Project",
    "equal_shares",
    "format_amount",
    "greedy",
    "read_pb",
    "render",
    "tally",
    "write_pb",
]

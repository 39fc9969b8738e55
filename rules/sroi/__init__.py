"""Social return on investment (SROI): exact, recountable arithmetic with every assumption sourced.

Pure Python, no Django. ``case_from_dict`` reads and checks a case, ``calculate`` gives present
value, net present value, ratio and payback, ``variations`` and ``switching_values`` the
sensitivity analysis; ``report`` puts them together as JSON-ready data. Conventions are stated in
``rules.sroi.calculate`` and printed with every report.
"""

from rules.sroi.calculate import CONVENTIONS, Result, calculate
from rules.sroi.case import Case, case_from_dict
from rules.sroi.errors import CaseError
from rules.sroi.report import load_case, reference_figures, report
from rules.sroi.sensitivity import switching_values, variations

__all__ = [
    "CONVENTIONS",
    "Case",
    "CaseError",
    "Result",
    "calculate",
    "case_from_dict",
    "load_case",
    "reference_figures",
    "report",
    "switching_values",
    "variations",
]

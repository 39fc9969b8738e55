"""``wellbeing-hub pb tally FILE.pb --rule … [--utility …] [--completion …] [--tie-break …]``.

Prints the explanation lines, then one JSON object on the last line::

    {"rule": "mes", "utility": "cost", "completion": "add1", "tie_break": "id",
     "selected": ["1", "5", "12"], "total_cost": 99500, "budget": 100000}

``selected`` is sorted (numerically when ids are all digits). Amounts are JSON numbers when they
are whole, otherwise strings holding the exact decimal (``"2828094.61"``), so no precision is lost
to floating point; an amount with no finite decimal expansion would be written as ``"a/b"``.
Returns 0 on success, 2 on bad input (message on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from fractions import Fraction

from .explain import render
from .mes import COMPLETIONS
from .model import TIE_BREAKS, UTILITIES, PBError, format_amount
from .pabulib import read_pb
from .tally import RULES, tally


def json_amount(value: Fraction) -> int | str:
    return value.numerator if value.denominator == 1 else format_amount(value)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise PBError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="wellbeing-hub pb", description="Participatory budgeting counts.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    count = commands.add_parser("tally", help="count a pabulib .pb file")
    count.add_argument("file")
    count.add_argument("--rule", choices=RULES, required=True)
    count.add_argument("--utility", choices=UTILITIES, default="cost")
    count.add_argument(
        "--completion",
        choices=COMPLETIONS,
        default="add1",
        help="for --rule mes (default add1, as equalshares.net and tally() use)",
    )
    count.add_argument("--tie-break", choices=TIE_BREAKS, default="id")
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
        election = read_pb(args.file)
        outcome = tally(election, args.rule, args.utility, args.completion, args.tie_break)
    except OSError as error:
        print(f"error: cannot read {error.filename}: {error.strerror}", file=sys.stderr)
        return 2
    except PBError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for line in render(outcome):
        print(line)
    print(
        json.dumps(
            {
                "rule": args.rule,
                "utility": args.utility,
                "completion": args.completion if args.rule == "mes" else "none",
                "tie_break": args.tie_break,
                "selected": outcome.selected_sorted,
                "total_cost": json_amount(outcome.total_cost),
                "budget": json_amount(outcome.budget),
            },
            ensure_ascii=False,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

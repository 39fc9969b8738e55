"""``wellbeing-hub sroi calc CASE.yaml [--no-sensitivity]`` prints the SROI report as JSON.

Money is printed as strings (``"1234.56"``). Exit 0 on success, 2 when the case is wrong (the
message names the field).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rules.sroi.calculate import calculate
from rules.sroi.errors import CaseError
from rules.sroi.report import load_case, report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="wellbeing-hub sroi")
    sub = parser.add_subparsers(dest="command", required=True)
    calc = sub.add_parser("calc", help="calculate an SROI case file")
    calc.add_argument("case", type=Path)
    calc.add_argument(
        "--no-sensitivity", action="store_true", help="leave out the sensitivity analysis"
    )
    args = parser.parse_args(argv)
    try:
        case = load_case(args.case)
    except OSError as error:
        print(f"wellbeing-hub sroi: cannot read {args.case}: {error.strerror}", file=sys.stderr)
        return 2
    except CaseError as error:
        print(f"wellbeing-hub sroi: {error}", file=sys.stderr)
        return 2
    data = calculate(case).to_dict() if args.no_sensitivity else report(case)
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Command line: ``calc INPUT.yaml [--date YYYY-MM-DD] [--local FILE] [--national FILE]`` prints
the assessment as JSON.

``--local`` takes the council's own figures and ``--national`` national figures added after the
parameter file (a new year's DHSC circular), both in the same shape (YAML or JSON); ``--figures``
takes one file with a ``local:`` and a ``national:`` section, as the web admin downloads it::

    capital.upper_limit:
      - {value: "23250.00", applies_from: "2026-04-06", note: "2026/27 circular"}

Called as ``wellbeing-hub charges calc ...`` (argv starts with ``calc``) or
``python -m rules.charging.cli calc ...``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

import yaml

from rules.charging.calculator import assess
from rules.charging.errors import ChargingError, InputError
from rules.charging.inputs import AssessmentInput
from rules.charging.overrides import overrides_from_dict
from rules.charging.parameters import national_figures_from_dict


def _date(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a date (YYYY-MM-DD)") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wellbeing-hub charges", description="Care Act 2014 charging calculator (England)."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    calc = commands.add_parser("calc", help="work out a weekly charge from an input YAML file")
    calc.add_argument("input", type=Path, help="assessment input (YAML or JSON)")
    calc.add_argument("--date", type=_date, help="assessment date; replaces the file's date")
    calc.add_argument("--local", type=Path, help="the council's local figures (YAML or JSON)")
    calc.add_argument(
        "--national", type=Path, help="national figures newer than the parameter file"
    )
    calc.add_argument(
        "--figures",
        type=Path,
        help="one file with 'local:' and 'national:' sections (the web admin's download)",
    )
    return parser


def _figures(path: Path | None) -> dict[str, object] | None:
    """Read a figures file; raises _Refused with the message to print."""
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise _Refused(f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise _Refused(f"{path} is not UTF-8 text") from None
    try:
        data = yaml.load(text, Loader=yaml.BaseLoader)  # noqa: S506 - BaseLoader builds no objects
    except yaml.YAMLError as error:
        raise _Refused(f"{path} is not valid YAML: {error}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise _Refused(f"{path} must hold a mapping of figure names")
    return data


class _Refused(Exception):
    pass


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        text = args.input.read_text(encoding="utf-8")
    except OSError as error:
        print(f"error: cannot read {args.input}: {error.strerror}", file=sys.stderr)
        return 2
    try:
        # BaseLoader keeps every scalar a string, so money never passes through a float.
        data = yaml.load(text, Loader=yaml.BaseLoader)  # noqa: S506 - BaseLoader builds no objects
    except yaml.YAMLError as error:
        print(f"error: {args.input} is not valid YAML: {error}", file=sys.stderr)
        return 2
    if not isinstance(data, dict):
        print(f"error: {args.input} must hold a mapping of field names", file=sys.stderr)
        return 2
    if args.date is not None:
        data["date"] = args.date
    try:
        local_raw, national_raw = _figures(args.local), _figures(args.national)
        both = _figures(args.figures)
        if both is not None:
            unknown = set(both) - {"local", "national"}
            if unknown:
                raise _Refused(f"{args.figures}: unknown sections {sorted(unknown)}")
            sections: dict[str, dict[str, object]] = {}
            for section in ("local", "national"):
                found = both.get(section) or {}
                if not isinstance(found, dict):
                    raise _Refused(f"{args.figures}: '{section}' must be a mapping")
                sections[section] = found
            local_raw = {**sections["local"], **(local_raw or {})}
            national_raw = {**sections["national"], **(national_raw or {})}
    except _Refused as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        local = overrides_from_dict(local_raw) if local_raw is not None else None
        national = national_figures_from_dict(national_raw) if national_raw is not None else None
        typed = _typed(data)
        assert isinstance(typed, dict)
        result = assess(AssessmentInput.from_dict(typed), local, national)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        if error.fields:
            print(f"fields: {', '.join(error.fields)}", file=sys.stderr)
        return 2
    except ChargingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 3
    print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    return 0


_BOOLEANS = {"true": True, "false": False, "yes": True, "no": False}
_INTEGERS = {
    "age",
    "owners",
    "dependent_children",
    "disabled_children_lower",
    "disabled_children_higher",
    "weeks_in_care_home",
}


def _typed(node: object, key: str = "") -> object:
    """Turn BaseLoader strings back into booleans and whole numbers where the schema wants them;
    money stays a string for Decimal."""
    if isinstance(node, dict):
        return {str(k): _typed(v, str(k)) for k, v in node.items()}
    if isinstance(node, list):
        return [_typed(item, key) for item in node]
    if isinstance(node, str):
        lowered = node.strip().lower()
        if lowered in _BOOLEANS:
            return _BOOLEANS[lowered]
        if key in _INTEGERS and lowered.lstrip("-").isdigit():
            try:
                return int(lowered)
            except ValueError:  # more digits than Python converts: out of range anyway
                return node
        if lowered in ("", "null", "~"):
            return None
    return node


if __name__ == "__main__":
    raise SystemExit(main())

"""The ``pb tally`` command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rules.pb import read_pb, tally
from rules.pb.cli import main

from .helpers import REPO_ROOT, outcomes, shared_pb_dir

ASSEN = "Netherlands_Assen_2024.pb"


def recorded(name: str, variant: str) -> list[str]:
    entry = next(e for e in outcomes()["files"][name]["outcomes"] if e["rule"] == variant)
    return list(entry["selected"])


def test_tally_mes_add1(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["tally", str(shared_pb_dir() / ASSEN), "--rule", "mes", "--completion", "add1"])
    assert code == 0
    lines = capsys.readouterr().out.strip().splitlines()
    result = json.loads(lines[-1])
    assert result["rule"] == "mes"
    assert result["selected"] == recorded(ASSEN, "mes_cost_sat_add1")
    assert result["budget"] == 100000
    assert isinstance(result["total_cost"], int)
    assert any("raised" in line for line in lines[:-1])


def test_tally_greedy_with_decimal_budget(capsys: pytest.CaptureFixture[str]) -> None:
    name = "Poland_Krakow_2025_Pradnik_Bialy.pb"
    assert (
        main(
            [
                "tally",
                str(shared_pb_dir() / name),
                "--rule",
                "greedy",
                "--utility",
                "points",
                "--tie-break",
                "id",
            ]
        )
        == 0
    )
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["budget"] == "2828094.61"
    assert sorted(result["selected"]) == sorted(recorded(name, "greedy_rank_points"))


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["tally", "missing.pb", "--rule", "mes"], "cannot read missing.pb"),
        (["tally", "x.pb", "--rule", "lottery"], "invalid choice"),
        (["count", "x.pb"], "invalid choice"),
        ([], "required"),
    ],
)
def test_bad_input(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) != 0
    assert message in capsys.readouterr().err


def test_malformed_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.pb"
    path.write_text(
        "META\nkey;value\nnum_projects;1\nnum_votes;0\nbudget;-5\nvote_type;approval\n"
        "PROJECTS\nproject_id;cost\n1;3\nVOTES\nvoter_id;vote\n",
        encoding="utf-8",
    )
    assert main(["tally", str(path), "--rule", "greedy"]) == 2
    assert "line 5" in capsys.readouterr().err


def test_python_dash_m() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "rules.pb.cli",
            "tally",
            str(shared_pb_dir() / ASSEN),
            "--rule",
            "greedy",
        ],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["selected"] == recorded(ASSEN, "greedy_cost_sat")


def test_mes_completion_defaults_to_add1_like_tally(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["tally", str(shared_pb_dir() / ASSEN), "--rule", "mes"])
    assert code == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["completion"] == "add1"
    election = read_pb(shared_pb_dir() / ASSEN)
    assert set(result["selected"]) == set(tally(election, "mes").selected)

"""Reading and writing pabulib .pb files."""

from __future__ import annotations

import io
from fractions import Fraction

import pytest

from rules.pb import Ballot, Election, PBFormatError, Project, read_pb, write_pb

from .helpers import outcomes, shared_pb_dir

GOOD = """META
key;value
description;Test
num_projects;3
num_votes;3
budget;100.5
vote_type;approval
max_length;2
PROJECTS
project_id;cost;name
1;50;"Park; benches"
2;30,5;"Say ""hi"" now"
10;20;Library
VOTES
voter_id;vote;age
a;1,2;30
b;10;41
c;2,10;
"""


def lines(text: str) -> list[str]:
    return io.StringIO(text).readlines()


def test_reads_a_small_file() -> None:
    election = read_pb(lines(GOOD))
    assert election.budget == Fraction(201, 2)
    assert election.projects["2"].cost == Fraction(61, 2)
    assert election.projects["1"].name == "Park; benches"
    assert election.projects["2"].name == 'Say "hi" now'
    assert [b.projects for b in election.ballots] == [("1", "2"), ("10",), ("2", "10")]
    assert election.ballots[0].extra == {"age": "30"}


def test_round_trip() -> None:
    election = read_pb(lines(GOOD))
    buffer = io.StringIO()
    write_pb(election, buffer)
    again = read_pb(lines(buffer.getvalue()))
    assert again.projects == election.projects
    assert again.ballots == election.ballots
    assert again.budget == election.budget


@pytest.mark.parametrize("name", sorted(outcomes()["files"]))
def test_shared_files_parse_and_round_trip(name: str) -> None:
    election = read_pb(shared_pb_dir() / name)
    info = outcomes()["files"][name]
    assert len(election.ballots) == info["num_voters"]
    assert len(election.projects) == info["num_projects"]
    assert election.budget == Fraction(info["budget"])
    assert election.vote_type == info["vote_type"]
    buffer = io.StringIO()
    write_pb(election, buffer)
    again = read_pb(lines(buffer.getvalue()))
    assert again.ballots == election.ballots
    assert again.projects == election.projects


def test_ordinal_and_cumulative_ballots() -> None:
    cumulative = read_pb(shared_pb_dir() / "Switzerland_Zurich_D10.pb")
    first = cumulative.ballots[0]
    assert first.points is not None and len(first.points) == len(first.projects)
    ordinal = read_pb(shared_pb_dir() / "Switzerland_Zurich_S5R.pb")
    assert ordinal.ballots[0].points is None


BROKEN = [
    (GOOD.replace("num_projects;3", "num_projects;4"), 4, "num_projects says 4"),
    (GOOD.replace("num_votes;3", "num_votes;2"), 5, "num_votes says 2"),
    (GOOD.replace("b;10;41", "b;11;41"), 17, "unknown project '11'"),
    (GOOD.replace("c;2,10;", "a;2,10;"), 18, "voter id 'a' appears twice"),
    (GOOD.replace("10;20;Library", "10;-20;Library"), 13, "negative cost"),
    (GOOD.replace("c;2,10;", "c;1,2,10;"), 18, "allows at most 2"),
    (GOOD.replace("b;10;41", "b;10"), 17, "2 fields where the VOTES header has 3"),
    (GOOD.replace("budget;100.5", "budget;lots"), 6, "budget 'lots' is not a number"),
    (GOOD.replace("PROJECTS\n", "VOTES\n", 1), 9, "VOTES found where PROJECTS"),
    (GOOD.replace("1;50;", "2;50;"), 12, "project id '2' appears twice"),
    (GOOD.replace("vote_type;approval", "vote_type;lottery"), 7, "unknown vote_type"),
    (GOOD.replace("b;10;41", "b;10,10;41"), 17, "more than once"),
    # A second VOTES title (or any title) after VOTES, the last section: refused with its line,
    # not an IndexError (found by comparing the reader before and after it was broken up).
    (GOOD + "VOTES\n", 19, "section VOTES found after VOTES, the last section"),
    (GOOD.replace("b;10;41", "META"), 17, "section META found after VOTES, the last section"),
]


@pytest.mark.parametrize(("text", "line", "reason"), BROKEN)
def test_malformed_files_are_refused_with_line_and_reason(
    text: str, line: int, reason: str
) -> None:
    with pytest.raises(PBFormatError) as caught:
        read_pb(lines(text))
    assert caught.value.line == line
    assert reason in str(caught.value)
    assert f"line {line}" in str(caught.value)


CUMULATIVE = """META
key;value
num_projects;2
num_votes;2
budget;10
vote_type;cumulative
max_sum_points;5
PROJECTS
project_id;cost
1;5
2;5
VOTES
voter_id;vote;points
a;1,2;3,2
b;1,2;4,2
"""


def test_cumulative_points_constraint() -> None:
    with pytest.raises(PBFormatError, match="more than max_sum_points 5") as caught:
        read_pb(lines(CUMULATIVE))
    assert caught.value.line == 15
    ok = read_pb(lines(CUMULATIVE.replace("b;1,2;4,2", "b;1,2;4,1")))
    assert ok.ballots[1].points == (Fraction(4), Fraction(1))
    with pytest.raises(PBFormatError, match="needs max_sum_points"):
        read_pb(lines(CUMULATIVE.replace("max_sum_points;5\n", "")))


def test_election_built_directly_is_checked() -> None:
    projects = [Project("a", Fraction(3)), Project("b", Fraction(4))]
    election = Election(10, projects, [Ballot("v1", ("a",)), Ballot("v2", ("a", "b"))])
    assert election.num_voters == 2
    with pytest.raises(PBFormatError, match="unknown project 'c'"):
        Election(10, projects, [Ballot("v1", ("c",))])
    with pytest.raises(PBFormatError, match="more than one ballot"):
        Election(10, projects, [Ballot("v1", ("a",)), Ballot("v1", ("b",))])
    with pytest.raises(PBFormatError, match="negative cost"):
        Election(10, [Project("a", Fraction(-1))], [])
    buffer = io.StringIO()
    write_pb(election, buffer)
    assert "num_votes;2" in buffer.getvalue()
    assert read_pb(lines(buffer.getvalue())).ballots == election.ballots

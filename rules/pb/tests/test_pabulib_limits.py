"""The .pb reader bounds numbers and lengths, and answers every bad input with its own error
(issue 11, finding 4): no hang on ``budget;1e999999999``, no traceback on non-UTF-8 bytes."""

from __future__ import annotations

import contextlib
import io
import time
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rules.pb import PBFormatError, read_pb
from rules.pb.cli import main
from rules.pb.model import PBError, parse_amount
from rules.pb.pabulib import MAX_FIELDS, MAX_LINE_CHARS, MAX_PROJECTS

from .test_pabulib import GOOD, lines

LIMIT_SECONDS = 2.0


def refused(text: str) -> PBFormatError:
    start = time.monotonic()
    with pytest.raises(PBFormatError) as caught:
        read_pb(lines(text))
    assert time.monotonic() - start < LIMIT_SECONDS
    return caught.value


@pytest.mark.parametrize(
    "budget", ["1e999999999", "1E-999999999", "0e999999999", "9" * 200, "1/" + "7" * 200]
)
def test_huge_numbers_are_refused_quickly_with_the_line(budget: str) -> None:
    error = refused(GOOD.replace("budget;100.5", f"budget;{budget}"))
    assert error.line == 6
    assert str(error).startswith("line 6: ")


@pytest.mark.parametrize(
    ("old", "new", "line"),
    [
        ("2;30,5;", "2;3e999999999;", 12),
        ("max_length;2", "max_length;1e999999999", 8),
        ("num_votes;3", "num_votes;1e999999999", 5),
    ],
)
def test_huge_numbers_anywhere_are_refused(old: str, new: str, line: int) -> None:
    assert refused(GOOD.replace(old, new)).line == line


def test_parse_amount_bounds_at_the_edges() -> None:
    assert parse_amount("1e60") == 10**60
    assert parse_amount("1" * 60) == int("1" * 60)
    for text in ["1e61", "1e-61", "1" * 65]:
        with pytest.raises(PBError, match="too"):
            parse_amount(text)


def test_a_line_too_long_is_refused() -> None:
    long_name = "x" * (MAX_LINE_CHARS + 1)
    error = refused(GOOD.replace("10;20;Library", f"10;20;{long_name}"))
    assert error.line == 13 and "longer than" in error.reason
    ok = GOOD.replace("10;20;Library", "10;20;" + "x" * (MAX_LINE_CHARS - 10))
    assert read_pb(lines(ok)).projects["10"].name.startswith("xxx")


def test_too_many_fields_or_projects_are_refused() -> None:
    header = "project_id;cost;" + ";".join(f"c{i}" for i in range(MAX_FIELDS))
    assert "more than" in refused(GOOD.replace("project_id;cost;name", header)).reason
    assert (
        "more than"
        in refused(GOOD.replace("num_projects;3", f"num_projects;{MAX_PROJECTS + 1}")).reason
    )


def test_a_quoted_field_too_large_for_csv_is_an_error_not_a_traceback() -> None:
    text = GOOD.replace("10;20;Library", '10;20;"' + ("y" * 60_000 + "\n") * 4 + '"')
    assert refused(text).line > 0


def test_non_utf8_file_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.pb"
    path.write_bytes(GOOD.replace("Library", "Bibliothèque").encode("latin-1"))
    with pytest.raises(PBFormatError, match="UTF-8") as caught:
        read_pb(path)
    assert caught.value.line == 13


def test_nul_bytes_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "nul.pb"
    path.write_bytes(GOOD.replace("Library", "Lib\x00rary").encode())
    with pytest.raises(PBFormatError):
        read_pb(path)


@pytest.mark.parametrize(
    "content",
    [
        GOOD.replace("budget;100.5", "budget;1e999999999").encode(),
        GOOD.replace("Library", "Bibliothèque").encode("latin-1"),
        b"\xff\xfe\x00M\x00E",
    ],
)
def test_the_cli_answers_error_line_n(
    tmp_path: Path, content: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.pb"
    path.write_bytes(content)
    start = time.monotonic()
    assert main(["tally", str(path), "--rule", "greedy"]) == 2
    assert time.monotonic() - start < LIMIT_SECONDS
    err = capsys.readouterr().err
    assert err.startswith("error: line ") and "Traceback" not in err


# --- fuzzing -----------------------------------------------------------------------------------

FUZZ = settings(
    max_examples=300,
    deadline=timedelta(seconds=1),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@FUZZ
@given(st.binary(max_size=4000))
def test_arbitrary_bytes_parse_or_raise_the_readers_error(data: bytes) -> None:
    with contextlib.suppress(PBFormatError):
        read_pb(io.BytesIO(data))


@FUZZ
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_after_a_good_prefix(data: bytes) -> None:
    with contextlib.suppress(PBFormatError):
        read_pb(io.BytesIO(GOOD.encode()[: len(GOOD) // 2] + data))


LINE_PARTS = st.sampled_from(
    [
        "META",
        "PROJECTS",
        "VOTES",
        "key;value",
        "project_id;cost;name",
        "voter_id;vote;points",
        "num_projects;1",
        "num_votes;1",
        "budget;10",
        "vote_type;approval",
        "vote_type;cumulative",
        "max_sum_points;5",
        "1;5;A",
        "a;1;1",
        "budget;1e999999999",
        "1;9e99999;A",
        '"',
        ";;;",
        "min_length;1",
        "max_length;0",
        "a;1,1;",
        "\ufeffMETA",
    ]
)


@FUZZ
@given(st.lists(st.one_of(LINE_PARTS, st.text(max_size=80)), max_size=40))
def test_arbitrary_lines_parse_or_raise_the_readers_error(parts: list[str]) -> None:
    try:
        read_pb([part + "\n" for part in parts])
    except PBFormatError as error:
        assert error.line >= 0

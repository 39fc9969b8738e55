"""Configuration and answer validation: clear errors with the path of the bad field."""

from __future__ import annotations

from pathlib import Path

import pytest

from rules.ras import AnswerError, Answers, ConfigError, load_config, load_version, parse_config
from rules.ras.tests.helpers import DATA, v1_document, worked_example


def test_shipped_files_are_valid_and_match_the_shared_example(shared_dir: Path) -> None:
    for path in sorted(DATA.glob("*.yaml")):
        assert load_config(path).domains
    import yaml

    shared = yaml.safe_load((shared_dir / "data/ras/example_ras.yaml").read_text(encoding="utf-8"))
    ours = v1_document()
    for key in ("informal_support", "carer_support_modifier", "banding"):
        assert ours[key] == shared[key]
    assert {k: v for k, v in ours["pricing"].items() if k != "weeks_per_year"} == shared["pricing"]
    for mine, theirs in zip(ours["domains"], shared["domains"], strict=True):
        assert {k: v for k, v in mine.items() if k not in ("help", "free_text")} == theirs


def test_bad_fields_are_reported_with_their_paths() -> None:
    document = v1_document()
    document["domains"][2]["answers"][1]["points"] = -3
    document["domains"][0]["weight"] = 1.5  # a float: money and weights must be strings
    document["domains"][1]["answers"][1]["code"] = "A"  # duplicate
    del document["domains"][3]["help"]
    document["informal_support"]["applies_to_domains"].append("gardening")
    document["informal_support"]["answers"][0]["factor"] = "1.20"
    document["carer_support_modifier"]["answers"][1]["deflator_cap"] = "lots"
    document["pricing"]["floor_weekly"] = "2000.00"
    document["pricing"]["rounding"] = "nearest_florin"
    document["meta"]["effective_from"] = "April"
    document["domains"][4]["colour"] = "blue"
    with pytest.raises(ConfigError) as error:
        parse_config(document, "broken.yaml")
    assert set(error.value.paths) == {
        "domains[2].answers[1].points",
        "domains[0].weight",
        "domains[1].answers[1]",
        "domains[3].help",
        "informal_support.applies_to_domains[5]",
        "informal_support.answers[0].factor",
        "carer_support_modifier.answers[1].deflator_cap",
        "pricing.floor_weekly",
        "pricing.rounding",
        "meta.effective_from",
        "domains[4].colour",
    }
    assert "broken.yaml" in str(error.value)
    assert "domains[2].answers[1].points: must be a whole number" in str(error.value)


def test_free_text_kinds_and_method_consistency() -> None:
    document = v1_document()
    document["about_me"][0]["kind"] = "my_hobbies"
    document["meta"]["calibration"]["method"] = "bands"  # but banding.enabled is false
    with pytest.raises(ConfigError) as error:
        parse_config(document)
    assert set(error.value.paths) == {"about_me[0].kind", "banding.enabled"}


def test_bands_must_not_pay_less_for_more_points() -> None:
    document = v1_document()
    document["banding"]["bands"][2]["weekly"] = "10.00"
    with pytest.raises(ConfigError) as error:
        parse_config(document)
    assert error.value.paths == ["banding.bands[2].weekly"]


def test_answers_are_checked_against_the_questionnaire() -> None:
    config = load_version("illustrative-ras-v1")
    data = worked_example()
    data["answers"] = {**data["answers"], "personal_care": "Z", "gardening": "A"}
    del data["answers"]["staying_safe"]
    data["informal_support"] = {"work_learning_volunteering": "some", "personal_care": "loads"}
    data["carer"] = "tired"
    data["free_text"] = {"about_me.favourite_colour": "green"}
    data["mood"] = "fine"
    with pytest.raises(AnswerError) as error:
        Answers.from_dict(data, config)
    assert set(error.value.paths) == {
        "mood",
        "answers.personal_care",
        "answers.gardening",
        "answers.staying_safe",
        "informal_support.work_learning_volunteering",
        "informal_support.personal_care",
        "carer",
        "free_text.about_me.favourite_colour",
    }
    # Every problem once, in the questionnaire's order, with what a practitioner can act on
    # (mutation testing: messages and the order were not pinned).
    assert error.value.problems == [
        ("mood", "unknown field"),
        ("answers.personal_care", "'Z' is not one of ['A', 'B', 'C', 'D', 'E']"),
        ("answers.staying_safe", "missing"),
        ("answers.gardening", "no such domain"),
        ("informal_support.work_learning_volunteering", "not asked for this domain"),
        ("informal_support.personal_care", "'loads' is not one of ['none', 'some', 'most', 'all']"),
        ("carer", "'tired' is not one of ['ok', 'strain', 'breakdown_risk']"),
        ("free_text.about_me.favourite_colour", "no such free-text question"),
    ]


def test_answer_groups_must_be_mappings() -> None:
    """``answers``, ``informal_support`` and ``free_text`` must each be a mapping."""
    config = load_version("illustrative-ras-v1")
    with pytest.raises(AnswerError) as error:
        Answers.from_dict({"answers": "x", "informal_support": [1], "free_text": 3}, config)
    assert error.value.problems[:3] == [
        ("answers", "must be a mapping"),
        ("informal_support", "must be a mapping"),
        ("free_text", "must be a mapping"),
    ]


def test_check_raises_every_problem_and_passes_answers_that_fit() -> None:
    """``Answers.check`` (used by callers that build answers themselves) raises the same
    problems ``problems`` lists, and returns quietly when there are none."""
    config = parse_config(v1_document())
    fits = Answers.from_dict(worked_example(), config)
    fits.check(config)  # no error
    misfit = Answers(scored={**fits.scored, "no_such_domain": "A"}, carer="nobody")
    with pytest.raises(AnswerError) as raised:
        misfit.check(config)
    assert raised.value.problems == misfit.problems(config)
    assert len(raised.value.problems) >= 2
    assert {path for path, _message in raised.value.problems} >= {"carer"}

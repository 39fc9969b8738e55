"""Compare two sets of answers (the person's and the practitioner's), question by question."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rules.ras.answers import Answers
from rules.ras.budget import score_domain
from rules.ras.config import RasConfig
from rules.ras.money import points_text


@dataclass(frozen=True)
class AnswerDifference:
    """One question answered differently. Points are the question's points after weight and
    informal support; ``points_difference`` is second minus first."""

    question_id: str  # a domain id, "<domain>.informal_support", or "carer"
    question: str
    first_answer: str | None
    second_answer: str | None
    first_points: Decimal
    second_points: Decimal

    @property
    def points_difference(self) -> Decimal:
        return self.second_points - self.first_points

    def describe(self, first_name: str = "You", second_name: str = "Your practitioner") -> str:
        change = self.points_difference
        sign = "+" if change > 0 else ""
        return (
            f"{self.question}: {first_name} answered {self.first_answer or 'nothing'}, "
            f"{second_name} answered {self.second_answer or 'nothing'} "
            f"({sign}{points_text(change)} points)."
        )


def compare_answers(config: RasConfig, first: Answers, second: Answers) -> list[AnswerDifference]:
    """Every question where ``first`` and ``second`` differ, in questionnaire order.

    Free text is not compared: it records each person's own words.
    """
    first.check(config)
    second.check(config)
    differences: list[AnswerDifference] = []
    informal = config.informal_support
    for domain in config.domains:
        one, two = score_domain(config, first, domain), score_domain(config, second, domain)
        if one.answer_code != two.answer_code:
            differences.append(
                AnswerDifference(
                    domain.id,
                    domain.question,
                    one.answer_code,
                    two.answer_code,
                    Decimal(one.raw_points) * domain.weight,
                    Decimal(two.raw_points) * domain.weight,
                )
            )
        if domain.id in informal.applies_to_domains and (
            first.informal_support.get(domain.id) != second.informal_support.get(domain.id)
        ):
            differences.append(
                AnswerDifference(
                    f"{domain.id}.informal_support",
                    f"{domain.label} - help from family, friends or neighbours",
                    first.informal_support.get(domain.id),
                    second.informal_support.get(domain.id),
                    one.points,
                    two.points,
                )
            )
    if first.carer != second.carer:
        add_one = config.carer.option(first.carer) if first.carer else None
        add_two = config.carer.option(second.carer) if second.carer else None
        differences.append(
            AnswerDifference(
                "carer",
                config.carer.question,
                first.carer,
                second.carer,
                Decimal(add_one.add_points if add_one else 0),
                Decimal(add_two.add_points if add_two else 0),
            )
        )
    return differences

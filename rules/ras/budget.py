"""Points to an indicative weekly and annual budget, explained line by line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from rules.ras.answers import Answers
from rules.ras.config import Band, Domain, RasConfig
from rules.ras.money import as_string, points_text, pounds, to_nearest_pound, to_pence
from rules.ras.registry import load_version

ONE = Decimal("1.00")


@dataclass(frozen=True)
class DomainPoints:
    domain_id: str
    label: str
    answer_code: str
    answer_text: str
    raw_points: int
    weight: Decimal
    informal_support: str | None  # the informal-support answer code, if asked and answered
    factor: Decimal  # after the carer cap and floor; 1 where informal support is not asked
    points: Decimal  # raw x weight x factor


@dataclass(frozen=True)
class ExplanationLine:
    text: str
    amount: Decimal | None = None  # money (weekly pounds) where the line states one


_Say = Callable[[ExplanationLine], None]


@dataclass(frozen=True)
class BudgetResult:
    version_id: str
    version_effective_from: dt.date
    config_status: str
    method: str
    domains: tuple[DomainPoints, ...]
    carer: str | None
    carer_add_points: int
    total_points: Decimal
    weekly: Decimal
    annual: Decimal
    below_minimum: bool
    needs_review: str | None  # the configured ceiling action when the ceiling was reached
    explanation: tuple[ExplanationLine, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "version_id": self.version_id,
            "version_effective_from": self.version_effective_from.isoformat(),
            "config_status": self.config_status,
            "method": self.method,
            "total_points": points_text(self.total_points),
            "weekly": as_string(self.weekly),
            "annual": as_string(self.annual),
            "below_minimum": self.below_minimum,
            "needs_review": self.needs_review,
            "domains": [
                {
                    "domain_id": d.domain_id,
                    "answer": d.answer_code,
                    "raw_points": d.raw_points,
                    "informal_support": d.informal_support,
                    "factor": f"{d.factor:f}",
                    "points": points_text(d.points),
                }
                for d in self.domains
            ],
            "explanation": [line.text for line in self.explanation],
        }


def domain_factor(config: RasConfig, answers: Answers, domain_id: str) -> Decimal:
    """The informal-support factor for one domain, raised to the carer's cap and the floor."""
    informal = config.informal_support
    if domain_id not in informal.applies_to_domains:
        return ONE
    code = answers.informal_support.get(domain_id)
    option = informal.option(code) if code is not None else None
    # Unanswered counts as "none of it": nothing is assumed about unpaid help.
    factor = option.factor if option is not None else ONE
    carer = config.carer.option(answers.carer) if answers.carer is not None else None
    if carer is not None and carer.deflator_cap is not None:
        factor = max(factor, carer.deflator_cap)
    return max(factor, informal.floor_factor)


def score_domain(config: RasConfig, answers: Answers, domain: Domain) -> DomainPoints:
    option = domain.option(answers.scored[domain.id])
    assert option is not None  # Answers.check has run
    factor = domain_factor(config, answers, domain.id)
    return DomainPoints(
        domain_id=domain.id,
        label=domain.label,
        answer_code=option.code,
        answer_text=option.text,
        raw_points=option.points,
        weight=domain.weight,
        informal_support=answers.informal_support.get(domain.id),
        factor=factor,
        points=Decimal(option.points) * domain.weight * factor,
    )


def _band_for(bands: tuple[Band, ...], points: Decimal) -> Band | None:
    # Points can be fractional after deflators, so a band runs from its min_points up to the next
    # band's min_points; max_points is shown to people but not used to pick the band.
    chosen = None
    for band in bands:
        if Decimal(band.min_points) <= points:
            chosen = band
    return chosen


def indicative_budget(config: RasConfig, answers: Answers) -> BudgetResult:
    """The indicative weekly and annual budget for ``answers`` under exactly ``config``."""
    answers.check(config)
    lines: list[ExplanationLine] = []
    say = lines.append
    if config.meta.status != "live":
        say(
            ExplanationLine(
                f"This uses the '{config.meta.status}' configuration {config.version_id} "
                f"(from {config.meta.effective_from.isoformat()}); its figures are not a "
                "council's agreed prices."
            )
        )
    scored = tuple(score_domain(config, answers, domain) for domain in config.domains)
    informal_texts = {option.code: option.text for option in config.informal_support.answers}
    for item in scored:
        text = f'{item.label}: you answered "{item.answer_text}" ({item.answer_code})'
        if item.weight == ONE and item.factor == ONE:
            say(ExplanationLine(f"{text}: {item.raw_points} points."))
            continue
        text += f", {item.raw_points} points"
        if item.weight != ONE:
            text += f", weighted x{points_text(item.weight)}"
        if item.factor != ONE:
            given = informal_texts.get(item.informal_support or "", "some of it")
            text += (
                f'. Family, friends or neighbours give "{given.lower()}" of this help, so we '
                f"count {points_text(item.factor * 100)}% of the points"
            )
        say(ExplanationLine(f"{text}: {points_text(item.points)} points."))

    carer = config.carer.option(answers.carer) if answers.carer is not None else None
    add = carer.add_points if carer is not None else 0
    if carer is not None and (carer.add_points or carer.deflator_cap is not None):
        text = f'Your carer: "{carer.text}". This adds {carer.add_points} points'
        if carer.deflator_cap is not None:
            text += (
                f", and we count at least {points_text(carer.deflator_cap * 100)}% of the points "
                "wherever family or friends help, so your carer is not assumed to carry the load"
            )
        say(ExplanationLine(text + "."))
    total = sum((item.points for item in scored), Decimal(0)) + add
    say(ExplanationLine(f"Total: {points_text(total)} points."))

    weekly, below, review = _weekly_from_points(config, total, say)
    annual = to_pence(weekly * config.pricing.weeks_per_year)
    say(
        ExplanationLine(
            f"Indicative budget: {pounds(weekly)} a week, which is {pounds(annual)} a year "
            f"({points_text(config.pricing.weeks_per_year)} weeks).",
            weekly,
        )
    )
    say(
        ExplanationLine(
            "This is a starting point for planning your support, not a final amount. It can go up "
            "or down when we agree your support plan, and you can challenge it."
        )
    )
    return BudgetResult(
        version_id=config.version_id,
        version_effective_from=config.meta.effective_from,
        config_status=config.meta.status,
        method=config.meta.method,
        domains=scored,
        carer=answers.carer,
        carer_add_points=add,
        total_points=total,
        weekly=weekly,
        annual=annual,
        below_minimum=below,
        needs_review=review,
        explanation=tuple(lines),
    )


def _weekly_from_points(
    config: RasConfig, total: Decimal, say: _Say
) -> tuple[Decimal, bool, str | None]:
    pricing = config.pricing
    if total < pricing.minimum_points_for_allocation:
        say(
            ExplanationLine(
                f"This is below the {pricing.minimum_points_for_allocation} points at which we "
                "set a budget, so we will help with information, advice and services open to "
                "everyone.",
                Decimal("0.00"),
            )
        )
        return Decimal("0.00"), True, None

    review: str | None = None
    if config.meta.method == "bands":
        band = _band_for(config.bands, total)
        if band is None or band.weekly is None:
            label = band.label if band is not None else "no band"
            say(ExplanationLine(f'{points_text(total)} points is in the band "{label}".'))
            review = pricing.ceiling_action
            weekly = pricing.ceiling_weekly
        else:
            weekly = to_pence(band.weekly)
            say(
                ExplanationLine(
                    f'{points_text(total)} points is in the band "{band.label}": '
                    f"{pounds(weekly)} a week.",
                    weekly,
                )
            )
    else:
        exact = total * pricing.price_per_point_weekly
        if pricing.rounding == "nearest_pound":
            weekly = to_nearest_pound(exact)
            how = "rounded to the nearest pound"
        else:
            weekly = to_pence(exact)
            how = "rounded to the nearest penny"
        say(
            ExplanationLine(
                f"Each point is worth {pounds(pricing.price_per_point_weekly)} a week: "
                f"{points_text(total)} x {pounds(pricing.price_per_point_weekly)} = "
                f"£{points_text(exact)}, {how}: {pounds(weekly)}.",
                weekly,
            )
        )

    if weekly < pricing.floor_weekly:
        weekly = to_pence(pricing.floor_weekly)
        say(ExplanationLine(f"Raised to the minimum budget of {pounds(weekly)}.", weekly))
    if weekly > pricing.ceiling_weekly or review is not None:
        weekly = to_pence(pricing.ceiling_weekly)
        review = pricing.ceiling_action
        say(
            ExplanationLine(
                f"Points cannot set a budget above {pounds(weekly)} a week, so your support will "
                f"be costed individually ({review.replace('_', ' ')}). {pounds(weekly)} is shown "
                "until then.",
                weekly,
            )
        )
    return weekly, False, review


def indicative_budget_for_version(
    version_id: str, answers: Answers | Mapping[str, object]
) -> BudgetResult:
    """Recompute with the exact stored version, so an agreed budget never moves."""
    config = load_version(version_id)
    if not isinstance(answers, Answers):
        answers = Answers.from_dict(answers, config)
    return indicative_budget(config, answers)

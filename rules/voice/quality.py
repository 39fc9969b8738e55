"""Experts-by-experience quality checks: combine the experts' scores, show how far they agree,
and compare them with the provider's own self-assessment.

Each expert scores each domain of the rubric on the scale in :mod:`rules.voice.quality_parameters`
(1 "Not at all" to 5 "Fully"), or says they did not see it (``None``). Per domain:

- **combined score**: the mean of the experts' scores, exact (a :class:`~fractions.Fraction`),
  given only when at least ``MIN_EXPERTS`` experts scored the domain; with fewer it is "Not known"
  rather than a number that looks firmer than it is;
- **spread**: the highest score minus the lowest, and every score shown, so a reader sees the
  disagreement itself and not only a summary;
- **agreement**: r_wg (James, Demaree and Wolf 1984, "Estimating within-group interrater
  reliability with and without response bias", Journal of Applied Psychology 69(1) 85-98):
  ``1 - s² / σ²_EU``, where ``s²`` is the experts' sample variance (n - 1) and ``σ²_EU`` the
  variance of a uniform answer on the scale, ``(A² - 1) / 12`` for A points (2 for five points).
  Below 0 (more disagreement than random answers) it is reported as 0, as the authors advise.
  Named in the bands of LeBreton and Senter 2008 ("Answers to 20 questions about interrater
  reliability and interrater agreement", Organizational Research Methods 11(4), table 3):
  0-0.30 lack of agreement, 0.31-0.50 weak, 0.51-0.70 moderate, 0.71-0.90 strong,
  0.91-1.00 very strong. With three or four experts r_wg moves a lot with one score, which is
  why the spread and the scores are always shown beside it;
- **gap**: the provider's self-assessment minus the combined score (positive: the provider rated
  itself higher than the experts did).

Overall: the mean of the domains' combined scores (each domain counts once), and the mean gap
over the domains where both the experts and the provider gave a score.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from rules.voice.quality_parameters import MIN_EXPERTS, SCALE_MAX, SCALE_MIN

AGREEMENT_BANDS: tuple[tuple[Fraction, str], ...] = (
    (Fraction(3, 10), "Lack of agreement"),
    (Fraction(1, 2), "Weak agreement"),
    (Fraction(7, 10), "Moderate agreement"),
    (Fraction(9, 10), "Strong agreement"),
    (Fraction(1), "Very strong agreement"),
)
NOT_ENOUGH = "Not enough scores to combine"


class QualityError(ValueError):
    """Scores outside the scale, or an unknown domain."""


def _check_score(score: int | None, what: str) -> None:
    if score is None:
        return
    if isinstance(score, bool) or not isinstance(score, int):
        raise QualityError(f"{what}: a score must be a whole number")
    if not SCALE_MIN <= score <= SCALE_MAX:
        raise QualityError(f"{what}: a score must be from {SCALE_MIN} to {SCALE_MAX}")


def uniform_variance(points: int = SCALE_MAX - SCALE_MIN + 1) -> Fraction:
    """σ²_EU, the variance of answers spread evenly over ``points`` scale points."""
    return Fraction(points * points - 1, 12)


def sample_variance(scores: Sequence[int]) -> Fraction:
    if len(scores) < 2:
        raise QualityError("a variance needs at least two scores")
    mean = Fraction(sum(scores), len(scores))
    return sum(((s - mean) ** 2 for s in scores), Fraction(0)) / (len(scores) - 1)


def rwg(scores: Sequence[int]) -> Fraction:
    """r_wg for one domain, in [0, 1]."""
    value = 1 - sample_variance(scores) / uniform_variance()
    return max(Fraction(0), value)


def agreement_label(value: Fraction) -> str:
    for upper, label in AGREEMENT_BANDS:
        if value <= upper:
            return label
    raise QualityError("agreement above 1")  # pragma: no cover - rwg is at most 1


@dataclass(frozen=True)
class DomainResult:
    domain: str
    scores: tuple[int, ...]
    not_seen: int
    combined: Fraction | None
    spread: int | None
    agreement: Fraction | None
    agreement_label: str
    self_score: int | None
    gap: Fraction | None


@dataclass(frozen=True)
class CheckResult:
    domains: tuple[DomainResult, ...]
    experts: int
    overall: Fraction | None
    overall_gap: Fraction | None
    gap_domains: int


def combine(
    domains: Sequence[str],
    expert_scores: Sequence[Mapping[str, int | None]],
    self_assessment: Mapping[str, int | None] | None = None,
) -> CheckResult:
    """Combine each expert's scores (one mapping per expert, domain to score or ``None`` for
    "did not see") with the provider's self-assessment (``None`` when it gave none)."""
    own = self_assessment or {}
    for n, expert in enumerate(expert_scores, start=1):
        for domain, score in expert.items():
            if domain not in domains:
                raise QualityError(f"expert {n}: unknown domain {domain!r}")
            _check_score(score, f"expert {n}, {domain}")
    for domain, score in own.items():
        if domain not in domains:
            raise QualityError(f"self-assessment: unknown domain {domain!r}")
        _check_score(score, f"self-assessment, {domain}")
    results = []
    for domain in domains:
        given = [s.get(domain) for s in expert_scores]
        scores = tuple(s for s in given if s is not None)
        self_score = own.get(domain)
        if len(scores) >= MIN_EXPERTS:
            combined: Fraction | None = Fraction(sum(scores), len(scores))
            agreement: Fraction | None = rwg(scores)
            label = agreement_label(rwg(scores))
        else:
            combined, agreement, label = None, None, NOT_ENOUGH
        results.append(
            DomainResult(
                domain=domain,
                scores=scores,
                not_seen=len(given) - len(scores),
                combined=combined,
                spread=max(scores) - min(scores) if scores else None,
                agreement=agreement,
                agreement_label=label,
                self_score=self_score,
                gap=(self_score - combined)
                if combined is not None and self_score is not None
                else None,
            )
        )
    combined_values = [r.combined for r in results if r.combined is not None]
    gaps = [r.gap for r in results if r.gap is not None]
    return CheckResult(
        domains=tuple(results),
        experts=len(expert_scores),
        overall=sum(combined_values, Fraction(0)) / len(combined_values)
        if combined_values
        else None,
        overall_gap=sum(gaps, Fraction(0)) / len(gaps) if gaps else None,
        gap_domains=len(gaps),
    )


def format_score(value: Fraction | None, places: int = 1) -> str:
    """``value`` to ``places`` decimals, halves away from zero, exactly; "Not known" for None."""
    if value is None:
        return "Not known"
    scale = 10**places
    scaled = abs(value) * scale
    whole = int(scaled)
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    sign = "-" if value < 0 and whole else ""
    text = str(whole).rjust(places + 1, "0")
    return f"{sign}{text[:-places]}.{text[-places:]}" if places else f"{sign}{text}"


def describe_gap(gap: Fraction | None) -> str:
    """The gap in words: which way, by how much."""
    if gap is None:
        return "Not known"
    shown = format_score(abs(gap))
    if shown == "0.0":
        return "The same as the experts"
    if gap > 0:
        return f"{shown} higher than the experts"
    return f"{shown} lower than the experts"

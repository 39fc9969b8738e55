"""Which income is counted and which is ignored (Charging Regs Part 4, Sched 1; Annex C)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from rules.charging.inputs import AssessmentInput, IncomeItem, IncomeType
from rules.charging.money import ZERO, pounds, round_for_person_down, round_for_person_up
from rules.charging.parameters import ParametersInForce
from rules.charging.result import BreakdownLine

LABELS: dict[IncomeType, str] = {
    IncomeType.STATE_PENSION: "State Pension",
    IncomeType.OCCUPATIONAL_PENSION: "Occupational pension",
    IncomeType.PERSONAL_PENSION: "Personal or private pension",
    IncomeType.PENSION_CREDIT_GUARANTEE: "Pension Credit (guarantee credit)",
    IncomeType.PENSION_CREDIT_SAVINGS: "Pension Credit (savings credit)",
    IncomeType.UNIVERSAL_CREDIT: "Universal Credit",
    IncomeType.ESA: "Employment and Support Allowance",
    IncomeType.INCOME_SUPPORT: "Income Support",
    IncomeType.JSA: "Jobseeker's Allowance",
    IncomeType.CARERS_ALLOWANCE: "Carer's Allowance",
    IncomeType.ATTENDANCE_ALLOWANCE_HIGHER: "Attendance Allowance (higher rate)",
    IncomeType.ATTENDANCE_ALLOWANCE_LOWER: "Attendance Allowance (lower rate)",
    IncomeType.DLA_CARE_HIGHEST: "DLA care component (highest rate)",
    IncomeType.DLA_CARE_MIDDLE: "DLA care component (middle rate)",
    IncomeType.DLA_CARE_LOWEST: "DLA care component (lowest rate)",
    IncomeType.PIP_DAILY_LIVING_ENHANCED: "PIP daily living (enhanced rate)",
    IncomeType.PIP_DAILY_LIVING_STANDARD: "PIP daily living (standard rate)",
    IncomeType.OTHER_COUNTED: "Other income",
    IncomeType.EARNINGS: "Earnings from work",
    IncomeType.DLA_MOBILITY: "DLA mobility component",
    IncomeType.PIP_MOBILITY: "PIP mobility component",
    IncomeType.OTHER_DISREGARDED: "Other income that is ignored",
}

# Always ignored: earnings (reg 14) and the mobility parts of DLA and PIP (Sched 1).
ALWAYS_DISREGARDED = {
    IncomeType.EARNINGS: "earnings from work are always ignored",
    IncomeType.DLA_MOBILITY: "the mobility part of DLA is always ignored",
    IncomeType.PIP_MOBILITY: "the mobility part of PIP is always ignored",
    IncomeType.OTHER_DISREGARDED: "this income is ignored",
}
CARE_BENEFITS = frozenset(
    {
        IncomeType.ATTENDANCE_ALLOWANCE_HIGHER,
        IncomeType.ATTENDANCE_ALLOWANCE_LOWER,
        IncomeType.DLA_CARE_HIGHEST,
        IncomeType.DLA_CARE_MIDDLE,
        IncomeType.DLA_CARE_LOWEST,
        IncomeType.PIP_DAILY_LIVING_ENHANCED,
        IncomeType.PIP_DAILY_LIVING_STANDARD,
    }
)
HIGHER_RATE_CARE_BENEFITS = frozenset(
    {
        IncomeType.ATTENDANCE_ALLOWANCE_HIGHER,
        IncomeType.DLA_CARE_HIGHEST,
        IncomeType.PIP_DAILY_LIVING_ENHANCED,
    }
)
PENSIONS_SHAREABLE_WITH_SPOUSE = frozenset(
    {IncomeType.OCCUPATIONAL_PENSION, IncomeType.PERSONAL_PENSION}
)


@dataclass
class IncomeAssessment:
    counted: Decimal = ZERO
    disregarded: Decimal = ZERO
    disability_benefits_counted: bool = False
    lines: list[BreakdownLine] = field(default_factory=list)

    def count(self, amount: Decimal, text: str) -> None:
        self.counted += amount
        self.lines.append(BreakdownLine("income_counted", text, amount))

    def ignore(self, amount: Decimal, text: str) -> None:
        self.disregarded += amount
        self.lines.append(BreakdownLine("income_disregarded", text, amount))


def _persons_share(item: IncomeItem) -> Decimal:
    # Income paid to a couple is presumed shared equally (Annex C para 5).
    return round_for_person_down(item.weekly / 2) if item.joint else item.weekly


def assess_income(person: AssessmentInput, params: ParametersInForce) -> IncomeAssessment:
    """Split the person's weekly income into counted and ignored amounts, with reasons."""
    result = IncomeAssessment()
    in_care_home = person.setting == "care_home"
    for item in person.incomes:
        label = LABELS[item.type]
        amount = _persons_share(item)
        whose = f"your half of {label} paid to you both" if item.joint else label
        if item.type in ALWAYS_DISREGARDED:
            result.ignore(amount, f"{whose}: {pounds(amount)} - {ALWAYS_DISREGARDED[item.type]}.")
            continue
        ignored, reason = _partly_ignored(person, params, item, amount)
        if ignored > 0:
            result.ignore(ignored, f"{whose}: {pounds(ignored)} ignored - {reason}.")
        counted = amount - ignored
        if counted > 0 or ignored == 0:
            result.count(counted, f"{whose}: {pounds(counted)} a week counted.")
        if item.type in CARE_BENEFITS and counted > 0 and not in_care_home:
            result.disability_benefits_counted = True
    return result


def _partly_ignored(
    person: AssessmentInput, params: ParametersInForce, item: IncomeItem, amount: Decimal
) -> tuple[Decimal, str]:
    """How much of one income item is ignored, and why (zero if it is counted in full)."""
    if item.type in CARE_BENEFITS and person.setting == "care_home":
        stop_weeks = params.value("care_home.disability_benefits_stop_after_weeks")
        if Decimal(person.weeks_in_care_home or 0) >= stop_weeks:
            return amount, (
                f"this benefit stops after {stop_weeks} weeks in a council-funded care home, "
                "so it is not counted (tell the DWP about the move)"
            )
        return ZERO, ""
    if (
        item.type in HIGHER_RATE_CARE_BENEFITS
        and person.setting == "home"
        and not person.night_care_arranged
    ):
        allowance = params.value("local.no_night_care_disregard")
        if allowance > 0:
            return min(amount, allowance), (
                "you get the higher rate for care at night, but no night care is arranged, "
                "so the council ignores the night-time part"
            )
        return ZERO, ""
    if item.type is IncomeType.PENSION_CREDIT_SAVINGS and person.setting == "care_home":
        name = "savings_credit_disregard." + ("couple_max" if person.couple else "single_max")
        limit = params.value(name)
        return min(
            amount, limit
        ), f"up to {pounds(limit)} of savings credit is ignored in a care home"
    if (
        item.type in PENSIONS_SHAREABLE_WITH_SPOUSE
        and person.setting == "care_home"
        and person.half_pension_to_spouse_at_home
    ):
        return round_for_person_up(amount / 2), (
            "half of this pension is ignored because it goes to your husband, wife or "
            "partner living at home"
        )
    return ZERO, ""

"""The quality-check rubric, its scale and how many experts a check needs.

Dated: 2026-12-03. Sources:

- **Domains**: the six themes of Think Local Act Personal's "Making It Real" (2018), the
  "I/We statements" framework co-produced with people who use care and support
  (www.thinklocalactpersonal.org.uk/makingitreal/). Only the theme names are used; the
  questions below are this project's own plain-English prompts. The I and We statements
  themselves are not stored or shown: ``shared/data/measures/making_it_real.yaml`` records that
  no licence statement was found for redistributing their wording, and that five of the six
  2018 theme labels were taken from memory and need checking against TLAP's theme pages (only
  "Workforce" was retrieved). An area that has TLAP's agreement can show the statements
  alongside; until then each expert is pointed to TLAP's site.
- **Scale**: five points, 1 "Not at all" to 5 "Fully", plus "Did not see this". Local choice;
  five points keep r_wg's uniform variance at 2 (see :mod:`rules.voice.quality`).
- **Experts per check**: at least 3 (issue 15: "a quality check with three experts"). Fewer
  scores for a domain give "Not known" for it rather than a combined number.
- **Provider response**: the provider responds to a published report within 20 working days
  (local default: the period of stage 2 of the Local Government and Social Care Ombudsman's
  Complaint Handling Code, also used for ideas and compliments in
  :mod:`rules.voice.parameters`).
"""

from __future__ import annotations

from dataclasses import dataclass

PARAMETERS_DATED = "2026-12-03"
MIN_EXPERTS = 3
SCALE_MIN = 1
SCALE_MAX = 5
SCALE_LABELS: dict[int, str] = {
    1: "Not at all",
    2: "A little",
    3: "Partly",
    4: "Mostly",
    5: "Fully",
}
RESPONSE_WORKING_DAYS = 20


@dataclass(frozen=True)
class Domain:
    key: str
    theme: str
    question: str


RUBRIC: tuple[Domain, ...] = (
    Domain(
        "wellbeing",
        "Wellbeing and independence",
        "Do people get support to live the life they want and do what matters to them?",
    ),
    Domain(
        "information",
        "Information and advice",
        "Can people get information and advice they understand, when they need it?",
    ),
    Domain(
        "community",
        "Active and supportive communities",
        "Are people helped to keep in touch with family, friends and their community?",
    ),
    Domain(
        "flexible",
        "Flexible and integrated care and support",
        "Do people have a say in how their support works, and does it fit their lives?",
    ),
    Domain(
        "change",
        "When things need to change",
        "When something goes wrong or needs to change, are people listened to and helped quickly?",
    ),
    Domain(
        "workforce",
        "Workforce: the people who support me",
        "Are staff kind, skilled and do they see each person as an individual?",
    ),
)
DOMAIN_KEYS: tuple[str, ...] = tuple(d.key for d in RUBRIC)

"""Default clocks for feedback, by kind, in working days. An area may set its own (the voice
app's ``AreaClock`` rows); these are the defaults when it has not.

Dated: 2026-12-03. Sources:

- Acknowledgement, complaints and concerns: **3 working days**. The Local Authority Social
  Services and National Health Service Complaints (England) Regulations 2009 (SI 2009/309),
  regulation 13(2): the responsible body "must acknowledge the complaint not later than 3 working
  days after the day on which it receives the complaint". These regulations govern adult social
  care complaints; they set no fixed response time (regulation 14 asks for a response within the
  period agreed with the complainant, and at most six months unless agreed otherwise).
- Full response, complaints and concerns: **10 working days from the acknowledgement**. The Local
  Government and Social Care Ombudsman's Complaint Handling Code (published 2024, applied by
  councils from 1 April 2026), stage 1: acknowledge and log within 5 working days of receipt and
  respond in full within 10 working days of the acknowledgement (an extension of at most a further
  10 working days, with reasons). The code applies to council complaints outside the statutory
  social care procedure; where the 2009 Regulations apply we keep their 3-day acknowledgement,
  which is shorter, and use the code's 10 days as the default agreed response period.
  Checked against summaries of the code's text (for example llg.org.uk, "The LGSCO release the
  Complaint Handling Code", and councils' published stage 1 procedures); re-check against
  www.lgo.org.uk/complaint-handling-code before changing.
- Compliments and ideas: no statutory clock. Local default: acknowledge within the code's 5
  working days, respond within 20 working days of that (the code's stage 2 period), so that
  every comment gets an answer.
"""

from __future__ import annotations

from rules.voice.clock import Clock

PARAMETERS_DATED = "2026-12-03"

DEFAULT_CLOCKS: dict[str, Clock] = {
    "complaint": Clock(acknowledge=3, respond=10),
    "concern": Clock(acknowledge=3, respond=10),
    "compliment": Clock(acknowledge=5, respond=20),
    "idea": Clock(acknowledge=5, respond=20),
}

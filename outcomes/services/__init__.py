"""Every write to a person's outcome record, grouped by what people do (see ``docs/outcomes.md``,
"Where the code is"):

- :mod:`~outcomes.services.answers`: answering a measure (scored exactly, with who answered);
- :mod:`~outcomes.services.goals`: goals, their steps and reviews;
- :mod:`~outcomes.services.record`: consent to count in reports, family-led plans, reporting
  groups;
- :mod:`~outcomes.services.sharing`: letting someone help with the record, and withdrawing it;
- :mod:`~outcomes.services.follow_ups`: self-reported follow-up, the team's worklist, reminders;
- :mod:`~outcomes.services.wording`: the area's licensed question wording;
- :mod:`~outcomes.services._common`: :class:`OutcomesRefused` and what they share.

Each checks who is acting (again, even if the view did) with :mod:`outcomes.access`, runs in one
transaction and records an audit event. Other apps import the names below from
``outcomes.services``; code inside outcomes imports them from their own module.
"""

from __future__ import annotations

from outcomes.services._common import (
    OutcomesRefused,
    profile_for,
    today,
)
from outcomes.services.answers import (
    answered_by_for,
    record_answers,
    score_of,
)
from outcomes.services.follow_ups import (
    close_work_item,
    end_follow_up,
    last_reported_on,
    past_threshold,
    report,
    send_reminders,
    start_follow_up,
)
from outcomes.services.goals import (
    add_step,
    mark_step_done,
    review_goal,
    set_goal,
)
from outcomes.services.record import (
    pen_holder_writing,
    set_consent,
    set_family_led,
    set_groups,
)
from outcomes.services.sharing import (
    grant_helper,
    revoke_helper,
)
from outcomes.services.wording import (
    MAX_WORDING_FILE_BYTES,
    load_wording,
    parse_wording_file,
    withdraw_wording,
)

__all__ = [
    "MAX_WORDING_FILE_BYTES",
    "OutcomesRefused",
    "add_step",
    "answered_by_for",
    "close_work_item",
    "end_follow_up",
    "grant_helper",
    "last_reported_on",
    "load_wording",
    "mark_step_done",
    "parse_wording_file",
    "past_threshold",
    "pen_holder_writing",
    "profile_for",
    "record_answers",
    "report",
    "review_goal",
    "revoke_helper",
    "score_of",
    "send_reminders",
    "set_consent",
    "set_family_led",
    "set_goal",
    "set_groups",
    "start_follow_up",
    "today",
    "withdraw_wording",
]

"""Every write in participatory budgeting and People's Panels: one transactional, audited function
per use case, grouped by what people do (see ``docs/participation.md``, "Where the code is"):

- :mod:`~participation.services.rounds`: set up a round, split its pot, change its settings, move
  it from phase to phase;
- :mod:`~participation.services.proposals`: ideas, pitches and comments;
- :mod:`~participation.services.costing`: checking and costing ideas;
- :mod:`~participation.services.registration`: who may vote, registering, deciding registrations;
- :mod:`~participation.services.ballots`: voting online, receipt codes;
- :mod:`~participation.services.paper_ballots`: paper ballots given out, entered and confirmed;
- :mod:`~participation.services.results`: closing the vote, counting and publishing the results;
- :mod:`~participation.services.panels`: People's Panels, from the pool to the published ranking;
- :mod:`~participation.services.themes`: themes offered from the gap in the market;
- :mod:`~participation.services._common`: :class:`ParticipationError` and what they share.

Who may do what is in :mod:`participation.permissions`. Each refusal raises
:class:`ParticipationError` with a message for the person and leaves everything already recorded
as it was. Other apps import the names below from ``participation.services``; code inside
participation imports them from their own module.
"""

from __future__ import annotations

from participation.permissions import (
    PANEL_STAFF,
    ROUND_STAFF,
    can_edit_pitch,
    is_panel_staff,
    is_round_staff,
)
from participation.services._common import (
    MAX_AMOUNT,
    MAX_AMOUNT_TEXT,
    ParticipationError,
    eligible_neighbourhoods,
    is_split,
)
from participation.services._common import (
    _money as _money,
)
from participation.services.ballots import (
    RECEIPT_ALPHABET,
    BallotReceipt,
    ballot_district,
    clean_choices,
    current_choices,
    new_receipt_code,
    receipt_hash,
    submit_ballot,
)
from participation.services.costing import (
    assess_idea,
    parse_cost_lines,
)
from participation.services.panels import (
    PANEL_DIMENSIONS,
    POOL_COLUMNS,
    announce_draw,
    create_panel,
    draw_panel,
    join_panel_pool,
    leave_panel_pool,
    panel_publication_check,
    pool_csv,
    publish_panel,
    stratum_of,
    submit_ranking,
)
from participation.services.paper_ballots import (
    PAPER_NUMBER_HELP,
    PAPER_NUMBER_MAX,
    PAPER_NUMBER_SHAPE,
    confirm_paper_ballot,
    create_paper_voter,
    enter_paper_ballot,
    issue_paper_ballot,
    normalise_paper_number,
    reject_paper_entry,
)
from participation.services.proposals import (
    add_comment,
    propose_idea,
    update_pitch,
)
from participation.services.registration import (
    AGE_BAND_LIMITS,
    age_band_for,
    age_on,
    check_eligibility,
    decide_registration,
    register_voter,
)
from participation.services.results import (
    counting_settings,
)
from participation.services.rounds import (
    LOCKED_ONCE_VOTING,
    ROUND_EDITABLE,
    advance_round,
    audit_round_changes,
    create_round,
    locked_message,
    locked_round_fields,
    set_district_pots,
    update_round,
    voting_has_opened,
)
from participation.services.themes import (
    offer_theme,
)

__all__ = [
    "AGE_BAND_LIMITS",
    "LOCKED_ONCE_VOTING",
    "MAX_AMOUNT",
    "MAX_AMOUNT_TEXT",
    "PANEL_DIMENSIONS",
    "PANEL_STAFF",
    "PAPER_NUMBER_HELP",
    "PAPER_NUMBER_MAX",
    "PAPER_NUMBER_SHAPE",
    "POOL_COLUMNS",
    "RECEIPT_ALPHABET",
    "ROUND_EDITABLE",
    "ROUND_STAFF",
    "BallotReceipt",
    "ParticipationError",
    "add_comment",
    "advance_round",
    "age_band_for",
    "age_on",
    "announce_draw",
    "assess_idea",
    "audit_round_changes",
    "ballot_district",
    "can_edit_pitch",
    "check_eligibility",
    "clean_choices",
    "confirm_paper_ballot",
    "counting_settings",
    "create_panel",
    "create_paper_voter",
    "create_round",
    "current_choices",
    "decide_registration",
    "draw_panel",
    "eligible_neighbourhoods",
    "enter_paper_ballot",
    "is_panel_staff",
    "is_round_staff",
    "is_split",
    "issue_paper_ballot",
    "join_panel_pool",
    "leave_panel_pool",
    "locked_message",
    "locked_round_fields",
    "new_receipt_code",
    "normalise_paper_number",
    "offer_theme",
    "panel_publication_check",
    "parse_cost_lines",
    "pool_csv",
    "propose_idea",
    "publish_panel",
    "receipt_hash",
    "register_voter",
    "reject_paper_entry",
    "set_district_pots",
    "stratum_of",
    "submit_ballot",
    "submit_ranking",
    "update_pitch",
    "update_round",
    "voting_has_opened",
]

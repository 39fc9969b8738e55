"""Every write in the time bank: one transactional, audited function per use case, grouped by
what people do (see ``docs/timebank.md``, "Where the code is"):

- :mod:`~timebank.services.members`: joining, approval, debit limits, safeguarding checks;
- :mod:`~timebank.services.offers`: offers and requests for help;
- :mod:`~timebank.services.exchanges`: exchanges of time (proposed, confirmed, declined, corrected);
- :mod:`~timebank.services.credits`: time credits issued by organisations and spent with partners;
- :mod:`~timebank.services.rotas`: rotas, members' dates and visits;
- :mod:`~timebank.services.reminders`: the daily reminders;
- :mod:`~timebank.services.tokens`: API tokens;
- :mod:`~timebank.services.imports`: CSV imports;
- :mod:`~timebank.services.ledger`: accounts and the ledger every movement of time goes through;
- :mod:`~timebank.services._common`: :class:`TimebankRefused` and the helpers they share.

Each refusal raises :class:`TimebankRefused` with a sentence the person can read. Other apps
import the names below from ``timebank.services``; code inside the time bank imports them from
their own module.
"""

from __future__ import annotations

from timebank.services._common import (
    DATE_RANGE_TEXT,
    EARLIEST_DATE,
    LATEST_DATE,
    MAX_EXCHANGE_MINUTES,
    TimebankRefused,
    date_in_range,
    has_forbidden_characters,
)
from timebank.services.credits import MAX_CREDIT_MINUTES, issue_credits, redeem_credits
from timebank.services.exchanges import (
    confirm_exchange,
    decline_exchange,
    has_ended,
    propose_exchange,
    reverse_exchange,
    submit_exchange,
)
from timebank.services.imports import (
    EXCHANGE_COLUMNS,
    IMPORT_KEY_LENGTH,
    MEMBER_COLUMNS,
    ImportReport,
    import_exchanges,
    import_members,
)
from timebank.services.ledger import (
    account_for,
    default_debit_limit,
    issuer_account,
    limit_for,
    write_entry,
)
from timebank.services.members import (
    apply_to_join,
    approve_member,
    dbs_valid_until,
    decline_member,
    joining_credit_minutes,
    record_check,
    set_debit_limit,
)
from timebank.services.offers import (
    close_request,
    create_offer,
    create_request,
    request_for_plan,
    tell_coordinators_unmatched,
)
from timebank.services.reminders import EXPIRY_WARNING_DAYS, ReminderRun, send_due_reminders
from timebank.services.rotas import (
    answer_rota_swap,
    assign_to_rota,
    commitment_for,
    create_rota,
    give_back_rota_slot,
    offer_rota_slot,
    plan_for,
    record_rota_visit,
    rota_slot_start,
    take_rota_slot,
)
from timebank.services.tokens import (
    API_TOKEN_DAYS,
    TOKEN_LAST_USED_PRECISION,
    api_token_days,
    hash_token,
    issue_api_token,
    revoke_api_token,
    user_for_token,
)

__all__ = [
    "API_TOKEN_DAYS",
    "DATE_RANGE_TEXT",
    "EARLIEST_DATE",
    "EXCHANGE_COLUMNS",
    "EXPIRY_WARNING_DAYS",
    "IMPORT_KEY_LENGTH",
    "LATEST_DATE",
    "MAX_CREDIT_MINUTES",
    "MAX_EXCHANGE_MINUTES",
    "MEMBER_COLUMNS",
    "TOKEN_LAST_USED_PRECISION",
    "ImportReport",
    "ReminderRun",
    "TimebankRefused",
    "account_for",
    "answer_rota_swap",
    "api_token_days",
    "apply_to_join",
    "approve_member",
    "assign_to_rota",
    "close_request",
    "commitment_for",
    "confirm_exchange",
    "create_offer",
    "create_request",
    "create_rota",
    "date_in_range",
    "dbs_valid_until",
    "decline_exchange",
    "decline_member",
    "default_debit_limit",
    "give_back_rota_slot",
    "has_ended",
    "has_forbidden_characters",
    "hash_token",
    "import_exchanges",
    "import_members",
    "issue_api_token",
    "issue_credits",
    "issuer_account",
    "joining_credit_minutes",
    "limit_for",
    "offer_rota_slot",
    "plan_for",
    "propose_exchange",
    "record_check",
    "record_rota_visit",
    "redeem_credits",
    "request_for_plan",
    "reverse_exchange",
    "revoke_api_token",
    "rota_slot_start",
    "send_due_reminders",
    "set_debit_limit",
    "submit_exchange",
    "take_rota_slot",
    "tell_coordinators_unmatched",
    "user_for_token",
    "write_entry",
]

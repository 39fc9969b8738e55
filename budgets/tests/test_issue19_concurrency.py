"""Issue 19 on PostgreSQL: a correction and a payment racing for the same pounds. The correction's
below-£0 check runs under the same account row lock as the payment's, so whichever comes second
sees the first and is refused: the account never goes below £0 without a practitioner's reason."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection

from budgets.access import NotAllowed
from budgets.services._common import BudgetsError
from budgets.services.accounts import account_balance_pence, post, reverse_transaction
from budgets.tests import helpers

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROUNDS = 6


def test_a_correction_and_a_payment_cannot_both_spend_the_same_pounds() -> None:
    assert connection.vendor == "postgresql"
    account = helpers.open_account()
    person = account.person
    day = dt.date(2026, 4, 6)
    for round_ in range(ROUNDS):
        post(
            account=account,
            actor=person,
            kind="refund",
            payee="Craft CIC",
            amount=Decimal("1.00"),
            effective=day,
            key=f"refund-{round_}",
        )
        # Leave exactly the refund in the account: paying it and undoing it cannot both happen.
        spare = account_balance_pence(account) - 100
        if spare:
            post(
                account=account,
                actor=person,
                kind="provider_payment",
                payee="Craft CIC",
                amount=Decimal(spare) / 100,
                effective=day,
                key=f"spend-{round_}",
            )
        outcomes: list[str] = []
        barrier = threading.Barrier(2)

        def pay(
            round_: int = round_,
            barrier: threading.Barrier = barrier,
            outcomes: list[str] = outcomes,
        ) -> None:
            try:
                barrier.wait()
                post(
                    account=account,
                    actor=person,
                    kind="provider_payment",
                    payee="Craft CIC",
                    amount=Decimal("1.00"),
                    effective=day,
                    key=f"pay-{round_}",
                )
                outcomes.append("paid")
            except (BudgetsError, NotAllowed):
                outcomes.append("refused")
            finally:
                close_old_connections()
                connection.close()

        def correct(
            round_: int = round_,
            barrier: threading.Barrier = barrier,
            outcomes: list[str] = outcomes,
        ) -> None:
            try:
                barrier.wait()
                reverse_transaction(
                    account=account,
                    actor=person,
                    original_key=f"refund-{round_}",
                    reason="Entered twice",
                    key=f"fix-{round_}",
                )
                outcomes.append("corrected")
            except (BudgetsError, NotAllowed):
                outcomes.append("refused")
            finally:
                close_old_connections()
                connection.close()

        threads = [threading.Thread(target=pay), threading.Thread(target=correct)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) in (["paid", "refused"], ["corrected", "refused"]), outcomes
        assert account_balance_pence(account) == 0
        # Top the account back up for the next round.
        assert account.opened_by is not None
        post(
            account=account,
            actor=account.opened_by,
            kind="allocation",
            amount=Decimal("5.00"),
            effective=day,
            key=f"topup-{round_}",
        )

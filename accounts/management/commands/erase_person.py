"""Erase a person on request, with a second staff member's confirmation.

  erase_person --request USERNAME --by STAFF --reason "Letter received 1 December"
  erase_person --confirm REQUEST_ID --by OTHER_STAFF     (erases the person)
  erase_person --withdraw REQUEST_ID --by STAFF
  erase_person --list                                    (open requests)

The member who recorded a request cannot confirm it. Every step is audited."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts import services
from accounts.models import ErasureRequest, User


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        step = parser.add_mutually_exclusive_group(required=True)
        step.add_argument("--request", metavar="USERNAME", help="record a request to erase them")
        step.add_argument("--confirm", metavar="REQUEST_ID", type=int, help="confirm and erase")
        step.add_argument("--withdraw", metavar="REQUEST_ID", type=int, help="withdraw a request")
        step.add_argument("--list", action="store_true", help="list open requests")
        parser.add_argument("--by", metavar="STAFF", help="your username (a staff member)")
        parser.add_argument("--reason", help="how and when the person asked (with --request)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            self._list()
            return
        if not options["by"]:
            raise CommandError("Give your staff username with --by.")
        by = self._user(options["by"])
        try:
            if options["request"] is not None:
                self._request(options["request"], by, options["reason"])
            elif options["confirm"] is not None:
                erasure = services.confirm_erasure(
                    erasure_request=options["confirm"], confirmed_by=by
                )
                self.stdout.write(
                    f"Erased {erasure.person.username} (request {erasure.pk}, recorded by "
                    f"{erasure.requested_by.username}, confirmed by {by.username})."
                )
            else:
                erasure = services.withdraw_erasure(
                    erasure_request=options["withdraw"], withdrawn_by=by
                )
                self.stdout.write(f"Erasure request {erasure.pk} withdrawn.")
        except services.ErasureRefused as refused:
            raise CommandError(refused.message) from refused

    def _request(self, username: str, by: User, reason: str | None) -> None:
        if not (reason or "").strip():
            raise CommandError(
                "Give the reason with --reason: how and when the person asked, for example "
                '--reason "Letter received 1 December".'
            )
        person = self._user(username)
        erasure = services.request_erasure(person=person, requested_by=by, reason=reason or "")
        self.stdout.write(
            f"Erasure request {erasure.pk} for {person.username} recorded. Nothing is erased "
            f"yet: a different staff member must run\n"
            f"  erase_person --confirm {erasure.pk} --by THEIR_USERNAME"
        )

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user called {username!r}.")
        return user

    def _list(self) -> None:
        open_requests = ErasureRequest.objects.filter(
            confirmed_at__isnull=True, withdrawn_at__isnull=True
        ).select_related("person", "requested_by")
        for erasure in open_requests:
            self.stdout.write(
                f"{erasure.pk}\t{erasure.person.username}\t{erasure.requested_at:%Y-%m-%d %H:%M}"
                f"\trecorded by {erasure.requested_by.username}\t{erasure.reason}"
            )
        if not open_requests:
            self.stdout.write("No open erasure requests.")

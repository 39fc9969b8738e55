"""Demo content for befriending: ``seed_demo(users_by_role)`` is called by the demo command.

All names are made up and say "(demo)". It makes three volunteers with dated checks (one missing
its second reference, so the coordinator sees a named gap; one whose DBS check needs renewing in
20 days), a person waiting for a befriender (the demo person, if given) and a referred one, a
running match with contacts (one with a concern for the coordinator), an ended match with its
planned goodbye and feedback, and a peer support group pointing at a directory service. Running
it again changes nothing.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from befriending.models import Volunteer
from befriending.services import befriender_requests, contacts, matches, peer_groups, volunteers
from directory import selectors as directory_selectors

PREFIX = "demo-bf-"


def _user(suffix: str, name: str) -> User:
    user, created = User.objects.get_or_create(
        username=f"{PREFIX}{suffix}",
        defaults={"display_name": name, "email": f"{PREFIX}{suffix}@example.org"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _checks(
    volunteer: Volunteer, coordinator: User, made: date, *, references: int = 2, dbs_until: date
) -> None:
    volunteers.record_check(
        actor=coordinator,
        volunteer=volunteer,
        kind="dbs_enhanced",
        checked_on=made,
        expires_on=dbs_until,
        note="Demo check",
        today=made,
    )
    for n in range(references):
        volunteers.record_check(
            actor=coordinator,
            volunteer=volunteer,
            kind="reference",
            checked_on=made,
            note=f"Demo referee {n + 1}",
            today=made,
        )
    volunteers.record_check(
        actor=coordinator,
        volunteer=volunteer,
        kind="training",
        checked_on=made,
        expires_on=made + timedelta(days=2 * 365),
        note="Demo training day",
        today=made,
    )


@transaction.atomic
def seed_demo(users_by_role: dict[str, User]) -> None:
    coordinator = users_by_role.get("coordinator") or users_by_role.get("administrator")
    if coordinator is None:
        raise ValueError("seed_demo needs the demo coordinator (role 'coordinator').")
    if Volunteer.objects.filter(user__username=f"{PREFIX}rosa").exists():
        return
    today = timezone.localdate()
    months_ago = today - timedelta(days=120)
    rosa_user = _user("rosa", "Rosa Greenway (demo)")
    rosa = volunteers.apply_to_volunteer(
        user=rosa_user,
        name="Rosa Greenway (demo)",
        about="Retired librarian. Happy to chat about books over a cup of tea.",
        interests=["books", "gardening", "crosswords"],
        languages=["English", "Welsh"],
        places=["Millbrook", "Eastmere"],
        times=["mon-am", "wed-am", "thu-pm"],
        gender="woman",
        capacity=2,
        today=months_ago,
    )
    _checks(rosa, coordinator, months_ago, dbs_until=months_ago + timedelta(days=3 * 365))
    tomasz_user = _user("tomasz", "Tomasz Wilk (demo)")
    tomasz = volunteers.apply_to_volunteer(
        user=tomasz_user,
        name="Tomasz Wilk (demo)",
        about="Works part time; likes walking and football.",
        interests=["walking", "football", "cooking"],
        languages=["English", "Polish"],
        places=["Eastmere"],
        times=["sat-am", "sat-pm", "tue-eve"],
        gender="man",
        today=months_ago,
    )
    _checks(tomasz, coordinator, months_ago, dbs_until=today + timedelta(days=20))
    priya = volunteers.apply_to_volunteer(
        user=_user("priya", "Priya Lakeside (demo)"),
        name="Priya Lakeside (demo)",
        about="Student nurse, free most afternoons.",
        interests=["music", "gardening"],
        languages=["English", "Gujarati"],
        places=["Millbrook"],
        times=["mon-pm", "thu-pm"],
        gender="woman",
        today=today - timedelta(days=10),
    )
    _checks(
        priya,
        coordinator,
        today - timedelta(days=5),
        references=1,
        dbs_until=today + timedelta(days=3 * 365),
    )

    walter = _user("walter", "Walter Beck (demo)")
    walter_asks = befriender_requests.ask_for_befriender(
        actor=coordinator,
        person=walter,
        referrer="Millbrook Health Centre (demo)",
        about="Lives alone since his wife died; would like someone to talk to about books.",
        interests=["books", "crosswords"],
        languages=["English"],
        place="Millbrook",
        times=["mon-am", "wed-am"],
        today=months_ago + timedelta(days=3),
    )
    match = matches.propose_match(
        actor=coordinator,
        request_=walter_asks,
        volunteer=rosa,
        today=months_ago + timedelta(days=7),
    )
    matches.agree(
        actor=coordinator, match=match, side="person", today=months_ago + timedelta(days=9)
    )
    matches.agree(actor=rosa_user, match=match, today=months_ago + timedelta(days=10))
    for week in range(2, 16, 2):
        day = months_ago + timedelta(days=10 + 7 * week)
        if day > today:
            break
        contacts.log_contact(
            actor=rosa_user,
            match=match,
            on=day,
            how="in_person" if week % 4 else "phone",
            minutes=60 if week % 4 else 25,
            notes="Talked about the library's new crime novels." if week % 4 else "Quick call.",
            concern="He mentioned he has not been eating properly." if week == 14 else "",
            today=today,
        )

    june = _user("june", "June Holloway (demo)")
    june_asks = befriender_requests.ask_for_befriender(
        actor=june,
        about="Someone to go for walks with at the weekend.",
        interests=["walking"],
        languages=["English"],
        place="Eastmere",
        times=["sat-am"],
        today=months_ago,
    )
    ended = matches.propose_match(
        actor=coordinator,
        request_=june_asks,
        volunteer=tomasz,
        today=months_ago + timedelta(days=2),
    )
    matches.agree(actor=june, match=ended, today=months_ago + timedelta(days=3))
    matches.agree(actor=tomasz_user, match=ended, today=months_ago + timedelta(days=4))
    contacts.log_contact(
        actor=tomasz_user,
        match=ended,
        on=months_ago + timedelta(days=9),
        how="in_person",
        minutes=90,
        notes="Walk round the reservoir.",
        today=today,
    )
    matches.end_match(
        actor=june,
        match=ended,
        reason="goals_met",
        details="June has joined the walking group now.",
        last_meeting_on=months_ago + timedelta(days=30),
        feedback="Tomasz got me out of the house again. Thank you.",
        today=months_ago + timedelta(days=20),
    )

    person = users_by_role.get("person")
    if person is not None:
        befriender_requests.ask_for_befriender(
            actor=person,
            about="A chat once a week, maybe about music.",
            interests=["music", "gardening"],
            languages=["English"],
            place="Millbrook",
            times=["thu-pm"],
            gender_preference="woman",
            today=today - timedelta(days=3),
        )

    service = directory_selectors.public_services().order_by("name").first()
    if service is not None:
        group = peer_groups.create_group(
            actor=coordinator,
            name="Walk and Talk (demo peer group)",
            service_id=str(service.pk),
            about="People who have been lonely, walking and talking together. Everyone welcome.",
            lead=tomasz,
            today=months_ago + timedelta(days=25),
        )
        peer_groups.join_group(person=june, group=group, today=months_ago + timedelta(days=26))

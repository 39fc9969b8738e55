"""Befriending services: safeguarding checks enforced at proposal, start and every contact; both
sides agree; ending well; nothing deleted; every write audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from pytest_django import DjangoCaptureOnCommitCallbacks

from accounts.models import AuditEvent
from accounts.roles import Role
from befriending import selectors
from befriending.models import Contact, Match, Request
from befriending.services import befriender_requests, contacts, matches, peer_groups, volunteers
from befriending.services._common import BefriendingRefused
from befriending.tests import factories as b
from directory.tests import factories as f

pytestmark = pytest.mark.django_db
TODAY = b.TODAY
Refused = BefriendingRefused


def test_a_volunteer_with_a_check_missing_cannot_be_proposed_and_the_gap_is_named() -> None:
    boss = b.coordinator()
    v = b.volunteer(checked=False)
    b.record_all_checks(v, by=boss, skip="reference")
    r = b.request()
    with pytest.raises(Refused) as err:
        matches.propose_match(actor=boss, request_=r, volunteer=v, today=TODAY)
    assert err.value.field == "volunteer"
    assert "Second reference: none on record." in err.value.message
    assert not Match.objects.exists()
    volunteers.record_check(
        actor=boss, volunteer=v, kind="reference", checked_on=TODAY, today=TODAY
    )
    match = matches.propose_match(actor=boss, request_=r, volunteer=v, today=TODAY)
    assert match.stage == Match.Stage.PROPOSED


def test_only_coordinators_record_checks_and_propose() -> None:
    v = b.volunteer(checked=False)
    r = b.request()
    with pytest.raises(Refused):
        volunteers.record_check(
            actor=b.volunteer_account(v),
            volunteer=v,
            kind="dbs_enhanced",
            checked_on=TODAY,
            today=TODAY,
        )
    with pytest.raises(Refused):
        matches.propose_match(actor=b.person_account(r), request_=r, volunteer=v, today=TODAY)


def test_check_dates_are_checked() -> None:
    boss = b.coordinator()
    v = b.volunteer(checked=False)
    with pytest.raises(Refused) as err:
        volunteers.record_check(
            actor=boss,
            volunteer=v,
            kind="training",
            checked_on=TODAY + dt.timedelta(days=1),
            today=TODAY,
        )
    assert err.value.field == "checked_on"
    with pytest.raises(Refused) as err:
        volunteers.record_check(
            actor=boss,
            volunteer=v,
            kind="training",
            checked_on=TODAY,
            expires_on=TODAY - dt.timedelta(days=1),
            today=TODAY,
        )
    assert err.value.field == "expires_on"
    volunteers.record_check(
        actor=boss, volunteer=v, kind="training", checked_on=TODAY, expires_on=TODAY, today=TODAY
    )


def test_the_match_starts_only_when_both_sides_agree() -> None:
    boss = b.coordinator()
    v = b.volunteer(by=boss)
    r = b.request()
    m = matches.propose_match(actor=boss, request_=r, volunteer=v, today=TODAY)
    m = matches.agree(actor=b.volunteer_account(v), match=m, today=TODAY)
    assert m.stage == Match.Stage.PROPOSED and m.started_on is None
    with pytest.raises(Refused):  # nobody logs a contact before it starts
        contacts.log_contact(
            actor=b.volunteer_account(v), match=m, on=TODAY, how="phone", minutes=30, today=TODAY
        )
    m = matches.agree(actor=b.person_account(r), match=m, today=TODAY)
    assert m.stage == Match.Stage.ACTIVE and m.started_on == TODAY
    r.refresh_from_db()
    assert r.status == Request.Status.MATCHED


def test_the_database_refuses_a_start_without_both_agreeing() -> None:
    boss = b.coordinator()
    m = matches.propose_match(
        actor=boss, request_=b.request(), volunteer=b.volunteer(by=boss), today=TODAY
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Match.objects.filter(pk=m.pk).update(
            stage="active", started_on=TODAY, person_agreed_on=TODAY
        )


def test_a_side_agrees_only_for_itself_and_strangers_not_at_all() -> None:
    boss = b.coordinator()
    v = b.volunteer(by=boss)
    r = b.request()
    m = matches.propose_match(actor=boss, request_=r, volunteer=v, today=TODAY)
    with pytest.raises(Refused):
        matches.agree(actor=b.volunteer_account(v), match=m, side="person", today=TODAY)
    with pytest.raises(Refused):
        matches.agree(actor=f.user(Role.PERSON), match=m, today=TODAY)
    with pytest.raises(Refused):  # a coordinator must say whose yes it is
        matches.agree(actor=boss, match=m, today=TODAY)
    matches.agree(actor=boss, match=m, side="person", today=TODAY)
    m.refresh_from_db()
    assert m.person_agreed_on == TODAY and m.volunteer_agreed_on is None


def test_a_check_lapsing_before_both_agree_stops_the_start() -> None:
    boss = b.coordinator()
    v = b.volunteer(by=boss)  # training made 5 Jan 2026, runs to 5 Jan 2027
    r = b.request()
    m = matches.propose_match(actor=boss, request_=r, volunteer=v, today=TODAY)
    later = dt.date(2027, 1, 6)
    matches.agree(actor=b.volunteer_account(v), match=m, today=later)
    with pytest.raises(Refused) as err:
        matches.agree(actor=b.person_account(r), match=m, today=later)
    assert "Befriending training: expired on 5 January 2027." in err.value.message
    m.refresh_from_db()
    assert m.stage == Match.Stage.PROPOSED and m.person_agreed_on is None


def test_a_lapsed_check_pauses_contacts_and_shows_on_the_worklist_until_renewed() -> None:
    boss = b.coordinator()
    m = b.running_match(by=boss)
    expiry = dt.date(2027, 1, 5)
    contacts.log_contact(
        actor=b.volunteer_account(m.volunteer),
        match=m,
        on=expiry,
        how="in_person",
        minutes=60,
        today=expiry,
    )
    lapsed = expiry + dt.timedelta(days=1)
    assert [p.match.pk for p in selectors.paused_matches(lapsed)] == [m.pk]
    assert selectors.paused_matches(expiry) == []
    with pytest.raises(Refused) as err:
        contacts.log_contact(
            actor=b.volunteer_account(m.volunteer),
            match=m,
            on=lapsed,
            how="phone",
            minutes=20,
            today=lapsed,
        )
    assert (
        "Contacts are paused" in err.value.message and "Befriending training" in err.value.message
    )
    m.refresh_from_db()
    assert m.stage == Match.Stage.ACTIVE  # paused, not ended
    volunteers.record_check(
        actor=boss,
        volunteer=m.volunteer,
        kind="training",
        checked_on=lapsed,
        expires_on=dt.date(2028, 1, 6),
        today=lapsed,
    )
    contacts.log_contact(
        actor=b.volunteer_account(m.volunteer),
        match=m,
        on=lapsed,
        how="phone",
        minutes=20,
        today=lapsed,
    )
    assert selectors.paused_matches(lapsed) == []


def test_a_concern_goes_to_the_coordinator_until_read(
    mailoutbox: list[EmailMessage],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    boss = b.coordinator()
    m = b.running_match(by=boss)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        c = contacts.log_contact(
            actor=b.volunteer_account(m.volunteer),
            match=m,
            on=TODAY,
            how="in_person",
            minutes=45,
            notes="Tea and a walk",
            concern="Seemed very low and had not eaten",
            today=TODAY,
        )
    assert list(selectors.unread_concerns()) == [c]
    assert [m.to for m in mailoutbox if "concern" in m.subject] == [[boss.email]]
    assert "not eaten" not in mailoutbox[-1].body  # the email says where to read it, not what
    with pytest.raises(Refused):
        contacts.mark_concern_read(actor=b.volunteer_account(m.volunteer), contact=c)
    contacts.mark_concern_read(actor=boss, contact=c, today=TODAY)
    assert list(selectors.unread_concerns()) == []


def test_only_the_befriender_or_a_coordinator_logs_contacts() -> None:
    m = b.running_match()
    with pytest.raises(Refused):
        contacts.log_contact(
            actor=b.person_account(m.request),
            match=m,
            on=TODAY,
            how="phone",
            minutes=10,
            today=TODAY,
        )


def test_ending_needs_a_reason_and_a_last_meeting_within_eight_weeks() -> None:
    m = b.running_match()
    person = b.person_account(m.request)
    with pytest.raises(Refused) as err:
        matches.end_match(actor=person, match=m, reason="", today=TODAY)
    assert err.value.field == "reason"
    with pytest.raises(Refused) as err:
        matches.end_match(actor=person, match=m, reason="person_moving", today=TODAY)
    assert err.value.field == "last_meeting_on"
    too_late = TODAY + dt.timedelta(days=57)
    with pytest.raises(Refused) as err:
        matches.end_match(
            actor=person, match=m, reason="person_moving", last_meeting_on=too_late, today=TODAY
        )
    assert "within 8 weeks" in err.value.message
    assert m.started_on is not None  # a running match
    with pytest.raises(Refused) as err:  # before the match started
        matches.end_match(
            actor=person,
            match=m,
            reason="person_moving",
            last_meeting_on=m.started_on - dt.timedelta(days=1),
            today=TODAY,
        )
    ended = matches.end_match(
        actor=person,
        match=m,
        reason="person_moving",
        last_meeting_on=TODAY + dt.timedelta(days=56),
        feedback="Thank you for the walks",
        today=TODAY,
    )
    assert (ended.stage, ended.ended_by, ended.person_feedback) == (
        "ended",
        "person",
        "Thank you for the walks",
    )
    m.request.refresh_from_db()
    assert m.request.status == Request.Status.CLOSED


def test_contacts_up_to_the_planned_last_meeting_then_none() -> None:
    m = b.running_match()
    last = TODAY + dt.timedelta(days=7)
    matches.end_match(
        actor=b.volunteer_account(m.volunteer),
        match=m,
        reason="volunteer_leaving",
        last_meeting_on=last,
        today=TODAY,
    )
    contacts.log_contact(
        actor=b.volunteer_account(m.volunteer),
        match=m,
        on=last,
        how="in_person",
        minutes=90,
        today=last,
    )
    with pytest.raises(Refused):
        contacts.log_contact(
            actor=b.volunteer_account(m.volunteer),
            match=m,
            on=last + dt.timedelta(days=1),
            how="phone",
            minutes=5,
            today=last + dt.timedelta(days=1),
        )


def test_a_safeguarding_ending_needs_no_goodbye_and_stops_contacts_that_day() -> None:
    boss = b.coordinator()
    m = b.running_match(by=boss)
    ended = matches.end_match(
        actor=boss, match=m, reason="safeguarding", details="Police involved", today=TODAY
    )
    assert ended.last_meeting_on == TODAY and ended.ended_by == "coordinator"


def test_new_befriender_wanted_puts_the_person_back_on_the_waiting_list() -> None:
    boss = b.coordinator()
    m = b.running_match(by=boss)
    matches.end_match(
        actor=boss,
        match=m,
        reason="not_getting_on",
        last_meeting_on=TODAY,
        new_befriender_wanted=True,
        today=TODAY,
    )
    m.request.refresh_from_db()
    assert m.request.status == Request.Status.WAITING


def test_saying_no_to_a_proposal_ends_it_and_the_person_waits_again() -> None:
    boss = b.coordinator()
    v = b.volunteer(by=boss)
    r = b.request()
    m = matches.propose_match(actor=boss, request_=r, volunteer=v, today=TODAY)
    matches.end_match(
        actor=b.person_account(r), match=m, reason="anything", details="Not ready yet", today=TODAY
    )
    m.refresh_from_db()
    r.refresh_from_db()
    assert (m.stage, m.end_reason, r.status) == ("ended", "declined", "waiting")
    again = matches.propose_match(actor=boss, request_=r, volunteer=v, today=TODAY)
    assert again.pk != m.pk  # the declined one is kept
    assert Match.objects.count() == 2


def test_the_other_side_adds_feedback_after_the_end() -> None:
    m = b.running_match()
    with pytest.raises(Refused):
        matches.add_feedback(actor=b.volunteer_account(m.volunteer), match=m, feedback="Too soon")
    matches.end_match(
        actor=b.person_account(m.request),
        match=m,
        reason="goals_met",
        last_meeting_on=TODAY,
        today=TODAY,
    )
    matches.add_feedback(actor=b.volunteer_account(m.volunteer), match=m, feedback="A pleasure")
    m.refresh_from_db()
    assert m.volunteer_feedback == "A pleasure"


def test_a_second_ending_is_refused() -> None:
    m = b.running_match()
    matches.end_match(
        actor=b.person_account(m.request),
        match=m,
        reason="goals_met",
        last_meeting_on=TODAY,
        today=TODAY,
    )
    with pytest.raises(Refused):
        matches.end_match(
            actor=b.person_account(m.request),
            match=m,
            reason="goals_met",
            last_meeting_on=TODAY,
            today=TODAY,
        )


def test_gender_preference_and_capacity_are_hard_exclusions() -> None:
    boss = b.coordinator()
    v = b.volunteer(by=boss, gender="man")
    r = b.request(gender_preference="woman")
    with pytest.raises(Refused) as err:
        matches.propose_match(actor=boss, request_=r, volunteer=v, today=TODAY)
    assert "asked for a befriender who is a woman; they are a man" in err.value.message
    m = b.running_match(by=boss)
    with pytest.raises(Refused) as err:
        matches.propose_match(actor=boss, request_=b.request(), volunteer=m.volunteer, today=TODAY)
    assert "as many as they offered (1)" in err.value.message


def test_referral_by_a_coordinator_and_not_by_anyone_else() -> None:
    boss = b.coordinator()
    person = f.user(Role.PERSON)
    with pytest.raises(Refused):
        befriender_requests.ask_for_befriender(
            actor=f.user(Role.PERSON), person=person, referrer="GP", about="x"
        )
    with pytest.raises(Refused) as err:
        befriender_requests.ask_for_befriender(
            actor=boss, person=person, about="Lonely since moving"
        )
    assert err.value.field == "referrer"
    r = befriender_requests.ask_for_befriender(
        actor=boss, person=person, referrer="Hill Street Surgery", about="Lonely"
    )
    assert (r.source, r.referred_by, r.person) == ("referred", boss, person)


def test_every_write_is_audited_with_the_person_as_subject() -> None:
    m = b.running_match()
    contacts.log_contact(
        actor=b.volunteer_account(m.volunteer),
        match=m,
        on=TODAY,
        how="phone",
        minutes=15,
        today=TODAY,
    )
    about = AuditEvent.objects.filter(subject=m.request.person)
    summaries = list(about.values_list("summary", flat=True))
    assert "Befriending: asked for a befriender" in summaries
    assert any(s.startswith("Befriending: ") and "proposed" in s for s in summaries)
    assert "Befriending: the person agreed; the match started" in summaries
    assert "Befriending: contact logged" in summaries


def test_volunteer_hours_count_both_end_days() -> None:
    m = b.running_match(on=dt.date(2026, 1, 5))
    for day, minutes in [
        (dt.date(2026, 1, 5), 30),
        (dt.date(2026, 1, 31), 45),
        (dt.date(2026, 2, 1), 60),
    ]:
        contacts.log_contact(
            actor=b.volunteer_account(m.volunteer),
            match=m,
            on=day,
            how="phone",
            minutes=minutes,
            today=TODAY,
        )
    assert selectors.volunteer_hours(dt.date(2026, 1, 5), dt.date(2026, 1, 31)) == 75
    assert selectors.volunteer_hours(dt.date(2026, 1, 6), dt.date(2026, 1, 30)) == 0
    assert selectors.volunteer_hours(dt.date(2026, 1, 31), dt.date(2026, 2, 1)) == 105
    assert Contact.objects.count() == 3


def test_peer_group_points_at_a_directory_service_and_needs_a_checked_lead() -> None:
    boss = b.coordinator()
    svc = f.service(name="Millbrook Carers' Circle", days="TU", at=f.neighbourhood())
    with pytest.raises(Refused) as err:
        peer_groups.create_group(
            actor=boss, name="Carers' circle", service_id="no-such-service", today=TODAY
        )
    assert err.value.field == "service_id"
    lead = b.volunteer(checked=False)
    with pytest.raises(Refused) as err:
        peer_groups.create_group(
            actor=boss, name="Carers' circle", service_id=str(svc.pk), lead=lead, today=TODAY
        )
    assert "Enhanced DBS check: none on record." in err.value.message and err.value.field == "lead"
    group = peer_groups.create_group(
        actor=boss, name="Carers' circle", service_id=str(svc.pk), today=TODAY
    )
    b.record_all_checks(lead, by=boss, skip="reference")  # one reference is enough to lead a group
    peer_groups.set_lead(actor=boss, group=group, lead=lead, today=TODAY)
    meeting = selectors.meeting(group)
    assert meeting.service_name == "Millbrook Carers' Circle"
    assert meeting.times == ["Tuesday: 10am to midday"]
    assert meeting.places == ["Millbrook Carers' Circle venue, 1 Test Street, Testville, ZZ99 1AA"]


def test_members_join_and_leave_and_the_history_is_kept() -> None:
    boss = b.coordinator()
    svc = f.service()
    group = peer_groups.create_group(
        actor=boss, name="Walk and talk", service_id=str(svc.pk), today=TODAY
    )
    person = f.user(Role.PERSON)
    peer_groups.join_group(person=person, group=group, today=TODAY)
    with pytest.raises(Refused):
        peer_groups.join_group(person=person, group=group, today=TODAY)
    peer_groups.leave_group(person=person, group=group, today=TODAY)
    with pytest.raises(Refused):
        peer_groups.leave_group(person=person, group=group, today=TODAY)
    peer_groups.join_group(person=person, group=group, today=TODAY)
    assert group.memberships.count() == 2 and selectors.open_members(group).count() == 1


def test_a_group_whose_service_is_no_longer_listed_says_not_known() -> None:
    boss = b.coordinator()
    svc = f.service()
    group = peer_groups.create_group(
        actor=boss, name="Walk and talk", service_id=str(svc.pk), today=TODAY
    )
    svc.status = "defunct"
    svc.save()
    assert selectors.meeting(group).service_name == "Not known"


def test_one_suggestion_at_a_time_for_a_person() -> None:
    boss = b.coordinator()
    r = b.request()
    first = matches.propose_match(
        actor=boss, request_=r, volunteer=b.volunteer(by=boss), today=TODAY
    )
    other = b.volunteer(by=boss)
    with pytest.raises(Refused) as err:
        matches.propose_match(actor=boss, request_=r, volunteer=other, today=TODAY)
    assert "already been suggested" in err.value.message
    matches.end_match(actor=boss, match=first, reason="declined", today=TODAY)
    matches.propose_match(actor=boss, request_=r, volunteer=other, today=TODAY)


def test_an_ended_match_and_its_contacts_cannot_be_deleted_with_their_request() -> None:
    from django.db.models import ProtectedError

    m = b.running_match()
    contacts.log_contact(
        actor=b.volunteer_account(m.volunteer),
        match=m,
        on=TODAY,
        how="phone",
        minutes=5,
        today=TODAY,
    )
    matches.end_match(
        actor=b.person_account(m.request),
        match=m,
        reason="goals_met",
        last_meeting_on=TODAY,
        today=TODAY,
    )
    with pytest.raises(ProtectedError):
        m.request.delete()
    with pytest.raises(ProtectedError):
        Match.objects.get(pk=m.pk).delete()


def test_a_volunteer_stops_only_after_their_matches_end_and_is_then_excluded() -> None:
    boss = b.coordinator()
    m = b.running_match(by=boss)
    v = m.volunteer
    with pytest.raises(Refused) as err:
        volunteers.stop_volunteering(actor=b.volunteer_account(v), volunteer=v, today=TODAY)
    assert "End each of their matches first" in err.value.message
    with pytest.raises(Refused):
        volunteers.stop_volunteering(actor=b.person_account(m.request), volunteer=v, today=TODAY)
    matches.end_match(
        actor=boss, match=m, reason="volunteer_leaving", last_meeting_on=TODAY, today=TODAY
    )
    volunteers.stop_volunteering(actor=b.volunteer_account(v), volunteer=v, today=TODAY)
    with pytest.raises(Refused) as err:
        matches.propose_match(actor=boss, request_=b.request(), volunteer=v, today=TODAY)
    assert "No longer volunteering." in err.value.message


def test_a_suggested_match_emails_both_sides_a_link_unless_they_turned_match_emails_off(
    mailoutbox: list[EmailMessage],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    from accounts.notification_preferences import unsubscribe

    boss = b.coordinator()
    v = b.volunteer(by=boss)
    r = b.request()
    unsubscribe(user_ids=[b.person_account(r).pk], kind_code="matches", request=None)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        matches.propose_match(actor=boss, request_=r, volunteer=v, today=TODAY)
    suggested = [m for m in mailoutbox if "suggested" in m.subject]
    assert [m.to for m in suggested] == [[b.volunteer_account(v).email]]
    assert "http" in suggested[0].body and "/befriending/" in suggested[0].body

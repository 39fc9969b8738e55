"""Each person's home page after signing in (issue 13).

Staff land on what needs doing, one section per role they hold (a person with several roles sees
each): counts, deadlines, and a link to the page where each piece of work is done. The sections
come from each app's read-only ``worklists`` module; this module only chooses and orders them.
Residents (people using support, carers) keep their own account page (:func:`accounts.views.home`).

=====================  ======================================================================
role                   sections
=====================  ======================================================================
broker                 plans to agree, reviews due (budgets)
coordinator, admin     time bank applications, unanswered requests, expiring checks
                       (timebank); moderation queue (directory); PB rounds (participation)
commissioner           budgets and plans, time bank, enquiries (aggregates only); PB rounds
provider               enquiries to answer, listing changes and their status (directory)
on a follow-up team    people to contact by their deadline (outcomes)
moderator              feedback to moderate, overdue feedback (voice)
commissioner           overdue feedback (voice); anyone answering feedback: items due (voice)
=====================  ======================================================================
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from accounts import views
from accounts.http import signed_in_user
from accounts.models import User
from accounts.roles import Role
from accounts.worklist import Section
from befriending import worklists as befriending
from budgets import worklists as budgets
from connect import worklists as connect
from directory import worklists as directory
from directory.services import organizations_of
from outcomes import worklists as outcomes
from participation import worklists as participation
from sharedlives import worklists as sharedlives
from timebank import worklists as timebank
from voice import worklists as voice

COORDINATING = (Role.COORDINATOR, Role.ADMINISTRATOR)
ROUND_STAFF = (Role.COMMISSIONER, Role.COORDINATOR, Role.ADMINISTRATOR)


def sections_for(user: User) -> list[Section]:
    """The home page's sections for ``user``, empty for someone who holds no staff role."""
    found: list[Section] = []
    if user.has_role(Role.BROKER):
        found.append(
            Section(
                key="broker",
                title="Support plans on your caseload",
                tasks=budgets.broker_tasks(user),
                links=(("Your support: caseload, plans and assessments", reverse("budgets:home")),),
            )
        )
    follow_up = outcomes.follow_up_task(user)
    if follow_up is not None:
        found.append(Section(key="outcomes", title="Follow-up worklist", tasks=(follow_up,)))
    if user.has_role(*COORDINATING):
        found.append(
            Section(
                key="timebank",
                title="Time bank",
                tasks=timebank.coordinator_tasks(),
                links=(("Time bank coordination", reverse("timebank:coordinator")),),
            )
        )
        found.append(
            Section(
                key="moderation",
                title="Find support: moderation",
                tasks=directory.moderation_tasks(),
                links=(("Moderation queue", reverse("directory:moderation")),),
                note=(
                    "Directory imports are run from the command line and are not tracked here yet."
                ),
            )
        )
    if user.has_role(Role.COMMISSIONER):
        plans = budgets.plans_to_agree(user)
        found.append(
            Section(
                key="commissioning",
                title="Support plans across the area",
                tasks=(plans,) if plans.count else (),
                figures=budgets.commissioner_figures(),
                links=(("Outcomes across the area", reverse("outcomes:aggregates")),),
            )
        )
        found.append(
            Section(
                key="timebank-report",
                title="Time bank",
                figures=timebank.commissioner_figures(),
                links=(("Time bank reports", reverse("timebank:reports")),),
            )
        )
        found.append(
            Section(
                key="enquiries",
                title="Enquiries to services",
                figures=directory.commissioner_figures(),
            )
        )
    if user.has_role(*ROUND_STAFF):
        rounds = participation.round_tasks()
        found.append(
            Section(
                key="rounds",
                title="Participatory budgeting rounds",
                tasks=rounds,
                links=(
                    ("All rounds", reverse("participation:home")),
                    ("Start a new round", reverse("participation:round-new")),
                ),
                note="" if rounds else "No rounds are running.",
            )
        )
    organisations = organizations_of(user)
    if user.has_role(Role.PROVIDER) or organisations:
        found.append(
            Section(
                key="provider",
                title="Your organisation",
                tasks=directory.provider_tasks(user),
                links=(("Your listings", reverse("directory:provider-home")),),
                note=(
                    ""
                    if organisations
                    else "Your account is not linked to an organisation yet: ask a coordinator."
                ),
            )
        )
    found += voice.sections_for(user)  # moderators, commissioners, those who answer feedback
    found += connect.sections_for(user)  # link workers (coordinators oversee), services' inbox
    found += sharedlives.sections_for(user)  # Shared Lives scheme workers
    found += befriending.sections_for(user)  # coordinators: concerns, paused matches, waiting
    return found


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    sections = sections_for(user)
    if not sections:
        return views.home(request)
    return render(
        request,
        "accounts/home_staff.html",
        {
            "sections": sections,
            "events": user.audit_about_me.select_related("actor")[:5],
        },
    )

"""Participatory budgeting rounds and prioritisation panels.

Ballot secrecy is in the shape of the tables: :class:`VoterParticipation` says *who* voted (and holds
a hash of their receipt code), :class:`AnonymousBallot` says *what* was voted, and nothing joins them
but :attr:`AnonymousBallot.link_tag`, a keyed hash of the voter. While voting is open an online
ballot's choices are sealed (encrypted) with keys derived from ``settings.BALLOT_SECRET_KEY`` (in the
environment, never in the database) and the round's salt in :class:`BallotLinkKey`, so rows written
in the same order as the participations show nothing. Closing the vote opens them, deletes the salt
and re-issues every ballot in the clear under a new random id in a random order
(``services.results._close_voting``; ``participation.ballot_seal``).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Phase(models.TextChoices):
    IDEAS = "ideas", "Ideas"
    FEASIBILITY = "feasibility", "Checking and costing"
    PITCHES = "pitches", "Pitches"
    VOTING = "voting", "Voting"
    COUNTING = "counting", "Counting"
    RESULTS = "results", "Results"


PHASE_ORDER = [p.value for p in Phase]


class VoteType(models.TextChoices):
    APPROVAL = "approval", "Choose the projects you support"
    CUMULATIVE = "cumulative", "Share out points between projects"


class CountingRule(models.TextChoices):
    GREEDY = "greedy", "Most votes first (greedy)"
    MES = "mes", "Method of Equal Shares"


class Completion(models.TextChoices):
    ADD1 = "add1", "Raise shares until the money is used (add1)"
    ADD1_GREEDY = "add1-greedy", "add1, then fill what is left by most votes"
    NONE = "none", "No completion"


class RegistrationRule(models.TextChoices):
    SELF_DECLARED = "self-declared", "Residents declare they are eligible"
    APPROVED = "approved", "Staff approve each registration"


class AgeBand(models.TextChoices):
    B11 = "11-15", "11 to 15"
    B16 = "16-17", "16 or 17"
    B18 = "18-24", "18 to 24"
    B25 = "25-34", "25 to 34"
    B35 = "35-49", "35 to 49"
    B50 = "50-64", "50 to 64"
    B65 = "65-79", "65 to 79"
    B80 = "80+", "80 or over"


class Round(models.Model):
    """One participatory budgeting round: its pot, who may vote, its rule and its phases."""

    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=150)
    description = models.TextField()
    pot = models.DecimalField(max_digits=12, decimal_places=2)
    phase = models.CharField(max_length=20, choices=Phase.choices, default=Phase.IDEAS)
    vote_type = models.CharField(max_length=20, choices=VoteType.choices, default=VoteType.APPROVAL)
    max_choices = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Approval voting: most projects one person may choose."
    )
    max_points = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Points voting: points each person shares out."
    )
    rule = models.CharField(max_length=20, choices=CountingRule.choices, default=CountingRule.MES)
    completion = models.CharField(
        max_length=20, choices=Completion.choices, default=Completion.ADD1
    )
    min_age = models.PositiveSmallIntegerField(default=16)
    registration_rule = models.CharField(
        max_length=20, choices=RegistrationRule.choices, default=RegistrationRule.SELF_DECLARED
    )
    neighbourhoods = models.ManyToManyField(
        "directory.Neighbourhood",
        blank=True,
        related_name="+",
        help_text="Where voters must live. None chosen: anywhere in the area.",
    )
    ideas_open = models.DateField()
    ideas_close = models.DateField()
    pitches_open = models.DateField()
    voting_open = models.DateField()
    voting_close = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-voting_close", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(pot__gt=0), name="round_pot_positive"),
            models.CheckConstraint(
                condition=Q(ideas_open__lte=F("ideas_close"))
                & Q(ideas_close__lte=F("pitches_open"))
                & Q(pitches_open__lte=F("voting_open"))
                & Q(voting_open__lte=F("voting_close")),
                name="round_dates_in_order",
            ),
            models.CheckConstraint(
                condition=~Q(vote_type="cumulative") | Q(max_points__gt=0),
                name="round_points_vote_has_points",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def phase_index(self) -> int:
        return PHASE_ORDER.index(self.phase)

    def phase_is(self, *phases: str) -> bool:
        return self.phase in phases


class DistrictPot(models.Model):
    """Part of the pot kept for one neighbourhood's projects (a round with none has one pot)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="district_pots")
    neighbourhood = models.ForeignKey(
        "directory.Neighbourhood", on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["neighbourhood__name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "neighbourhood"], name="one_pot_per_district"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="district_pot_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.neighbourhood} (£{self.amount})"


class Project(models.Model):
    """An idea from a resident; once checked and costed by staff, a project on the ballot."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Waiting to be checked"
        ON_BALLOT = "on-ballot", "Taken forward"
        NOT_TAKEN_FORWARD = "not-taken-forward", "Not taken forward"

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="projects")
    title = models.CharField(max_length=120)
    what = models.TextField("what the project will do")
    who_benefits = models.TextField("who will benefit")
    district = models.ForeignKey(
        "directory.Neighbourhood", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pb_ideas",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    public_reason = models.TextField(blank=True, default="")
    cost = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    pitch = models.TextField(blank=True, default="")
    media_url = models.URLField(blank=True, default="")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="on-ballot") | Q(cost__gt=0), name="project_on_ballot_costed"
            ),
            models.CheckConstraint(
                condition=~Q(status="not-taken-forward") | ~Q(public_reason=""),
                name="project_refusal_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CostLine(models.Model):
    """One line of a project's cost breakdown; the lines add up to the project's cost."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="cost_lines")
    description = models.CharField(max_length=150)
    amount = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="cost_line_positive")]

    def __str__(self) -> str:
        return f"{self.description}: £{self.amount}"


class Comment(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="pb_comments"
    )
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Comment on {self.project}"


class VoterRegistration(models.Model):
    """A resident's declaration that they may vote in a round: where they live and their age."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved"
        REFUSED = "refused", "Not approved"

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pb_registrations"
    )
    neighbourhood = models.ForeignKey(
        "directory.Neighbourhood", on_delete=models.PROTECT, related_name="+"
    )
    date_of_birth = models.DateField(null=True, blank=True)
    age_band = models.CharField(max_length=10, choices=AgeBand.choices, blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], name="one_registration_per_round"),
            models.CheckConstraint(
                condition=Q(date_of_birth__isnull=False) | ~Q(age_band=""),
                name="registration_has_age",
            ),
        ]

    def __str__(self) -> str:
        return f"Registration for {self.round}"


class Channel(models.TextChoices):
    ONLINE = "online", "Online"
    PAPER = "paper", "Paper"


class VoterParticipation(models.Model):
    """That a person voted in a round (never what they chose). One per person per round."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="participations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,  # cleared if the person asks to be erased; the turnout still counts them
        on_delete=models.SET_NULL,
        related_name="pb_participations",
    )
    neighbourhood = models.ForeignKey(
        "directory.Neighbourhood", on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    receipt_hash = models.CharField(max_length=64)
    recorded_on = models.DateField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], name="one_ballot_per_person"),
            models.UniqueConstraint(fields=["round", "receipt_hash"], name="receipt_unique"),
        ]

    def __str__(self) -> str:
        return f"Participation in {self.round}"


class BallotLinkKey(models.Model):
    """The round's random salt for the ballot keys while voting is open. Deleted at close.

    Useless alone: the keys are HMACs of it under ``settings.BALLOT_SECRET_KEY``, which is kept in
    the environment (see ``participation.ballot_seal``)."""

    round = models.OneToOneField(Round, on_delete=models.CASCADE, related_name="link_key")
    key = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"Ballot link key for {self.round}"


class AnonymousBallot(models.Model):
    """What one voter chose, with no voter on it.

    ``choices`` is a list of ``[project id, points]`` (points 1 for approval). No timestamp on
    purpose. ``link_tag`` and ``sealed`` are set only while voting is open, for online ballots:
    then ``choices`` is empty and the choices are in ``sealed``, encrypted and padded.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="ballots")
    district = models.ForeignKey(
        "directory.Neighbourhood", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    choices = models.JSONField()
    link_tag = models.CharField(max_length=64, null=True, blank=True, unique=True)
    sealed = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Ballot {self.id}"


class PaperBallotEntry(models.Model):
    """A paper ballot typed in by one staff member; it counts once a different one confirms it.

    Paper ballots come out of the ballot box without a name, so an entry has no voter; who was given
    a paper is recorded separately as a :class:`VoterParticipation` when the paper is issued.
    """

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="paper_entries")
    paper_number = models.CharField(max_length=30)
    district = models.ForeignKey(
        "directory.Neighbourhood", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    choices = models.JSONField()
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["entered_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "paper_number"], name="paper_entered_once"),
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True) | ~Q(confirmed_by=F("entered_by")),
                name="paper_confirmed_by_someone_else",
            ),
        ]

    def __str__(self) -> str:
        return f"Paper ballot {self.paper_number}"


class RoundResult(models.Model):
    """The published count of a round (one per district when the pot is split)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="results")
    district = models.ForeignKey(
        "directory.Neighbourhood", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    file_name = models.CharField(max_length=80)
    budget = models.DecimalField(max_digits=12, decimal_places=2)
    spent = models.DecimalField(max_digits=12, decimal_places=2)
    ballots = models.PositiveIntegerField()
    pb_file = models.TextField(help_text="The anonymised ballots in the pabulib .pb format.")
    explanation = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["district__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "file_name"], name="result_file_unique"),
            models.CheckConstraint(
                condition=Q(spent__lte=F("budget")), name="result_within_budget"
            ),
        ]

    def __str__(self) -> str:
        return f"Result of {self.round}"


class ProjectResult(models.Model):
    result = models.ForeignKey(RoundResult, on_delete=models.CASCADE, related_name="projects")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    votes = models.PositiveIntegerField()
    points = models.PositiveIntegerField()
    selected = models.BooleanField()
    selection_order = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-selected", "selection_order", "-votes", "project__title"]
        constraints = [
            models.UniqueConstraint(fields=["result", "project"], name="one_result_per_project")
        ]

    def __str__(self) -> str:
        return f"{self.project}: {self.votes}"


# --- prioritisation panels -------------------------------------------------------------------------


class PanelVolunteer(models.Model):
    """A resident in the pool from which People's Panels are drawn."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="panel_volunteer"
    )
    neighbourhood = models.ForeignKey(
        "directory.Neighbourhood", on_delete=models.PROTECT, related_name="+"
    )
    age_band = models.CharField(max_length=10, choices=AgeBand.choices)
    joined_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Panel volunteer {self.pk}"


class Panel(models.Model):
    """A prioritisation exercise: items to rank and a panel drawn at random to rank them."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Being prepared"
        ANNOUNCED = "announced", "Draw announced"
        RANKING = "ranking", "Panel is ranking"
        PUBLISHED = "published", "Ranking published"

    title = models.CharField(max_length=150)
    question = models.TextField()
    size = models.PositiveSmallIntegerField(help_text="How many people to draw for the panel.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    quorum = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="How many members must rank before the result can be published "
        "(empty: two thirds of the panel, rounded up).",
    )
    balance_tolerance = models.PositiveSmallIntegerField(
        default=10,
        help_text="Percentage points: how far each group's share of those who ranked may be from "
        "its share of the panel's seats.",
    )
    seed = models.BigIntegerField(null=True, blank=True)
    """The seed of a draw made before pools were published (method v1); new draws use seed_text."""
    seed_commitment = models.CharField(max_length=64, blank=True, default="")
    """SHA-256 (hex) of the seed, shown from the announcement of the draw."""
    secret_seed = models.CharField(max_length=64, blank=True, default="")
    """The seed itself: kept secret until the draw, then revealed in draw_record."""
    pool_file = models.TextField(blank=True, default="")
    """The anonymised pool (CSV: entry and strata), fixed and published when the draw is announced."""
    announced_at = models.DateTimeField(null=True, blank=True)
    draw_record = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        constraints = [models.CheckConstraint(condition=Q(size__gt=0), name="panel_size_positive")]

    def __str__(self) -> str:
        return self.title


class PanelItem(models.Model):
    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="items")
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "name"], name="panel_item_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class PanelMember(models.Model):
    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="panel_seats"
    )
    stratum = models.CharField(max_length=120)
    entry = models.PositiveIntegerField(null=True, blank=True)
    """The member's entry number in the published pool (draws announced with a pool file)."""
    ranking = models.JSONField(null=True, blank=True, help_text="Item ids, most important first.")
    ranked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "user"], name="one_seat_per_person"),
        ]

    def __str__(self) -> str:
        return f"Panel member {self.pk}"


class PanelPoolEntry(models.Model):
    """One person in a panel's published pool: the entry number links to them only here."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="pool_entries")
    entry = models.PositiveIntegerField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    age_band = models.CharField(max_length=10)
    neighbourhood = models.CharField(max_length=120)

    class Meta:
        ordering = ["panel", "entry"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "entry"], name="one_pool_entry_number"),
            models.UniqueConstraint(fields=["panel", "user"], name="one_pool_entry_per_person"),
        ]

    def __str__(self) -> str:
        return f"Pool entry {self.entry}"


ZERO = Decimal("0.00")


class Theme(models.Model):
    """A theme offered to a round from the evidence of unmet need (the gap in the market), for
    residents to shape ideas around. Counts only: the evidence it quotes names nobody."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="themes")
    title = models.CharField(max_length=150)
    evidence = models.TextField(max_length=1000)
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    offered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["offered_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "title"], name="participation_theme_once")
        ]

    def __str__(self) -> str:
        return self.title

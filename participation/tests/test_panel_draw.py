"""People's Panels: a draw anyone can repeat, and a result published only with a quorum and balance."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from directory.models import Neighbourhood
from directory.tests import factories as f
from participation import redraw, rules
from participation.models import Panel, PanelMember, PanelPoolEntry
from participation.services._common import ParticipationError
from participation.services.panels import (
    announce_draw,
    create_panel,
    draw_panel,
    join_panel_pool,
    publish_panel,
    submit_ranking,
)
from participation.tests import factories as pf

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]


def client_for(user: User | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _pool(groups: list[tuple[str, str, int]]) -> list[User]:
    """People in the pool: (age band, neighbourhood name, how many)."""
    people = []
    for band, hood_name, count in groups:
        hood = pf.hood(hood_name) if not _hoods.get(hood_name) else _hoods[hood_name]
        _hoods[hood_name] = hood
        for _ in range(count):
            person = f.user()
            join_panel_pool(user=person, neighbourhood=hood, age_band=band)
            people.append(person)
    return people


_hoods: dict[str, Neighbourhood] = {}


@pytest.fixture(autouse=True)
def _fresh_hoods() -> None:
    _hoods.clear()


FIFTEEN = [
    ("25-34", "North", 3),
    ("65-79", "North", 2),
    ("25-34", "South", 3),
    ("65-79", "South", 2),
    ("25-34", "West", 3),
    ("65-79", "West", 2),
]


def _drawn_panel(
    size: int = 15,
    groups: list[tuple[str, str, int]] = FIFTEEN,
    items: Sequence[str] = ("Eyes", "Teeth", "Ears"),
) -> tuple[Panel, User]:
    commissioner = pf.staff()
    _pool(groups)
    panel = create_panel(
        by=commissioner,
        title="Priorities",
        question="What first?",
        size=size,
        items=items,
    )
    panel = announce_draw(panel=panel, by=commissioner)
    panel = draw_panel(panel=panel, by=commissioner)
    return panel, commissioner


def _rank(panel: Panel, seats: Sequence[PanelMember], orders: Sequence[Sequence[int]]) -> None:
    for seat, order in zip(seats, orders, strict=True):
        assert seat.user is not None  # just drawn, nobody erased
        submit_ranking(panel=panel, member=seat.user, order=order)


# --- item 1: quorum, balance, ties, agreement -------------------------------------------------------


def test_two_of_fifteen_from_one_group_cannot_publish_strong_agreement() -> None:
    panel, commissioner = _drawn_panel()
    assert panel.members.count() == 15 and panel.quorum == 10
    items = [i.pk for i in panel.items.order_by("pk")]
    same = [s for s in panel.members.all() if s.stratum == "25-34 / North"][:2]
    _rank(panel, same, [items, items])
    with pytest.raises(ParticipationError) as refused:
        publish_panel(panel=panel, by=commissioner)
    message = refused.value.message
    assert "Only 2 of 15 members have ranked the items" in message
    assert "needs at least 10" in message
    assert "neighbourhood North has 33% of the seats but 100% of those who ranked" in message
    panel.refresh_from_db()
    assert panel.status == Panel.Status.RANKING and panel.result == {}
    page = client_for(commissioner).get(reverse("participation:panel", args=[panel.pk]))
    html = page.content.decode()
    assert "The ranking cannot be published yet." in html
    assert "Only 2 of 15 members have ranked" in html
    assert "participation:panel-publish" not in html and "/publish/" not in html


def test_quorum_met_but_a_neighbourhood_missing_is_refused() -> None:
    panel, commissioner = _drawn_panel()
    items = [i.pk for i in panel.items.order_by("pk")]
    seats = [s for s in panel.members.all() if not s.stratum.endswith("West")]
    _rank(panel, seats, [items] * len(seats))
    with pytest.raises(ParticipationError, match="neighbourhood West has 33% of the seats but 0%"):
        publish_panel(panel=panel, by=commissioner)


def test_a_tie_is_reported_as_a_tie_with_how_many_took_part() -> None:
    panel, commissioner = _drawn_panel()
    a, b, c = [i.pk for i in panel.items.order_by("pk")]
    seats = list(panel.members.order_by("stratum", "pk"))
    # Every member ranks; a perfect cycle: five each of a>b>c, b>c>a, c>a>b.
    cycle = [[a, b, c], [b, c, a], [c, a, b]]
    _rank(panel, seats, [cycle[n % 3] for n in range(15)])
    panel = publish_panel(panel=panel, by=commissioner)
    assert panel.result["kemeny_orders"] == 3
    assert [row["place"] for row in panel.result["kemeny_places"]] == ["1 to 3 (tied)"] * 3
    assert panel.result["borda_tied"] is True
    assert panel.result["rankings"] == 15 and panel.result["members"] == 15
    html = client_for().get(reverse("participation:panel", args=[panel.pk])).content.decode()
    assert "proven" not in html
    assert "This is a tie:" in html and "3 different orders" in html
    assert "15 of the 15 panel members" in html
    assert "strong agreement" not in html
    assert "no clear agreement" in html


def test_a_clear_result_names_members_and_agreement_that_fits() -> None:
    panel, commissioner = _drawn_panel()
    a, b, c = [i.pk for i in panel.items.order_by("pk")]
    seats = list(panel.members.order_by("pk"))
    _rank(panel, seats, [[a, b, c]] * 15)
    panel = publish_panel(panel=panel, by=commissioner)
    assert panel.result["kemeny_orders"] == 1
    html = client_for().get(reverse("participation:panel", args=[panel.pk])).content.decode()
    assert "No other order disagrees less" in html
    assert "strong agreement among 15 members (clearly more than chance)" in html
    assert "15 of the 15 panel members" in html


def test_quorum_and_tolerance_are_set_per_panel_within_bounds() -> None:
    commissioner = pf.staff()

    def make(
        quorum: int | None = None, balance_tolerance: int = rules.DEFAULT_BALANCE_TOLERANCE
    ) -> Panel:
        return create_panel(
            by=commissioner,
            title="x",
            question="y",
            size=15,
            items=["a", "b"],
            quorum=quorum,
            balance_tolerance=balance_tolerance,
        )

    assert make().quorum == 10
    assert make(quorum=8).quorum == 8
    with pytest.raises(ParticipationError, match="between 8") as low:
        make(quorum=7)
    assert low.value.field == "quorum"
    with pytest.raises(ParticipationError, match="and 15"):
        make(quorum=16)
    with pytest.raises(ParticipationError, match="between 0 and 50") as tol:
        make(balance_tolerance=51)
    assert tol.value.field == "balance_tolerance"


def test_panel_form_names_the_quorum_field() -> None:
    commissioner = pf.staff()
    response = client_for(commissioner).post(
        reverse("participation:panel-new"),
        {
            "title": "T",
            "question": "Q",
            "size": "15",
            "items": "a\nb",
            "quorum": "3",
            "balance_tolerance": "10",
        },
    )
    assert response.status_code == 200
    assert "The quorum must be between 8" in response.content.decode()
    assert not Panel.objects.exists()


# --- item 2: a draw anyone can repeat -----------------------------------------------------------


def test_draw_must_be_announced_first_and_seed_is_hidden_until_then() -> None:
    commissioner = pf.staff()
    _pool(FIFTEEN)
    panel = create_panel(by=commissioner, title="P", question="Q", size=6, items=["a", "b"])
    with pytest.raises(ParticipationError, match="Announce the draw first"):
        draw_panel(panel=panel, by=commissioner)
    pool_url = reverse("participation:panel-pool", args=[panel.pk])
    assert client_for().get(pool_url).status_code == 404
    panel = announce_draw(panel=panel, by=commissioner)
    assert panel.status == Panel.Status.ANNOUNCED and not panel.members.exists()
    html = client_for().get(reverse("participation:panel", args=[panel.pk])).content.decode()
    assert panel.seed_commitment in html
    assert panel.secret_seed not in html
    assert "Download the pool" in html


def test_published_pool_has_no_names_and_numbers_entries_in_a_random_order() -> None:
    commissioner = pf.staff()
    people = _pool(FIFTEEN)
    panel = create_panel(by=commissioner, title="P", question="Q", size=6, items=["a", "b"])
    panel = announce_draw(panel=panel, by=commissioner)
    response = client_for().get(reverse("participation:panel-pool", args=[panel.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["entry", "age_group", "neighbourhood"]
    assert [int(r[0]) for r in rows[1:]] == list(range(1, 16))
    for person in people:
        assert person.email not in text and str(person.get_full_name() or "@") not in text
    # Joining later does not change the published pool.
    _pool([("35-49", "North", 1)])
    assert (
        client_for().get(reverse("participation:panel-pool", args=[panel.pk])).content.decode()
        == text
    )
    assert PanelPoolEntry.objects.filter(panel=panel).count() == 15


def test_published_draw_reruns_from_the_pool_file_and_seed(tmp_path: Path) -> None:
    panel, _commissioner = _drawn_panel(
        size=6, groups=[*FIFTEEN, ("35-49", "North", 4), ("35-49", "South", 5)]
    )
    pool_text = client_for().get(reverse("participation:panel-pool", args=[panel.pk])).content
    page = client_for().get(reverse("participation:panel", args=[panel.pk])).content.decode()
    seed = panel.draw_record["seed"]
    commitment = panel.draw_record["commitment"]
    assert seed in page and commitment in page
    assert f"python -m participation.redraw panel-{panel.pk}-pool.csv {seed} --seats 6" in page
    pool_file = tmp_path / f"panel-{panel.pk}-pool.csv"
    pool_file.write_bytes(pool_text)
    # The documented command, run as a resident would: a fresh Python, no Django settings.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "participation.redraw",
            str(pool_file),
            seed,
            "--seats",
            "6",
            "--commitment",
            commitment,
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)},
    )
    assert result.returncode == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if x.startswith("drawn entries: "))
    drawn = [int(n) for n in line.removeprefix("drawn entries: ").split()]
    numbers = list(panel.members.values_list("entry", flat=True))
    assert None not in numbers  # every member drawn from the pool has an entry number
    members = sorted(number for number in numbers if number is not None)
    assert drawn == members == panel.draw_record["selected_entries"]
    assert "commitment: matches" in result.stdout
    # The entries are the people actually seated.
    entries = dict(PanelPoolEntry.objects.filter(panel=panel).values_list("entry", "user_id"))
    seated = list(panel.members.values_list("user_id", flat=True))
    assert None not in seated  # nobody erased since the draw
    assert sorted(entries[e] or 0 for e in drawn) == sorted(pk or 0 for pk in seated)
    # And the page lists the same entries.
    assert " ".join(map(str, drawn)) in page


def test_redraw_refuses_a_seed_that_was_not_committed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    panel, _commissioner = _drawn_panel(size=6)
    pool_file = tmp_path / "pool.csv"
    pool_file.write_text(panel.pool_file, encoding="utf-8")
    commitment = panel.draw_record["commitment"]
    other = "0" * 64
    assert not rules.seed_matches(other, commitment)
    assert redraw.main([str(pool_file), other, "--seats", "6", "--commitment", commitment]) == 1
    assert "DOES NOT MATCH" in capsys.readouterr().err
    assert (
        redraw.main(
            [str(pool_file), panel.draw_record["seed"], "--seats", "6", "--commitment", commitment]
        )
        == 0
    )


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "line 1: the first line must be the header"),
        ("name,age\n1,x\n", "line 1: the first line must be the header"),
        ("entry,age_group\n1,a\n1,b\n", "line 3: entry 1 is listed twice"),
        ("entry,age_group\nx,a\n", "line 2: the entry must be a whole number"),
        ("entry,age_group\n1,a,b\n", "line 2: expected 2 columns, found 3"),
        ("entry,age_group\n1,a\x00\n", "NUL"),
    ],
)
def test_redraw_reports_a_bad_pool_file_by_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, error: str
) -> None:
    pool_file = tmp_path / "pool.csv"
    pool_file.write_text(text, encoding="utf-8")
    assert redraw.main([str(pool_file), "seed", "--seats", "1"]) == 2
    assert error in capsys.readouterr().err


def test_announce_refuses_a_pool_too_small_and_staff_only() -> None:
    commissioner = pf.staff()
    _pool([("25-34", "North", 3)])
    panel = create_panel(by=commissioner, title="P", question="Q", size=5, items=["a", "b"])
    with pytest.raises(ParticipationError, match="fewer than the 5 seats"):
        announce_draw(panel=panel, by=commissioner)
    panel.refresh_from_db()
    assert panel.status == Panel.Status.DRAFT and not panel.seed_commitment
    with pytest.raises(ParticipationError, match="Only commissioners"):
        announce_draw(panel=panel, by=f.user(Role.COORDINATOR))
    assert (
        client_for(f.user())
        .post(reverse("participation:panel-announce", args=[panel.pk]))
        .status_code
        == 403
    )


def test_erasure_unlinks_the_pool_entry() -> None:
    from participation import personal_data

    panel, _commissioner = _drawn_panel(size=6)
    entry = PanelPoolEntry.objects.filter(panel=panel).first()
    assert entry is not None and entry.user is not None  # the drawn panel has a pool
    person = entry.user
    assert personal_data.export(person)["panel_pool_entries"] == [
        {"panel": "Priorities", "entry_number_in_published_pool": entry.entry}
    ]
    personal_data.erase(person)
    entry.refresh_from_db()
    assert entry.user is None

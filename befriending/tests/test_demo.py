import pytest
from django.utils import timezone

from accounts.roles import Role
from befriending import demo, selectors
from befriending.models import Match, PeerGroup, Request, Volunteer
from directory.tests import factories as f

pytestmark = pytest.mark.django_db


def test_demo_is_fictional_shows_each_state_and_runs_twice() -> None:
    f.service(name="Demo walking service")
    users = {"coordinator": f.user(Role.COORDINATOR), "person": f.user(Role.PERSON)}
    demo.seed_demo(users)
    demo.seed_demo(users)
    today = timezone.localdate()
    assert Volunteer.objects.count() == 3
    assert all("(demo)" in v.name for v in Volunteer.objects.all())
    assert set(Match.objects.values_list("stage", flat=True)) == {"active", "ended"}
    assert Request.objects.filter(person=users["person"], status="waiting").exists()
    lead = PeerGroup.objects.get().lead
    assert lead is not None and lead.name == "Tomasz Wilk (demo)"
    assert len(list(selectors.unread_concerns())) == 1
    assert [e.volunteer.name for e in selectors.checks_expiring(today)] == ["Tomasz Wilk (demo)"]
    priya = Volunteer.objects.get(name="Priya Lakeside (demo)")
    assert selectors.befriender_gaps(priya, today) == ["Second reference: none on record."]

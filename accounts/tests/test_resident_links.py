"""A resident's account page links to every part of the service that holds something of theirs,
and each of those pages opens for a person who has nothing there yet."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from accounts.services import grant_role

pytestmark = pytest.mark.django_db

PARTS = [
    ("budgets:home", "Your support plan and budget"),
    ("timebank:home", "Time bank"),
    ("outcomes:home", "Your outcomes and wellbeing"),
    ("connect:mine", "Your referrals to a link worker"),
    ("befriending:home", "Befriending"),
    ("sharedlives:mine", "Shared Lives"),
    ("voice:home", "Give feedback about a service"),
]


def test_the_account_page_links_each_part_and_each_opens_for_a_new_person() -> None:
    person = User.objects.create_user(
        username="newcomer", email="new@example.org", password="x" * 20
    )
    grant_role(person, Role.PERSON)
    client = Client()
    client.force_login(person)
    page = client.get(reverse("accounts:home")).content.decode()
    for name, label in PARTS:
        url = reverse(name)
        assert f'href="{url}"' in page, name
        assert label in page, label
        response = client.get(url, follow=True)
        assert response.status_code == 200, (name, response.status_code)

import pytest
from django.urls import reverse

from accounts.models import User
from directory.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model", ["organization", "service", "taxonomyterm", "review", "listingchange"]
)
def test_staff_can_use_the_directory_admin(client, model) -> None:  # type: ignore[no-untyped-def]
    svc = f.service()
    client.force_login(
        User.objects.create_superuser("root", "r@example.org", "a-long-test-password")
    )
    assert client.get(reverse(f"admin:directory_{model}_changelist")).status_code == 200
    if model == "service":
        assert (
            client.get(reverse("admin:directory_service_change", args=[svc.pk])).status_code == 200
        )

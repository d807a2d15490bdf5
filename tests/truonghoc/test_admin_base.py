"""Records written only through services are read-only in the admin, for a superuser too."""

import pytest
from django.urls import reverse

from accounts.models import User


@pytest.mark.parametrize("model", ["gradebook_mark", "gradebook_markevent", "publications_reportrequest"])
def test_read_only_admin_refuses_adding(client, db, model):
    admin = User.objects.create_superuser(username="sieu", password="x-secret-123", full_name="Quản trị")
    client.force_login(admin)
    assert client.get(reverse(f"admin:{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:{model}_add")).status_code == 403

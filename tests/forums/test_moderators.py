"""Naming and revoking moderators: a revoke with a non-numeric or missing user id looks missing (404) and
changes nothing (it once crashed with a 500)."""

import pytest
from django.urls import reverse
from guardian.shortcuts import assign_perm

from forums.permissions import MODERATE_PERM

pytestmark = pytest.mark.django_db


def test_revoke_with_a_bad_user_id_is_a_404_and_changes_nothing(client, tree, forum, people):
    assign_perm(MODERATE_PERM, people.teacher2, forum)
    client.force_login(people.principal)
    url = reverse("forums:moderators", args=[forum.pk])
    for value in ("abc", "", "-1"):
        assert client.post(url, {"action": "revoke", "user": value}).status_code == 404
    assert client.post(url, {"action": "revoke"}).status_code == 404
    fresh = type(people.teacher2).objects.get(pk=people.teacher2.pk)
    assert fresh.has_perm(MODERATE_PERM, forum)

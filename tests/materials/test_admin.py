"""The admin lists the bank, tests and attempts for support staff, read-only."""

import pytest
from django.urls import reverse

from accounts.models import User
from tests.materials.factories import make_question, make_quiz

pytestmark = pytest.mark.django_db


def test_admin_lists_questions_tests_and_attempts_read_only(client, tree, people):
    question = make_question(author=people.teacher, unit=tree.g1)
    make_quiz(author=people.teacher, unit=tree.g1, questions=[question], classes=[tree.c1])
    admin = User.objects.create(username="root", full_name="Quản trị", is_staff=True, is_superuser=True, unit=tree.s1)
    client.force_login(admin)
    for name in ("question", "quiz", "attempt", "questionimport"):
        assert client.get(reverse(f"admin:materials_{name}_changelist")).status_code == 200, name
    change = client.get(reverse("admin:materials_question_change", args=[question.pk]))
    assert change.status_code == 200 and 'name="stem"' not in change.text  # nothing to edit here
    assert client.get(reverse("admin:materials_question_add")).status_code == 403

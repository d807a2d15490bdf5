"""Issue #12: a professional group's space states how many teachers it has (those holding the teacher or
leader role there, each once), in a fixed number of queries however many there are."""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from tests.accounts.factories import make_person
from units.models import Role
from units.services import role_assign

pytestmark = pytest.mark.django_db


def test_the_group_space_counts_its_teachers_in_a_fixed_number_of_queries(
    client, tree, people, django_assert_max_num_queries
):
    # people: teacher, teacher2, incomplete (teacher role at G1) and the leader, who also teaches there.
    role_assign(actor=None, user=people.leader, unit=tree.g1, role=Role.TEACHER)
    client.cookies["django_language"] = "vi"
    client.force_login(people.admin)
    url = reverse("courses:group_space", args=[tree.g1.pk])
    with translation.override("vi"):
        with django_assert_max_num_queries(20) as few:
            html = client.get(url).content.decode()
        assert 'data-testid="member-count">4 giáo viên<' in html
        for i in range(19):
            make_person(unit=tree.g1, role=Role.TEACHER, full_name=f"Giáo viên số {i}")
        User.objects.filter(pk=people.incomplete.pk).update(is_active=False)
        with django_assert_max_num_queries(len(few.captured_queries)):
            html = client.get(url).content.decode()
    assert 'data-testid="member-count">22 giáo viên<' in html

"""Issue #14 point 5: a student sees their class and their teachers, not the school's directory, and
usernames are listed only to those who look after the accounts."""

import pytest
from django.urls import reverse

from tests.accounts.factories import make_person
from units.models import Role


@pytest.fixture
def school(tree):
    """s1 with a teacher, a group leader, a school admin, two pupils in 6A1 and one in 7A1."""
    cast = [
        ("teacher", "g1", Role.TEACHER, "Đặng Thị Hòa"),
        ("leader", "g2", Role.GROUP_LEADER, "Phạm Văn Long"),
        ("admin", "s1", Role.SCHOOL_ADMIN, "Vũ Thị Mai"),
        ("pupil", "c1", Role.STUDENT, "Nguyễn Văn An"),
        ("classmate", "c1", Role.STUDENT, "Trần Thị Bích"),
        ("other_class", "c2", Role.STUDENT, "Lê Văn Cường"),
    ]
    return {key: make_person(unit=getattr(tree, at), role=role, full_name=name) for key, at, role, name in cast}


def _listed(client, unit):
    response = client.get(reverse("units:people", args=[unit.pk]))
    assert response.status_code == 200
    return response, {p.full_name for p in response.context["page"]}


def test_a_student_on_the_school_page_sees_only_their_class_and_the_teachers_without_usernames(client, tree, school):
    client.force_login(school["pupil"])
    response, names = _listed(client, tree.s1)
    assert names == {"Nguyễn Văn An", "Trần Thị Bích", "Đặng Thị Hòa", "Phạm Văn Long"}
    body = response.content.decode()
    assert "Lê Văn Cường" not in body and "Vũ Thị Mai" not in body
    for person in school.values():
        assert person.username not in body


def test_a_student_on_their_class_page_sees_their_classmates_without_usernames(client, tree, school):
    client.force_login(school["pupil"])
    response, names = _listed(client, tree.c1)
    assert names == {"Nguyễn Văn An", "Trần Thị Bích"}
    assert school["classmate"].username not in response.content.decode()
    assert client.get(reverse("units:people", args=[tree.c2.pk])).status_code == 404


def test_a_teacher_sees_everyone_by_name_but_no_usernames(client, tree, school):
    client.force_login(school["teacher"])
    response, names = _listed(client, tree.s1)
    assert names == {p.full_name for p in school.values()}
    body = response.content.decode()
    assert all(p.username not in body for p in school.values() if p != school["teacher"])
    assert response.context["show_usernames"] is False


@pytest.mark.parametrize("who", ["admin", "office"])
def test_those_who_manage_accounts_see_usernames(client, tree, school, who):
    viewer = school["admin"] if who == "admin" else make_person(unit=tree.office_a1, role=Role.OFFICE_STAFF)
    client.force_login(viewer)
    response, names = _listed(client, tree.s1)
    assert names == {p.full_name for p in school.values()}
    body = response.content.decode()
    assert all(p.username in body for p in school.values())


@pytest.mark.parametrize(("who", "budget"), [("pupil", 8), ("teacher", 8), ("admin", 7)])
def test_the_people_page_costs_no_more_queries_than_before(
    client, tree, school, who, budget, django_assert_max_num_queries
):
    for n in range(30):
        make_person(unit=tree.c1 if n % 2 else tree.c2, role=Role.STUDENT)
    client.force_login(school[who])
    client.get(reverse("units:people", args=[tree.s1.pk]))  # warm the per-process caches
    # What the page cost each of them before the rule (measured on 04221ca): the rule adds no query,
    # the student's classes come from the roles already cached on the user.
    with django_assert_max_num_queries(budget):
        assert client.get(reverse("units:people", args=[tree.s1.pk])).status_code == 200


def test_a_principal_sees_everyone_by_name_without_usernames_but_still_opens_the_accounts(client, tree, school):
    """A principal reads the school's accounts (accounts.permissions.can_view_account) but does not look
    after them, so the list links to the account pages and shows no usernames."""
    client.force_login(make_person(unit=tree.s1, role=Role.PRINCIPAL))
    response, names = _listed(client, tree.s1)
    assert names == {p.full_name for p in school.values()} | {response.wsgi_request.user.full_name}
    assert response.context["link_accounts"] is True and response.context["show_usernames"] is False
    assert all(p.username not in response.content.decode() for p in school.values())

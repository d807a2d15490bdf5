"""Unit space pages: right role, wrong role, wrong scope, and a fixed number of queries."""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from tests.accounts.factories import UserFactory, make_person
from units.models import Role
from units.services import UnitSpec, role_assign, units_bulk_create


def test_anonymous_is_sent_to_login(client, tree):
    response = client.get(reverse("units:space", args=[tree.s1.pk]))
    assert response.status_code == 302 and "/tai-khoan/login/" in response.url


def test_school_admin_sees_their_school_with_groups_classes_and_counts(client, tree):
    admin = make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN)
    leader = make_person(unit=tree.g1, role=Role.GROUP_LEADER, full_name="Đặng Thị Hòa")
    for _ in range(3):
        make_person(unit=tree.g1, role=Role.TEACHER)
    for _ in range(2):
        make_person(unit=tree.c1, role=Role.STUDENT)
    client.force_login(admin)
    response = client.get(reverse("units:space", args=[tree.s1.pk]))
    assert response.status_code == 200
    rows = {child.code: (counts, leaders) for child, counts, leaders in response.context["rows"]}
    assert rows[tree.g1.code][0] == {"teacher": 3, "group_leader": 1}
    assert rows[tree.g1.code][1] == [leader]
    assert rows[tree.c1.code][0] == {"student": 2}
    assert response.context["totals"] == {"staff": 1, "teacher": 4, "student": 2}
    assert response.context["child_kinds"] == {"group": 2, "class": 2}
    # Groups come before classes; classes by grade.
    assert [child.name for child, _c, _l in response.context["rows"]] == [
        "Tổ Khoa học tự nhiên",
        "Tổ Khoa học xã hội",
        "6A1",
        "7A1",
    ]
    assert "Đặng Thị Hòa" in response.content.decode()


def test_department_sees_offices_and_thpt_schools_with_people_counts(client, tree):
    staff = make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF)
    make_person(unit=tree.g1, role=Role.TEACHER)
    make_person(unit=tree.g3, role=Role.TEACHER)
    make_person(unit=tree.c1, role=Role.STUDENT)
    client.force_login(staff)
    response = client.get(reverse("units:space", args=[tree.dept_a.pk]))
    rows = {child.code: counts for child, counts, _l in response.context["rows"]}
    assert list(rows) == [tree.office_a1.code, tree.office_a2.code, tree.t1.code]  # offices first
    assert response.context["child_kinds"] == {"office": 2, "school": 3, "group": 3, "class": 2}
    assert rows[tree.office_a1.code] == {"teacher": 2, "student": 1}
    assert rows[tree.office_a2.code] == {}


@pytest.mark.parametrize(
    ("role", "held_at", "target", "status"),
    [
        (Role.OFFICE_STAFF, "office_a1", "s1", 200),
        (Role.OFFICE_STAFF, "office_a1", "office_a2", 404),  # sibling
        (Role.OFFICE_STAFF, "office_a1", "dept_a", 404),  # above
        (Role.TEACHER, "g1", "s1", 200),
        (Role.TEACHER, "g1", "s2", 404),  # another school
        (Role.STUDENT, "c1", "c1", 200),
        (Role.STUDENT, "c1", "c2", 404),  # another class of the same school
        (Role.STUDENT, "c1", "s1", 200),
    ],
)
def test_unit_space_scope(client, tree, role, held_at, target, status):
    client.force_login(make_person(unit=getattr(tree, held_at), role=role))
    assert client.get(reverse("units:space", args=[getattr(tree, target).pk])).status_code == status
    assert client.get(reverse("units:people", args=[getattr(tree, target).pk])).status_code == status


def test_search_ignores_diacritics_and_htmx_gets_only_the_list(client, tree):
    client.force_login(make_person(unit=tree.office_a1, role=Role.OFFICE_STAFF))
    url = reverse("units:space", args=[tree.office_a1.pk])
    response = client.get(url, {"q": "tran phu"})
    assert [child.code for child, _c, _l in response.context["rows"]] == [tree.s1.code]
    partial = client.get(url, {"q": "tien tan"}, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert "Trường THCS Tiên Tân" in body and "<html" not in body
    empty = client.get(url, {"q": "khong co truong nao"})
    assert "khong co truong nao" in empty.content.decode()
    # A NUL typed into the address (PostgreSQL refuses it in a query) is dropped, not a 500.
    assert client.get(url, {"q": "tran\x00 phu"}).status_code == 200
    assert client.get(reverse("units:people", args=[tree.s1.pk]), {"q": "\x00"}).status_code == 200


def test_people_page_lists_members_sorted_by_given_name_and_searches_without_accents(client, tree):
    client.force_login(make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN))
    for name in ["Trần Văn Bình", "Nguyễn Thị An", "Lê Minh Châu"]:
        make_person(unit=tree.c1, role=Role.STUDENT, full_name=name)
    url = reverse("units:people", args=[tree.c1.pk])
    names = [p.full_name for p in client.get(url).context["page"]]
    assert names == ["Nguyễn Thị An", "Trần Văn Bình", "Lê Minh Châu"]
    found = [p.full_name for p in client.get(url, {"q": "le minh chau"}).context["page"]]
    assert found == ["Lê Minh Châu"]


def _grow(tree, schools: int, people_per_school: int):
    specs = [
        UnitSpec(code=f"GROW-{tree.office_a1.code}-{i}", name=f"Trường THCS số {i}", kind="school", school_level="thcs")
        for i in range(schools)
    ]
    created = units_bulk_create(actor=None, parent=tree.office_a1, specs=specs)
    User.objects.bulk_create(
        [
            User(username=f"u-{s.pk}-{n}", full_name="Nguyễn Văn A", unit=s, account_type="student")
            for s in created
            for n in range(people_per_school)
        ]
    )


@pytest.mark.parametrize(("schools", "people"), [(2, 1), (60, 20)])
def test_unit_space_costs_the_same_queries_for_few_or_many_units(
    client, tree, schools, people, django_assert_max_num_queries
):
    _grow(tree, schools, people)
    client.force_login(make_person(unit=tree.office_a1, role=Role.OFFICE_STAFF))
    # 11 for the space itself, 1 for its school year (issue #15), 3 for its news and letters
    # (publications_tags.unit_front).
    with django_assert_max_num_queries(15):
        response = client.get(reverse("units:space", args=[tree.office_a1.pk]))
    assert response.status_code == 200
    assert len(response.context["rows"]) == min(schools + 2, 50)


def test_home_page_for_each_role_links_to_its_units(client, tree):
    for role, where in [
        (Role.MINISTRY_STAFF, "ministry"),
        (Role.DEPARTMENT_STAFF, "dept_a"),
        (Role.OFFICE_STAFF, "office_a1"),
        (Role.SCHOOL_ADMIN, "s1"),
        (Role.PRINCIPAL, "s1"),
        (Role.GROUP_LEADER, "g1"),
        (Role.TEACHER, "g1"),
        (Role.STUDENT, "c1"),
    ]:
        unit = getattr(tree, where)
        client.force_login(make_person(unit=unit, role=role))
        page = client.get(reverse("home")).content.decode()
        assert reverse("units:space", args=[unit.pk]) in page, role
        with translation.override("vi"):
            assert str(Role(role).label) in page
    client.force_login(UserFactory())
    assert client.get(reverse("home")).status_code == 200


def test_admin_pages_are_closed_to_students_and_teachers(client, tree):
    client.force_login(make_person(unit=tree.c1, role=Role.STUDENT))
    response = client.get("/quan-tri/")
    assert response.status_code == 302 and "login" in response.url
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    assert client.get("/quan-tri/").status_code == 200
    assert client.get(f"/quan-tri/units/unit/{tree.s1.pk}/change/").status_code == 200


def test_deactivated_accounts_are_not_counted(client, tree):
    admin = make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN)
    gone = make_person(unit=tree.c1, role=Role.STUDENT)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    client.force_login(admin)
    response = client.get(reverse("units:space", args=[tree.s1.pk]))
    assert "student" not in response.context["totals"]
    rows = {child.code: counts for child, counts, _l in response.context["rows"]}
    assert rows[tree.c1.code] == {}


def test_a_group_and_a_class_count_the_people_who_hold_roles_there_in_a_fixed_number_of_queries(
    client, tree, django_assert_max_num_queries
):
    """Issue #12: a professional group of 23 showed “0 teachers”: its teachers belong to the school
    (User.unit), so they are counted by the roles they hold in the group, each person once."""
    leader = make_person(unit=tree.g1, role=Role.GROUP_LEADER)
    role_assign(actor=None, user=leader, unit=tree.g1, role=Role.TEACHER)
    for _ in range(22):
        make_person(unit=tree.g1, role=Role.TEACHER)
    make_person(unit=tree.g2, role=Role.TEACHER)  # another group of the school
    gone = make_person(unit=tree.g1, role=Role.TEACHER)
    User.objects.filter(pk=gone.pk).update(is_active=False)
    for _ in range(3):
        make_person(unit=tree.c1, role=Role.STUDENT)
    client.force_login(make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN))
    with django_assert_max_num_queries(20):
        response = client.get(reverse("units:space", args=[tree.g1.pk]))
    assert response.context["totals"] == {"teacher": 23}
    html = response.content.decode()
    assert 'data-testid="total-teachers">23<' in html
    response = client.get(reverse("units:space", args=[tree.c1.pk]))
    assert response.context["totals"] == {"student": 3}
    # The school still counts everybody once.
    assert client.get(reverse("units:space", args=[tree.s1.pk])).context["totals"] == {
        "staff": 1,
        "teacher": 24,
        "student": 3,
    }

"""The participation dashboard reads well at 141 schools: one notice for the undeclared numbers, the
lagging units worst first, and sections folded with a constant number of queries."""

import pytest
from django.urls import reverse
from django.utils import translation

from reports.services import stats_recompute
from tests.accounts.factories import complete_profile, make_person
from units.models import Role
from units.periods import all_time
from units.services import UnitSpec, unit_declare_numbers, units_bulk_create


@pytest.fixture
def many_schools(tree):
    schools = units_bulk_create(
        actor=None,
        parent=tree.office_a1,
        specs=[UnitSpec(code=f"MANY-{i}", name=f"Trường THCS số {i}", kind="school", school_level="thcs")
               for i in range(60)],
    )  # fmt: skip
    return schools


def test_one_notice_for_undeclared_numbers_instead_of_a_badge_per_row(client, tree, many_schools):
    unit_declare_numbers(actor=None, unit=tree.s1, teachers=3, students=10)
    stats_recompute(periods=[all_time()])
    client.force_login(make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF))
    response = client.get(reverse("reports:dashboard", args=[tree.dept_a.pk]))
    page = response.content.decode()
    # 63 schools, 1 declared: one notice with the count and how to declare, no badge on the rows.
    assert page.count('data-testid="declare-notice"') == 1
    assert "62/63 trường chưa khai báo số giáo viên, học sinh" in page
    assert "Số liệu khai báo" in page  # the button to look for on the school's page
    assert "chưa khai báo số giáo viên, học sinh</span>" not in page
    notice = response.context["declare"]
    assert len(notice["schools"]) == 62 and tree.s1.name not in [s["name"] for s in notice["schools"]]
    # Department staff may declare for their schools: each name links to the school's form.
    assert notice["schools"][0]["url"].endswith("/khai-bao/")
    # The school itself sees its own notice with the link to its form.
    client.force_login(make_person(unit=tree.s2, role=Role.SCHOOL_ADMIN))
    school_page = client.get(reverse("reports:dashboard", args=[tree.s2.pk]))
    assert school_page.context["declare"]["url"] == reverse("units:declare", args=[tree.s2.pk])
    assert "Trường chưa khai báo số giáo viên, học sinh" in school_page.content.decode()


def test_lagging_units_are_listed_worst_first_with_their_figure(client, tree, many_schools):
    # s1: 1 teacher of 4 with a proper photo (25%); s2: 3 of 4 (75%); both have students. The sixty new
    # schools have no account at all: they come first.
    make_person(unit=tree.c1, role=Role.STUDENT)
    make_person(unit=tree.s2, role=Role.STUDENT)
    for n in range(4):
        person = make_person(unit=tree.g1, role=Role.TEACHER)
        if n == 0:
            complete_profile(person)
    for n in range(4):
        person = make_person(unit=tree.s2, role=Role.TEACHER)
        if n < 3:
            complete_profile(person)
    stats_recompute(periods=[all_time()])
    client.force_login(make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF))
    with translation.override("vi"):
        response = client.get(reverse("reports:dashboard", args=[tree.dept_a.pk]))
    lagging = {title: (shown, more) for title, shown, more in response.context["lagging"]}
    shown, more = lagging[tree.office_a1.name]
    office_rows = shown + more
    names = [row.unit.name for row, _flags in office_rows]
    assert names.index(tree.s1.name) < names.index(tree.s2.name)  # 25% before 75%
    assert names[-1] == tree.s2.name  # schools with nothing at all come first, s2 is the least behind
    first_flag = {row.unit.name: flags[0] for row, flags in office_rows}
    assert ": 25%" in first_flag[tree.s1.name] and ": 75%" in first_flag[tree.s2.name]  # Vietnamese numbers
    assert len(shown) == 5 and len(more) == 57  # 62 lagging schools: 5 shown, the rest folded
    page = response.content.decode()
    assert "giáo viên có ảnh đại diện đúng quy định: 25%" in page


def test_the_dashboard_of_many_schools_folds_sections_with_constant_queries(
    client, tree, many_schools, django_assert_max_num_queries
):
    stats_recompute(periods=[all_time()])
    staff = make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF)
    client.force_login(staff)
    url = reverse("reports:dashboard", args=[tree.dept_a.pk])
    with django_assert_max_num_queries(16) as few:
        response = client.get(url)
    page = response.content.decode()
    assert response.context["collapse"] and page.count('data-testid="section"') == 3
    assert '<details class="stat-section mt-3" id="s-2"  data-testid="section">' in page  # folded
    assert 'sort=teacher_accounts&amp;dir=asc#s-2"' in page  # sorting a section reopens that section
    # Sixty more schools, the same number of queries.
    units_bulk_create(
        actor=None,
        parent=tree.office_a2,
        specs=[UnitSpec(code=f"MORE-{i}", name=f"Trường THCS thêm {i}", kind="school", school_level="thcs")
               for i in range(60)],
    )  # fmt: skip
    stats_recompute(periods=[all_time()])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
    # A Department with few schools keeps its tables open.
    client.force_login(make_person(unit=tree.dept_b, role=Role.DEPARTMENT_STAFF))
    other = client.get(reverse("reports:dashboard", args=[tree.dept_b.pk]))
    assert other.context["collapse"] is False and 'id="s-1" open' in other.content.decode()

"""Issue #12, point 11: the news on a person's own space comes from their own units and the units above
them (school, Office, Department, Ministry) and the national front, never from a neighbouring school;
newest first, in a fixed number of queries."""

import pytest
from django.urls import reverse

from publications.models import Article
from publications.selectors.front import personal_news, personal_paths
from tests.accounts.factories import make_person
from tests.publications.test_front import make_article, titles
from units.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def news(tree, people):
    a = people.teacher
    return {
        "s1": make_article(unit=tree.s1, author=a, title="Trần Phú khai giảng", days_ago=1),
        "s2": make_article(unit=tree.s2, author=people.s2_admin, title="Tiên Tân trồng cây", days_ago=1),
        "office": make_article(unit=tree.office_a1, author=people.phong, title="Phòng Phủ Lý tập huấn", days_ago=2),
        "dept_a": make_article(unit=tree.dept_a, author=people.so, title="Sở Hà Nam tổng kết", days_ago=3),
        "dept_b": make_article(unit=tree.dept_b, author=people.so_b, title="Sở Nam Định tổng kết", days_ago=3),
        "ministry": make_article(unit=tree.ministry, author=people.bo, title="Bộ ban hành chương trình", days_ago=4),
        "s3_national": make_article(
            unit=tree.s3, author=people.so_b, title="Yên Thắng lên báo", promoted_to=tree.ministry, days_ago=5
        ),
        "s1_draft": make_article(unit=tree.s1, author=a, title="Bản nháp", status=Article.Status.DRAFT),
    }


def test_paths_are_the_persons_units_and_those_above(tree, people):
    assert personal_paths(people.teacher) == {tree.ministry.path, tree.dept_a.path, tree.office_a1.path,
                                              tree.s1.path, tree.g1.path}  # fmt: skip
    assert personal_paths(people.bo) == {tree.ministry.path}


def test_a_teacher_reads_their_school_office_department_and_national_news(tree, people, news):
    got = [a.title for a in personal_news(user=people.teacher)]
    assert got == [
        "Trần Phú khai giảng",
        "Phòng Phủ Lý tập huấn",
        "Sở Hà Nam tổng kết",
        "Bộ ban hành chương trình",
        "Yên Thắng lên báo",
    ]


def test_another_school_sees_its_own_news_not_the_neighbours(tree, people, news):
    teacher_s2 = make_person(unit=tree.g3, role=Role.TEACHER)
    got = [a.title for a in personal_news(user=teacher_s2)]
    assert "Tiên Tân trồng cây" in got and "Trần Phú khai giảng" not in got and "Sở Nam Định tổng kết" not in got


def test_ministry_staff_read_national_news_only(people, news):
    assert [a.title for a in personal_news(user=people.bo)] == ["Bộ ban hành chương trình", "Yên Thắng lên báo"]


def test_home_page_shows_the_school_news_in_a_fixed_number_of_queries(
    client, tree, people, news, django_assert_max_num_queries
):
    student = make_person(unit=tree.c1, role=Role.STUDENT)
    client.force_login(student)
    assert titles(client.get(reverse("home")).content.decode())[0] == "Trần Phú khai giảng"
    other = make_person(unit=tree.g3, role=Role.TEACHER)
    client.force_login(other)
    assert titles(client.get(reverse("home")).content.decode())[0] == "Tiên Tân trồng cây"
    client.force_login(people.teacher)
    client.get(reverse("home"))
    with django_assert_max_num_queries(40) as few:
        html = client.get(reverse("home")).content.decode()
    assert titles(html) == ["Trần Phú khai giảng", "Phòng Phủ Lý tập huấn", "Sở Hà Nam tổng kết"]
    for i in range(10):
        make_article(unit=tree.s1, author=people.teacher, title=f"Tin trường {i}", days_ago=0)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(reverse("home")).content.decode()
    assert len(titles(html)) == 3 and all(t.startswith("Tin trường") for t in titles(html))

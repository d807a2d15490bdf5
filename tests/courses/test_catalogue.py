"""Finding courses: accent-free title search that works the same on SQLite and PostgreSQL, filters by kind,
subject, grade and offering unit kept in the URL (and in the page links), only what the person may see,
a fixed query cost, and the "my courses" tabs."""

import pytest
from django.urls import reverse
from guardian.shortcuts import assign_perm

from courses.models import Course
from courses.selectors.catalogue import CatalogueFilters, accent_free_pattern, catalogue
from tests.courses.factories import enrol, make_course, make_section

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


def titles(user, **filters):
    return {c.title for c in catalogue(user=user, filters=CatalogueFilters(**filters))}


@pytest.fixture
def courses(tree, people):
    return {
        "toan": make_course(
            unit=tree.s1, author=people.teacher, title="Bồi dưỡng Toán lớp 6", subject="Toán", grade=6, kind="lesson"
        ),
        "van": make_course(unit=tree.s1, author=people.teacher, title="ĐỌC HIỂU văn bản", subject="Ngữ văn", grade=7),
        "office": make_course(
            unit=tree.office_a1, author=people.office, title="Tập huấn GDPT 2018", audience_unit=tree.office_a1
        ),
        "draft": make_course(unit=tree.s1, author=people.teacher, title="Nháp Toán", status=Course.Status.DRAFT),
        "closed": make_course(unit=tree.s1, author=people.teacher, title="Toán cũ", status=Course.Status.CLOSED),
        "other": make_course(unit=tree.s3, title="Toán Nam Định"),
    }


def test_accent_free_search_on_the_title(people, courses):
    student = people.student
    assert titles(student, q="toan") == {"Bồi dưỡng Toán lớp 6"}
    assert titles(student, q="BOI duong") == {"Bồi dưỡng Toán lớp 6"}
    assert titles(student, q="doc hieu") == {"ĐỌC HIỂU văn bản"}
    assert titles(student, q="Đọc") == {"ĐỌC HIỂU văn bản"}
    assert titles(student, q="gdpt 2018") == {"Tập huấn GDPT 2018"}
    assert titles(student, q="lop 7") == set()
    assert titles(student, q="(toan") == set()  # regex characters are taken literally
    assert accent_free_pattern("đ.") == "[dđDĐ]\\."


def test_filters(tree, people, courses):
    teacher = people.teacher3
    assert titles(teacher) == {"Bồi dưỡng Toán lớp 6", "ĐỌC HIỂU văn bản", "Tập huấn GDPT 2018"}
    assert titles(teacher, kind="lesson") == {"Bồi dưỡng Toán lớp 6"}
    assert titles(teacher, subject="ngữ văn") == {"ĐỌC HIỂU văn bản"}
    assert titles(teacher, grade=6) == {"Bồi dưỡng Toán lớp 6"}
    assert titles(teacher, unit=tree.office_a1) == {"Bồi dưỡng Toán lớp 6", "ĐỌC HIỂU văn bản", "Tập huấn GDPT 2018"}
    assert titles(teacher, unit=tree.s1) == {"Bồi dưỡng Toán lớp 6", "ĐỌC HIỂU văn bản"}
    assert titles(people.other_office) == {"Toán Nam Định"}  # the Office oversees its schools' courses
    assert titles(people.other_school) == {"Tập huấn GDPT 2018"}


def test_catalogue_page_keeps_filters_in_the_url_and_page_links(client, tree, people):
    for n in range(25):
        make_course(unit=tree.s1, author=people.teacher, title=f"Toán chuyên đề {n}", kind="lesson", grade=6)
    make_course(unit=tree.s1, author=people.teacher, title="Tiếng Anh", kind="lesson", grade=6)
    client.force_login(people.student)
    response = client.get(reverse("courses:catalogue"), {"q": "toan", "kind": "lesson", "grade": "6"})
    html = response.content.decode()
    assert response.status_code == 200 and html.count('data-testid="course-row"') == 20
    assert "Tiếng Anh" not in html and "25 courses" in html
    assert "?q=toan&amp;kind=lesson&amp;grade=6&amp;page=2" in html
    page2 = client.get(reverse("courses:catalogue"), {"q": "toan", "kind": "lesson", "grade": "6", "page": "2"})
    assert page2.content.decode().count('data-testid="course-row"') == 5


def test_catalogue_shows_an_empty_state_and_what_i_registered_for(client, tree, people, courses):
    enrol(course=courses["toan"], user=people.student)
    client.force_login(people.student)
    html = client.get(reverse("courses:catalogue")).content.decode()
    assert html.count('data-testid="enrolled-badge"') == 1
    html = client.get(reverse("courses:catalogue"), {"q": "khong co"}).content.decode()
    assert 'data-testid="no-courses"' in html and "No course matches these filters." in html


@pytest.mark.parametrize("count", [3, 30])
def test_catalogue_costs_a_fixed_number_of_queries(client, tree, people, count, django_assert_max_num_queries):
    for n in range(count):
        course = make_course(unit=tree.s1, author=people.teacher, title=f"Khóa {n}", subject=f"Môn {n}")
        enrol(course=course, user=people.student)
    client.force_login(people.student)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("courses:catalogue"), {"q": "khoa"})
    assert response.content.decode().count('data-testid="course-row"') == min(count, 20)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("courses:mine"))
    assert response.content.decode().count('data-testid="course-row"') == min(count, 20)


def test_my_courses_tabs(client, tree, people, courses):
    enrol(course=courses["toan"], user=people.teacher3)
    enrolment = enrol(course=courses["van"], user=people.teacher3)
    enrolment.withdrawn_at = enrolment.enrolled_at
    enrolment.save()
    make_section(course=courses["toan"])
    assign_perm("courses.teach_course", people.teacher3, courses["draft"])
    client.force_login(people.teacher3)
    html = client.get(reverse("courses:mine")).content.decode()
    assert "Bồi dưỡng Toán lớp 6" in html and "ĐỌC HIỂU văn bản" not in html and "0%" in html
    html = client.get(reverse("courses:mine"), {"tab": "teaching"}).content.decode()
    assert "Nháp Toán" in html and "Bồi dưỡng Toán lớp 6" not in html
    client.force_login(people.student)
    html = client.get(reverse("courses:mine"), {"tab": "teaching"}).content.decode()
    assert 'data-testid="no-courses"' in html


def test_nav_links_to_the_courses(client, people):
    client.force_login(people.student)
    html = client.get(reverse("courses:mine")).content.decode()
    assert f'href="{reverse("courses:catalogue")}"' in html

"""Issue #12, point 7: course texts (purpose, introduction, lessons) are written with the editor; what is
posted is stored sanitised and shown formatted, older plain text keeps its lines, and the course page's
cost does not grow with its lessons."""

import pytest
from django.urls import reverse

from courses.models import Course, Section
from tests.courses.factories import enrol, make_course, make_section

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

PURPOSE = (
    "<h3>Mục đích</h3><p>Giúp giáo viên <strong>nắm vững</strong> chương trình.</p>"
    "<h3>Yêu cầu</h3><ol><li>Học đủ các phần</li><li>Nộp <u>một</u> bài thu hoạch</li></ol>"
)


def test_course_purpose_written_with_the_editor_is_stored_sanitised_and_shown(client, tree, people):
    course = make_course(unit=tree.s1, author=people.teacher)
    client.force_login(people.teacher)
    url = reverse("courses:course_edit", args=[course.pk])
    assert 'data-rich-text="1"' in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "title": course.title,
            "audience": f"u{tree.s1.pk}",
            "purpose": PURPOSE + '<p style="color:red" onmouseover="x()">Hết</p><script>alert(1)</script>',
            "body": "<p>Giới thiệu <em>ngắn</em></p><blockquote>Học đi đôi với hành</blockquote>",
        },
    )
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.purpose == PURPOSE + "<p>Hết</p>"
    assert course.body == "<p>Giới thiệu <em>ngắn</em></p><blockquote>Học đi đôi với hành</blockquote>"

    enrol(course=course, user=people.student)
    client.force_login(people.student)
    html = client.get(reverse("courses:course", args=[course.pk])).content.decode()
    assert PURPOSE in html and "<blockquote>Học đi đôi với hành</blockquote>" in html
    assert "onmouseover" not in html and "alert(1)" not in html


def test_a_lesson_with_a_list_and_a_link_is_shown_formatted(client, tree, people):
    course = make_course(unit=tree.s1, author=people.teacher)
    client.force_login(people.teacher)
    client.post(
        reverse("courses:section_create", args=[course.pk]),
        {
            "title": "Bài 1",
            "body": '<h2>Đọc trước</h2><ul><li><a href="https://moet.gov.vn/ct" target="_blank">Chương trình</a></li>'
            '<li><a href="javascript:alert(1)">Bẫy</a></li></ul>',
        },
    )
    section = Section.objects.get()
    assert section.body == (
        '<h2>Đọc trước</h2><ul><li><a href="https://moet.gov.vn/ct" rel="noopener nofollow">Chương trình</a></li>'
        '<li><a rel="noopener nofollow">Bẫy</a></li></ul>'
    )
    html = client.get(reverse("courses:course", args=[course.pk])).content.decode()
    assert section.body in html and "javascript:" not in html


def test_older_plain_text_lessons_keep_their_lines_and_the_page_cost_is_fixed(
    client, tree, people, django_assert_max_num_queries
):
    course = make_course(unit=tree.s1, author=people.teacher, purpose="Dòng 1\nDòng 2")
    for position in range(1, 21):
        make_section(course=course, position=position, body=f"Bước {position}\nRồi bước tiếp <b>{position}</b>")
    client.force_login(people.teacher)
    url = reverse("courses:course", args=[course.pk])
    client.get(url)
    with django_assert_max_num_queries(30):
        html = client.get(url).content.decode()
    assert "<p>Dòng 1<br>Dòng 2</p>" in html
    assert "Rồi bước tiếp <b>20</b>" in html and html.count("Rồi bước tiếp <b>") == 20
    assert Course.objects.get(pk=course.pk).purpose == "Dòng 1\nDòng 2"  # display changes nothing stored

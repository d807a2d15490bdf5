"""Issue #12, words fit the content: a class lesson and a professional topic do not speak of instructors,
trainees or "register for this course"; their pages, buttons, counts and refusals take the words of their
kind from courses/wording.py, and a training course keeps its own."""

import pytest
from django.urls import reverse
from django.utils import translation

from courses.models import Course
from courses.services.authoring import course_publish
from courses.services.enrolment import enrolment_register
from courses.services.submissions import submitter_problem
from courses.wording import WORDS, CourseWords
from forums.selectors import owner_forums
from tests.courses.factories import enrol, make_assignment, make_course, make_section

pytestmark = pytest.mark.django_db

TRAINING_ONLY = ("giảng viên", "học viên", "Đăng ký khóa học này", "khóa học")


@pytest.fixture(autouse=True)
def _in_vietnamese(client):
    client.cookies["django_language"] = "vi"
    with translation.override("vi"):
        yield


@pytest.fixture
def lesson(tree, people):
    course = make_course(
        unit=tree.s1,
        author=people.teacher,
        kind=Course.Kind.LESSON,
        audience_unit=tree.c1,
        title="Phân số",
        status=Course.Status.DRAFT,
    )
    make_section(course=course, position=1, title="Phân số bằng nhau")
    return course_publish(actor=people.teacher, course=course)  # with its discussion and questions forums


@pytest.fixture
def topic(tree, people):
    course = make_course(
        unit=tree.g1,
        author=people.teacher,
        kind=Course.Kind.TOPIC,
        audience_unit=tree.g1,
        title="Dạy học STEM",
        status=Course.Status.DRAFT,
    )
    make_section(course=course, position=1, title="Kế hoạch bài dạy")
    return course_publish(actor=people.teacher, course=course)


def _text(html: str) -> str:
    """The page's words, folded to lower case (the words may start a sentence)."""
    return html.lower()


def _say(words: CourseWords, name: str) -> str:
    text = getattr(words, name)
    return text % {"n": 2, "total": 2} if name.endswith("_count") else str(text)


def test_every_kind_has_every_word_and_lessons_and_topics_have_their_own():
    fields = CourseWords.__dataclass_fields__
    with translation.override("vi"):
        for kind in Course.Kind.values:
            assert all(_say(WORDS[kind], name).strip() for name in fields), kind
        for kind in ("lesson", "topic"):
            for name in fields:
                text = _say(WORDS[kind], name).lower()
                assert not any(word.lower() in text for word in TRAINING_ONLY), (kind, name, text)
                assert text != _say(WORDS["training"], name).lower(), (kind, name)


def test_a_student_opening_a_class_lesson_reads_lesson_words(client, lesson, people, django_assert_max_num_queries):
    client.force_login(people.student)
    url = reverse("courses:course", args=[lesson.pk])
    with django_assert_max_num_queries(25):
        html = client.get(url).content.decode()
    page = _text(html)
    for word in ("giảng viên", "học viên", "đăng ký khóa học này"):
        assert word not in page, word
    assert "Vào học bài này" in html and "Giáo viên" in html
    assert "Vào học bài này để xem nội dung từng mục." in html

    response = client.post(reverse("courses:enrol", args=[lesson.pk]), follow=True)
    html = response.content.decode()
    assert "Em đã vào học bài này" in html and "Rời bài học" in html and "Vào học lúc" in html
    assert "Hỏi – Đáp với giáo viên" in html
    for word in ("giảng viên", "học viên", "đăng ký khóa học này"):
        assert word not in _text(html), word

    html = client.get(reverse("courses:withdraw", args=[lesson.pk])).content.decode()
    assert html.count("Rời bài học") >= 2 and "Rời khóa học" not in html
    assert "nếu vào học lại, em sẽ học tiếp" in html and "giảng viên" not in _text(html)


def test_the_teachers_people_page_and_list_count_students_for_a_lesson(client, lesson, people):
    enrol(course=lesson, user=people.student)
    enrol(course=lesson, user=people.student2)
    client.force_login(people.teacher)
    html = client.get(reverse("courses:progress", args=[lesson.pk])).content.decode()
    assert "Tiến độ của học sinh" in html and "2 học sinh đã vào học." in html and "Bài học có 1 mục." in html
    assert "học viên" not in _text(html)
    html = client.get(reverse("courses:course", args=[lesson.pk])).content.decode()
    assert "Giáo viên cùng dạy" in html and "Tiến độ của học sinh" in html
    assert "Đóng bài học? Sau đó không ai vào học thêm được nữa." in html
    html = client.get(reverse("courses:mine") + "?tab=teaching").content.decode()
    assert "2 học sinh" in html and "học viên" not in _text(html)


def test_a_topic_speaks_of_those_in_charge_and_participants(client, topic, people):
    client.force_login(people.teacher2)
    html = client.get(reverse("courses:course", args=[topic.pk])).content.decode()
    assert "Người phụ trách" in html and "Tham gia chuyên đề này" in html
    for word in ("giảng viên", "học viên", "đăng ký khóa học này"):
        assert word not in _text(html), word
    client.post(reverse("courses:enrol", args=[topic.pk]))
    client.force_login(people.teacher)
    html = client.get(reverse("courses:progress", args=[topic.pk])).content.decode()
    assert "Tiến độ của người tham gia" in html and "1 người đã tham gia." in html


def test_refusals_to_join_a_lesson_or_topic_use_their_words_and_change_nothing(tree, people, lesson, topic):
    Course.objects.filter(pk=lesson.pk).update(status=Course.Status.CLOSED)
    lesson.refresh_from_db()
    with pytest.raises(Exception) as refused:
        enrolment_register(actor=people.student, course=lesson)
    assert "Bài học đã đóng: không thể vào học thêm." in str(refused.value)
    with pytest.raises(Exception) as refused:
        enrolment_register(
            actor=people.student_c2,
            course=make_course(unit=tree.s1, author=people.teacher, kind=Course.Kind.LESSON, audience_unit=tree.c1),
        )
    assert "Bài học này không dành cho lớp của em." in str(refused.value)
    with pytest.raises(Exception) as refused:
        enrolment_register(actor=people.teacher3, course=topic)
    assert "Chuyên đề này không dành cho đơn vị của bạn." in str(refused.value)
    assert not lesson.enrolments.exists() and not topic.enrolments.exists()


def test_a_training_course_keeps_its_words(client, tree, people):
    course = make_course(unit=tree.s1, author=people.teacher, kind=Course.Kind.TRAINING)
    client.force_login(people.teacher2)
    html = client.get(reverse("courses:course", args=[course.pk])).content.decode()
    assert "Đăng ký khóa học này" in html and "Giảng viên" in html


def test_a_lessons_questions_forum_speaks_of_teachers(client, lesson, people):
    questions = owner_forums(owner=lesson)["questions"]
    enrol(course=lesson, user=people.student)
    client.force_login(people.student)
    html = client.get(reverse("forums:forum", args=[questions.pk])).content.decode()
    assert "Đặt câu hỏi cho giáo viên" in html and "Em đặt câu hỏi cho giáo viên tại đây." in html
    assert "giảng viên" not in _text(html)
    response = client.post(
        reverse("forums:thread_new", args=[questions.pk]),
        {"title": "Phân số bằng nhau là gì?", "body": "Em chưa hiểu ví dụ 2."},
        follow=True,
    )
    html = response.content.decode()
    assert "Đã gửi câu hỏi của em đến giáo viên." in html
    assert "Chỉ học sinh hỏi và giáo viên xem được câu hỏi này" in html and "giảng viên" not in _text(html)
    client.force_login(people.teacher)
    html = client.get(response.redirect_chain[-1][0]).content.decode()
    assert "Hiển thị cho cả lớp" in html and "giảng viên" not in _text(html)


def test_a_training_courses_questions_forum_keeps_its_words(client, tree, people):
    course = make_course(unit=tree.s1, author=people.teacher, kind=Course.Kind.TRAINING, status=Course.Status.DRAFT)
    course = course_publish(actor=people.teacher, course=course)
    enrol(course=course, user=people.teacher2)
    client.force_login(people.teacher2)
    html = client.get(reverse("forums:forum", args=[owner_forums(owner=course)["questions"].pk])).content.decode()
    assert "Đặt câu hỏi cho giảng viên" in html


def test_handing_in_work_to_a_lesson_is_refused_in_lesson_words(lesson, people):
    assignment = make_assignment(course=lesson)
    assert submitter_problem(people.student, assignment) == (
        "Chỉ học sinh đã vào học bài này mới nộp bài được. Em hãy vào học bài trước."
    )
    enrol(course=lesson, user=people.student)
    Course.objects.filter(pk=lesson.pk).update(status=Course.Status.CLOSED)
    assignment = type(assignment).objects.select_related("course").get(pk=assignment.pk)
    student = type(people.student).objects.get(pk=people.student.pk)  # no enrolment cached
    assert submitter_problem(student, assignment) == "Bài học đã đóng: không nhận bài nộp nữa."

"""Issue #12, words fit the content: a class lesson and a professional topic do not speak of instructors,
trainees or "register for this course"; their pages, buttons, counts and refusals take the words of their
kind from courses/wording.py, and a training course keeps its own."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from courses.models import Course, Submission
from courses.permissions import is_instructor
from courses.services.authoring import co_instructor_add, course_publish
from courses.services.enrolment import enrolment_add_unit, enrolment_register
from courses.services.live import live_session_create
from courses.services.submissions import submitter_problem
from courses.services.trash import content_delete
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


# --- the pages left behind: removal, trash, live sessions, co-instructors, how people came in, the people
# page's classes, the home page's teaching block, breadcrumbs --------------------------------------------

BANNED = ("giảng viên", "học viên", "đăng ký khóa học này")
PEOPLE_PAGE_QUERIES = 12  # 9 on SQLite: the source labels and counts add none
TRASH_PAGE_QUERIES = 15  # 12 on SQLite
GRADING_PAGE_QUERIES = 12  # 9 on SQLite


def _course_of_kind(kind, tree, people):
    """A published course of this kind with a section, an assignment, someone who registered on their own
    (`learner`) and someone in its audience who has not (`newcomer`)."""
    if kind == Course.Kind.LESSON:
        course = make_course(unit=tree.s1, author=people.teacher, kind=kind, audience_unit=tree.c1, title="Phân số")
        learner, newcomer, given = people.student, people.student2, tree.c1
    elif kind == Course.Kind.TOPIC:
        course = make_course(unit=tree.g1, author=people.teacher, kind=kind, audience_unit=tree.g1, title="STEM")
        learner, newcomer, given = people.teacher2, people.leader, tree.g1
    else:
        course = make_course(unit=tree.s1, author=people.teacher, kind=kind, title="GDPT 2018")
        learner, newcomer, given = people.teacher2, people.leader, tree.g1
    make_section(course=course, position=1)
    enrolment_register(actor=learner, course=course)
    return course, learner, newcomer, given


def _pages(client, course, people, learner, newcomer, given, max_queries) -> dict[str, str]:
    """Each page of the sweep, as its Vietnamese HTML; the list pages in a fixed number of queries."""
    assignment = make_assignment(course=course)
    submission = Submission.objects.create(
        assignment=assignment, learner=learner, submitted_by=learner, version=1, is_current=True
    )
    live_session_create(
        actor=people.teacher,
        course=course,
        title="Buổi ôn tập",
        starts_at=timezone.now() + timedelta(days=1),
        duration_minutes=45,
        tool="jitsi",
        url="https://meet.jit.si/on-tap",
    )
    pages = {}
    client.force_login(newcomer)
    pages["live list, not in yet"] = client.get(reverse("courses:live_sessions", args=[course.pk])).content.decode()
    client.force_login(learner)
    pages["course page, learner"] = client.get(reverse("courses:course", args=[course.pk])).content.decode()
    pages["hand in"] = client.get(reverse("courses:submission_create", args=[assignment.pk])).content.decode()
    client.force_login(people.teacher)
    enrolment_add_unit(actor=people.teacher, course=course, unit=given)
    get = lambda name, *args, query="": client.get(reverse(name, args=args) + query).content.decode()  # noqa: E731
    pages["delete course"] = get("courses:delete", "course", course.pk)
    pages["delete submission"] = get("courses:delete", "submission", submission.pk)
    pages["live form"] = get("courses:live_create", course.pk)
    pages["co-instructors"] = get("courses:co_instructors", course.pk, query="?q=Bình")
    with max_queries(PEOPLE_PAGE_QUERIES):
        pages["people"] = get("courses:progress", course.pk)
    pages["home"] = get("home")
    pages["edit form"] = get("courses:course_edit", course.pk)
    with max_queries(GRADING_PAGE_QUERIES):
        pages["grading"] = get("courses:grading", assignment.pk)
    pages["submission"] = get("courses:submission", submission.pk)
    response = client.post(
        reverse("courses:co_instructors", args=[course.pk]), {"user": people.teacher2.pk}, follow=True
    )
    pages["co-instructor added"] = response.content.decode()
    response = client.post(reverse("courses:course_close", args=[course.pk]), follow=True)
    pages["closed"] = response.content.decode()
    client.force_login(newcomer)
    pages["leave, came with the class"] = get("courses:withdraw", course.pk)
    client.force_login(people.teacher)
    content_delete(actor=people.teacher, obj=course)
    pages["removed course"] = get("courses:course", course.pk)
    with max_queries(TRASH_PAGE_QUERIES):
        pages["trash"] = get("courses:trash", course.unit_id)
    return pages


@pytest.mark.parametrize("kind", [Course.Kind.LESSON, Course.Kind.TOPIC])
def test_every_page_of_a_lesson_or_topic_speaks_its_words(client, tree, people, kind, django_assert_max_num_queries):
    course, learner, newcomer, given = _course_of_kind(kind, tree, people)
    words = WORDS[kind]
    pages = _pages(client, course, people, learner, newcomer, given, django_assert_max_num_queries)
    for name, html in pages.items():
        for word in BANNED:
            assert word not in _text(html), (name, word)
    assert str(words.removed_note) in pages["delete course"]
    assert str(words.submission_removed_note) in pages["delete submission"]
    assert str(words.live_notice) in pages["live form"]
    assert str(words.live_needs_enrolment) in pages["live list, not in yet"]
    assert str(words.co_instructors_note) % {"author": "Nguyễn Văn An"} in pages["co-instructors"]
    assert str(words.co_instructor_add) % {"unit": "Trường THCS Trần Phú"} in pages["co-instructors"]
    assert str(words.co_instructor_added) % {"name": "Trần Thị Bình"} in pages["co-instructor added"]
    assert str(words.source_self) in pages["course page, learner"] and str(words.source_self) in pages["people"]
    came_with = words.source_class if kind == Course.Kind.LESSON else words.source_prof_group
    assert str(came_with) in pages["people"]
    assert words.enrolled_with_count % {"n": 1 if kind == Course.Kind.LESSON else 2} in pages["people"]
    assert words.learners_count % {"n": 2 if kind == Course.Kind.LESSON else 3} in pages["home"]
    assert f'?kind={kind}">{words.catalogue}</a>' in pages["course page, learner"]
    assert (
        "Người tham gia không còn thấy" in pages["removed course"]
        or "Học sinh không còn thấy" in pages["removed course"]
    )
    assert f"{course.get_kind_display()}: “{course.title}”" in pages["trash"]
    assert str(words.audience_help) in pages["edit form"] and str(words.purpose_help) in pages["edit form"]
    assert str(words.closed_done) in pages["closed"]
    assert str(words.note_label) in pages["hand in"]
    assert f"<th>{words.learner}</th>" in pages["grading"] and str(words.learner) in pages["submission"]
    given_name = "6A1" if kind == Course.Kind.LESSON else "Tổ Khoa học tự nhiên"
    assert str(words.via_unit_note) % {"unit": given_name} in pages["leave, came with the class"]


def test_the_same_pages_of_a_training_course_keep_its_words(client, tree, people, django_assert_max_num_queries):
    course, learner, newcomer, given = _course_of_kind(Course.Kind.TRAINING, tree, people)
    pages = _pages(client, course, people, learner, newcomer, given, django_assert_max_num_queries)
    assert "với học viên" in pages["delete course"] and "Giảng viên và đơn vị" in pages["delete submission"]
    assert "Học viên đã đăng ký sẽ nhận được thông báo" in pages["live form"]
    assert "Hãy đăng ký khóa học để tham gia." in pages["live list, not in yet"]
    assert "Thêm đồng giảng viên từ" in pages["co-instructors"]
    assert "Tự đăng ký" in pages["people"] and "Tự đăng ký" in pages["course page, learner"]
    assert "học viên đăng ký theo lớp/tổ này" in pages["people"] and "học viên" in _text(pages["home"])
    assert "Học viên không còn thấy nội dung này" in pages["removed course"]
    assert "ngoài giảng viên của khóa học" in pages["edit form"] and "Học viên sẽ đạt được gì" in pages["edit form"]
    assert "Đã đóng khóa học" in pages["closed"] and "Ghi chú gửi giảng viên" in pages["hand in"]
    assert "Bạn được đăng ký theo Tổ Khoa học tự nhiên" in pages["leave, came with the class"]


def test_refusals_about_teaching_a_lesson_or_topic_use_its_words_and_change_nothing(tree, people, lesson, topic):
    with pytest.raises(ValidationError) as refused:
        enrolment_register(actor=people.teacher, course=lesson)
    assert refused.value.messages == ["Bạn dạy bài học này nên không vào học như học sinh."]
    with pytest.raises(ValidationError) as refused:
        enrolment_add_unit(actor=people.teacher2, course=lesson, unit=tree.c1)
    assert refused.value.messages == ["Chỉ giáo viên của bài học mới được giao bài học cho cả lớp hoặc tổ."]
    with pytest.raises(ValidationError) as refused:
        enrolment_add_unit(actor=people.teacher, course=lesson, unit=tree.c2)
    assert refused.value.messages == ["Hãy chọn một lớp hoặc tổ chuyên môn thuộc đối tượng của bài học."]
    with pytest.raises(ValidationError) as refused:
        co_instructor_add(actor=people.teacher, course=topic, user=people.other_school)
    assert "không thể là người phụ trách chuyên đề" in refused.value.messages[0]
    enrolment_register(actor=people.student, course=lesson)
    with pytest.raises(ValidationError) as refused:
        enrolment_register(actor=people.student, course=lesson)
    assert refused.value.messages == ["Em đã vào học bài này rồi."]
    assert lesson.enrolments.count() == 1 and not lesson.enrolled_units.exists()
    assert not is_instructor(people.other_school, topic)


def test_every_word_of_every_kind_is_translated_to_vietnamese():
    for kind in Course.Kind.values:
        for name in CourseWords.__dataclass_fields__:
            with translation.override("en"):
                english = _say(WORDS[kind], name)
            with translation.override("vi"):
                assert _say(WORDS[kind], name) != english, (kind, name)


def test_group_work_in_a_lesson_is_refused_in_lesson_words(lesson, people):
    assignment = make_assignment(course=lesson, per_group=True)
    enrol(course=lesson, user=people.student)
    student = type(people.student).objects.get(pk=people.student.pk)
    assert submitter_problem(student, assignment) == (
        "Đây là bài làm nhóm: em hãy tham gia một nhóm học tập của bài học trước; nhóm trưởng sẽ nộp bài cho nhóm."
    )
    assert not Submission.objects.filter(assignment=assignment).exists()


def test_making_a_lessons_question_visible_and_its_refusals_speak_of_the_class(client, lesson, people):
    """The questions forum's messages and the services' refusals read the same words as its pages."""
    from forums.models import Thread
    from forums.services import question_publish

    questions = owner_forums(owner=lesson)["questions"]
    enrol(course=lesson, user=people.student)
    client.force_login(people.student)
    client.post(
        reverse("forums:thread_new", args=[questions.pk]), {"title": "Rút gọn phân số?", "body": "Em chưa hiểu."}
    )
    thread = Thread.objects.get(forum=questions)
    with pytest.raises(ValidationError) as refused:
        question_publish(actor=people.student, thread=thread)
    assert refused.value.messages == ["Chỉ giáo viên mới có thể hiển thị câu hỏi cho cả lớp."]
    thread.refresh_from_db()
    assert not thread.is_public  # refused: nothing changed
    client.force_login(people.teacher)
    response = client.post(reverse("forums:question_publish", args=[thread.pk]), follow=True)
    html = _text(response.content.decode())
    assert "câu hỏi và các câu trả lời đã được hiển thị cho cả lớp." in html and "cả khóa học" not in html
    with pytest.raises(ValidationError) as again:
        question_publish(actor=people.teacher, thread=thread)
    assert again.value.messages == ["Câu hỏi này đã được hiển thị cho cả lớp."]


def test_learning_group_refusals_in_a_lesson_or_topic_use_its_words(tree, people, lesson, topic):
    from courses.services.enrolment import learning_group_register

    for course, expected in ((lesson, "giáo viên của bài học"), (topic, "người phụ trách chuyên đề")):
        with pytest.raises(ValidationError) as refused:
            learning_group_register(
                actor=people.student, course=course, name="Nhóm 1", scope="", leader=people.student, members=[]
            )
        assert expected in refused.value.messages[0] and "giảng viên" not in refused.value.messages[0]

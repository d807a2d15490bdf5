"""Issue #14, point 1: a transfer ends the access that came from the old school.

A permission matrix over every page that shows School S1's people or their work: a teacher T (author of
a course, moderator of a forum of the school, author of a test given in the course) and a pupil P
(enrolled, with work handed in, an attempt at the test, leader of a learning group) are allowed before
`transfer_accept` moves them to the sibling school S2, and refused after (404 or 403, as each page does
out of scope). Then what stays: T reads the course they wrote; their and P's work and posts stay, still
readable by the school's admin; the transfer's cleanup ends grants and enrolments with one audit entry
per app. The permission rule alone (a grant left behind by another path) is checked at the end.
"""

from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from guardian.shortcuts import assign_perm, get_perms

from accounts.models import AccountQuota, User
from accounts.services.lifecycle import transfer_accept, transfer_request
from courses.models import Enrolment, LearningGroup, Submission
from courses.permissions import TEACH_PERM, can_follow_learners, can_study, is_instructor
from courses.selectors.teaching import grading_queue, taught_courses
from courses.services.submissions import submission_create, submission_grade
from forums.models import Post
from forums.permissions import MODERATE_PERM, can_moderate_forum
from forums.selectors import forums_moderated_by
from forums.services import forum_for_owner, moderator_grant, post_reply, thread_create, unit_thread_create
from materials.models import Attempt, Quiz
from materials.selectors.quizzes import my_quizzes
from notifications.models import Notification
from tests.accounts.factories import complete_profile, make_person
from tests.courses.factories import enrol, make_assignment, make_course, make_section
from tests.materials.factories import make_question, make_quiz
from tests.materials.test_results import ESSAY, hand_in
from tests.units.factories import make_unit
from units.models import AuditEntry, Role, Unit
from units.services import role_assign, role_revoke

pytestmark = pytest.mark.usefixtures("english_pages")


def pdf(name="bai-thu-hoach.pdf"):
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf"
    )


@pytest.fixture
def world(tree):
    """School S1 with its people and their work, and a class and a group of S2 to move into."""
    AccountQuota.objects.create(school=tree.s1, teachers=10, students=10)
    AccountQuota.objects.create(school=tree.s2, teachers=10, students=10)
    w = SimpleNamespace(tree=tree)
    w.s2_class = Unit.objects.get(pk=make_unit(tree.s2, Unit.Kind.CLASS, "6B", grade=6).pk)
    w.admin = make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN, full_name="Quản Trị Một")
    w.admin2 = make_person(unit=tree.s2, role=Role.SCHOOL_ADMIN, full_name="Quản Trị Hai")
    w.teacher = complete_profile(make_person(unit=tree.g1, role=Role.TEACHER, full_name="Nguyễn Văn An"))
    w.colleague = complete_profile(make_person(unit=tree.g1, role=Role.TEACHER, full_name="Trần Thị Bình"))
    w.pupil = complete_profile(make_person(unit=tree.c1, role=Role.STUDENT, full_name="Hoàng Minh Em"))
    w.pupil2 = complete_profile(make_person(unit=tree.c1, role=Role.STUDENT, full_name="Đặng Thu Hà"))

    # A course of S1 written by T, taught with a co-instructor, and one where T is only co-instructor.
    w.course = make_course(unit=tree.s1, author=w.teacher, title="Khoa học tự nhiên 6")
    assign_perm(TEACH_PERM, w.colleague, w.course)
    w.section = make_section(course=w.course, body="<p>Bài giảng về tế bào</p>")
    w.cotaught = make_course(unit=tree.g1, author=w.colleague, title="Chuyên đề quang học")
    assign_perm(TEACH_PERM, w.teacher, w.cotaught)

    # P enrolled (on their own) with a learning group they lead, work handed in and graded.
    w.group = LearningGroup.objects.create(course=w.course, name="Nhóm Tế bào", leader=w.pupil, created_by=w.teacher)
    enrol(course=w.course, user=w.pupil, group=w.group)
    enrol(course=w.course, user=w.pupil2, group=w.group)
    enrol(course=w.cotaught, user=w.pupil)
    w.assignment = make_assignment(course=w.course, title="Báo cáo thực hành")
    w.submission = submission_create(actor=w.pupil, assignment=w.assignment, uploads=[pdf()])
    w.file = w.submission.files.get()
    w.graded_assignment = make_assignment(course=w.course, title="Bài thu hoạch 1")
    w.graded = submission_create(actor=w.pupil, assignment=w.graded_assignment, uploads=[pdf("bai-1.pdf")])
    submission_grade(actor=w.teacher, submission=w.graded, grade="8,5")

    # The course's discussion, where P and T wrote; a forum of the school that T moderates.
    w.discussion = forum_for_owner(owner=w.course, unit=tree.s1, title="Thảo luận")
    w.course_thread = thread_create(actor=w.pupil, forum=w.discussion, title="Câu hỏi", body="Em hỏi ạ")
    w.pupil_post = w.course_thread.posts.get()
    w.teacher_post = post_reply(actor=w.teacher, thread=w.course_thread, body="Thầy trả lời")
    w.school_thread = unit_thread_create(actor=w.pupil, unit=tree.s1, title="Góp ý", body="Ý kiến của em")
    w.school_forum = w.school_thread.forum
    w.school_post = w.school_thread.posts.get()
    moderator_grant(actor=w.admin, forum=w.school_forum, user=w.teacher)

    # A test T wrote, given in the course, with P's attempt (an essay waiting for a mark).
    single = make_question(author=w.teacher, unit=tree.g1)
    essay = make_question(author=w.teacher, unit=tree.g1, **ESSAY)
    w.quiz = make_quiz(author=w.teacher, unit=tree.g1, questions=[single, essay], course=w.course, max_attempts=3)
    w.attempt = hand_in(w.quiz, w.pupil, [(single, 0), (essay, "Bài làm tự luận")])
    w.essay_answer = w.attempt.answers.get(question=essay)
    return w


def transfer(w, person, unit):
    request = transfer_request(actor=w.admin, account=person, to_school=w.tree.s2)
    transfer_accept(actor=w.admin2, transfer=request, unit=unit)
    return User.objects.get(pk=person.pk)


def fresh(user):
    return User.objects.get(pk=user.pk)


# (who, url name, args from the world, method, POST data): every page of S1's people or their work.
MATRIX = [
    # The teacher, as the course's author and instructor
    ("teacher", "courses:progress", lambda w: [w.course.pk], "get", None),
    ("teacher", "courses:progress", lambda w: [w.course.pk], "xlsx", None),
    ("teacher", "courses:grading", lambda w: [w.assignment.pk], "get", None),
    ("teacher", "courses:submission", lambda w: [w.submission.pk], "get", None),
    ("teacher", "courses:submission", lambda w: [w.graded.pk], "get", None),
    ("teacher", "courses:submission_file", lambda w: [w.file.pk], "get", None),
    ("teacher", "courses:grades_export", lambda w: [w.course.pk], "get", None),
    ("teacher", "courses:assignment_grades_export", lambda w: [w.graded_assignment.pk], "get", None),
    ("teacher", "courses:grade", lambda w: [w.submission.pk], "post", lambda w: {"grade": "9"}),
    ("teacher", "courses:enrol_unit", lambda w: [w.course.pk], "post", lambda w: {"unit": w.tree.c2.pk}),
    ("teacher", "courses:co_instructors", lambda w: [w.course.pk], "get", None),
    ("teacher", "courses:learning_groups", lambda w: [w.course.pk], "get", None),
    ("teacher", "courses:learning_group", lambda w: [w.group.pk], "get", None),
    # …as co-instructor of a colleague's course
    ("teacher", "courses:progress", lambda w: [w.cotaught.pk], "get", None),
    ("teacher", "courses:course", lambda w: [w.cotaught.pk], "get", None),
    # …as the author of the course's test
    ("teacher", "materials:results", lambda w: [w.quiz.pk], "get", None),
    ("teacher", "materials:results_export", lambda w: [w.quiz.pk], "get", None),
    ("teacher", "materials:essay_queue", lambda w: [w.quiz.pk], "get", None),
    ("teacher", "materials:essay_grade", lambda w: [w.essay_answer.pk], "post", lambda w: {"score": "7"}),
    ("teacher", "materials:attempt_review", lambda w: [w.attempt.pk], "get", None),
    # …as a moderator: of the course's discussion (instructor) and of the school's forum (a grant)
    ("teacher", "forums:forum", lambda w: [w.discussion.pk], "get", None),
    ("teacher", "forums:post_hide", lambda w: [w.pupil_post.pk], "post", lambda w: {"reason": "Lạc đề"}),
    ("teacher", "forums:thread_lock", lambda w: [w.course_thread.pk], "post", lambda w: {"lock": "1"}),
    ("teacher", "forums:post_hide", lambda w: [w.school_post.pk], "post", lambda w: {"reason": "Lạc đề"}),
    # The pupil: studying, handing in, discussing, taking the course's test, leading a group
    ("pupil", "courses:course", lambda w: [w.course.pk], "get", None),
    ("pupil", "courses:submission_create", lambda w: [w.assignment.pk], "upload", None),
    ("pupil", "courses:learning_group", lambda w: [w.group.pk], "get", None),
    ("pupil", "courses:delete", lambda w: ["submission", w.submission.pk], "post", lambda w: {}),
    ("pupil", "forums:thread_new", lambda w: [w.discussion.pk], "post", lambda w: {"title": "Hỏi", "body": "Nội dung"}),
    ("pupil", "forums:thread", lambda w: [w.course_thread.pk], "get", None),
    ("pupil", "materials:take_start", lambda w: [w.quiz.pk], "get", None),
    ("pupil", "materials:take_start", lambda w: [w.quiz.pk], "post", lambda w: {}),
]
IDS = [f"{who}-{name}-{method}-{i}" for i, (who, name, _args, method, _data) in enumerate(MATRIX)]


def hit(client, w, user, name, args, method, data):
    client.force_login(user)
    url = reverse(name, args=args(w))
    if method == "get":
        return client.get(url)
    if method == "xlsx":
        return client.get(url, {"format": "xlsx"})
    if method == "upload":
        return client.post(url, {"files": [pdf("lan-2.pdf")], "note": "Lần hai"})
    return client.post(url, data(w))


@pytest.mark.parametrize(("who", "name", "args", "method", "data"), MATRIX, ids=IDS)
def test_allowed_before_the_transfer(client, world, who, name, args, method, data):
    w = world
    response = hit(client, w, getattr(w, who), name, args, method, data)
    assert response.status_code in (200, 302), response.status_code
    if method in ("post", "upload") and response.status_code == 302:
        assert "/dang-nhap" not in response["Location"]


@pytest.mark.parametrize(("who", "name", "args", "method", "data"), MATRIX, ids=IDS)
def test_refused_after_the_transfer(client, world, who, name, args, method, data):
    w = world
    unit = w.tree.g3 if who == "teacher" else w.s2_class
    person = transfer(w, getattr(w, who), unit)
    before = (
        Submission.objects.count(),
        Post.objects.count(),
        Attempt.objects.count(),
        Enrolment.objects.filter(withdrawn_at__isnull=True).count(),
    )
    response = hit(client, w, person, name, args, method, data)
    assert response.status_code in (403, 404), response.status_code
    # A refusal changes nothing: no grade, no hidden post, no locked thread, no new work or attempt.
    assert before == (
        Submission.objects.count(),
        Post.objects.count(),
        Attempt.objects.count(),
        Enrolment.objects.filter(withdrawn_at__isnull=True).count(),
    )
    submission = Submission.objects.get(pk=w.submission.pk)
    assert submission.grade is None and submission.deleted_at is None
    assert not Post.objects.filter(is_hidden=True).exists()
    assert not w.course_thread.__class__.objects.filter(is_locked=True).exists()
    w.essay_answer.refresh_from_db()
    assert w.essay_answer.credit is None


def test_the_teacher_home_lists_the_old_school_work_no_more(world):
    w = world
    assert grading_queue(user=w.teacher).total == 1
    assert {c.pk for c in taught_courses(user=w.teacher)} == {w.course.pk, w.cotaught.pk}
    assert list(my_quizzes(user=w.teacher)) == [w.quiz]
    teacher = transfer(w, w.teacher, w.tree.g3)
    assert grading_queue(user=teacher).total == 0
    assert taught_courses(user=teacher) == [] and not my_quizzes(user=teacher).exists()
    # Nor is the teacher told of the old school's pupils' work any more; the colleague still is.
    Notification.objects.all().delete()
    submission_create(actor=w.pupil2, assignment=w.assignment, uploads=[pdf("bai-ha.pdf")])
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {w.colleague.pk}


def test_the_teacher_keeps_reading_what_they_wrote_and_the_school_keeps_the_history(client, world):
    w = world
    teacher = transfer(w, w.teacher, w.tree.g3)
    client.force_login(teacher)
    page = client.get(reverse("courses:course", args=[w.course.pk]))
    assert page.status_code == 200 and "Bài giảng về tế bào" in page.text
    assert "Hoàng Minh Em" not in page.text  # no learner on the page they still read
    # Their posts and the grade they gave stay, attributed to them.
    assert Post.objects.get(pk=w.teacher_post.pk).author == teacher
    graded = Submission.objects.get(pk=w.graded.pk)
    assert graded.graded_by == teacher and str(graded.grade) == "8.50"
    assert Quiz.objects.get(pk=w.quiz.pk).author == teacher

    # The school's admin still sees the work, the grades and the discussion.
    client.force_login(fresh(w.admin))
    for url in (
        reverse("courses:progress", args=[w.course.pk]),
        reverse("courses:submission", args=[w.graded.pk]),
        reverse("courses:submission_file", args=[w.file.pk]),
        reverse("courses:grades_export", args=[w.course.pk]),
        reverse("materials:results", args=[w.quiz.pk]),
        reverse("forums:thread", args=[w.course_thread.pk]),
    ):
        assert client.get(url).status_code == 200, url
    thread = client.get(reverse("forums:thread", args=[w.course_thread.pk]))
    assert "Thầy trả lời" in thread.text


def test_the_pupil_keeps_their_own_work_readable(client, world):
    w = world
    pupil = transfer(w, w.pupil, w.s2_class)
    client.force_login(pupil)
    assert client.get(reverse("courses:submission", args=[w.graded.pk])).status_code == 200
    assert client.get(reverse("materials:attempt_review", args=[w.attempt.pk])).status_code == 200
    # The school still has it.
    assert Submission.objects.filter(learner=pupil).count() == 2
    assert Attempt.objects.filter(student=pupil).count() == 1


def test_the_transfer_ends_grants_and_enrolments_with_one_audit_entry_per_app(world):
    w = world
    teacher = transfer(w, w.teacher, w.tree.g3)
    assert TEACH_PERM.split(".")[1] not in get_perms(teacher, w.cotaught)
    assert MODERATE_PERM.split(".")[1] not in get_perms(teacher, w.school_forum)
    course_entry = AuditEntry.objects.get(action="course.departure", target_id=str(teacher.pk))
    assert course_entry.unit_id == w.tree.s1.pk and course_entry.actor == w.admin2
    assert course_entry.before == {"enrolments": [], "co_instructor": [w.cotaught.title]}
    forum_entry = AuditEntry.objects.get(action="forum_moderator_departure", target_id=str(teacher.pk))
    assert forum_entry.before == {"moderator_of": [w.school_forum.title]}
    # Still the author of what they wrote; the colleague's grant on T's course is untouched.
    assert w.course.__class__.objects.get(pk=w.course.pk).author == teacher
    assert "teach_course" in get_perms(w.colleague, w.course)

    pupil = transfer(w, w.pupil, w.s2_class)
    assert not Enrolment.objects.filter(user=pupil, withdrawn_at__isnull=True).exists()
    assert Enrolment.objects.filter(user=pupil).count() == 2  # ended, not deleted
    entry = AuditEntry.objects.get(action="course.departure", target_id=str(pupil.pk))
    assert sorted(entry.before["enrolments"]) == sorted([w.course.title, w.cotaught.title])


def test_the_rule_holds_for_grants_left_behind_by_another_path(world):
    """Without the transfer's cleanup: the roles at S1 taken back and others given at S2 by hand, the
    grant and the enrolments left in place; the permissions alone refuse."""
    w = world
    for unit, user, role in ((w.tree.g1, w.teacher, Role.TEACHER), (w.tree.c1, w.pupil, Role.STUDENT)):
        role_revoke(actor=w.admin, user=user, unit=unit, role=role)
    role_assign(actor=w.admin2, user=w.teacher, unit=w.tree.g3, role=Role.TEACHER)
    role_assign(actor=w.admin2, user=w.pupil, unit=w.s2_class, role=Role.STUDENT)
    teacher, pupil = fresh(w.teacher), fresh(w.pupil)
    assert "teach_course" in get_perms(teacher, w.cotaught)
    assert Enrolment.objects.filter(user=pupil, withdrawn_at__isnull=True).count() == 2
    assert not is_instructor(teacher, w.course) and not is_instructor(teacher, w.cotaught)
    assert not can_follow_learners(teacher, w.course)
    assert not can_moderate_forum(teacher, w.school_forum)
    assert w.school_forum.pk not in set(forums_moderated_by(user=teacher).values_list("pk", flat=True))
    assert not can_study(pupil, w.course)
    # And back at S1 (a teacher of S1 again), the author teaches their course again.
    role_assign(actor=w.admin, user=teacher, unit=w.tree.g2, role=Role.TEACHER)
    assert is_instructor(fresh(teacher), w.course)

"""The learner's home page: "Due next" with a "Hand in" button, upcoming live sessions, and "My
courses" with progress — the same few queries for 2 or 20 enrolments."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import Enrolment, LearningGroup, LiveSession, Submission
from courses.selectors.home import due_next, my_courses, upcoming_sessions
from tests.courses.factories import enrol, make_assignment, make_course, make_section

pytestmark = pytest.mark.django_db


def session(course, author, *, starts_in, title="Buổi học"):
    return LiveSession.objects.create(
        course=course,
        title=title,
        starts_at=timezone.now() + starts_in,
        url="https://meet.jit.si/x",
        created_by=author,
    )


@pytest.fixture
def course(tree, people):
    course = make_course(unit=tree.s1, author=people.teacher, title="Toán 6 nâng cao")
    for position in (1, 2, 3, 4):
        make_section(course=course, position=position)
    enrol(course=course, user=people.student)
    Enrolment.objects.filter(user=people.student).update(sections_done=1)
    return course


def test_due_next_lists_what_is_left_nearest_first(people, course):
    later = make_assignment(course=course, title="Sau", due_in=timedelta(days=5))
    sooner = make_assignment(course=course, title="Trước", due_in=timedelta(days=1))
    late_ok = make_assignment(course=course, title="Muộn vẫn nhận", due_in=timedelta(hours=-2), late_policy="mark_late")
    make_assignment(course=course, title="Hết hạn", due_in=timedelta(hours=-2), late_policy="refuse")
    done = make_assignment(course=course, title="Đã nộp", due_in=timedelta(days=2))
    Submission.objects.create(assignment=done, learner=people.student, submitted_by=people.student)
    assert [a.title for a in due_next(user=people.student)] == [late_ok.title, sooner.title, later.title]
    assert due_next(user=people.student)[0].is_overdue
    for i in range(5):
        make_assignment(course=course, title=f"Bài {i}", due_in=timedelta(days=10 + i))
    assert len(due_next(user=people.student)) == 5
    assert due_next(user=people.student2) == []  # not enrolled


def test_group_work_is_due_until_the_group_hands_it_in(people, course):
    enrol(course=course, user=people.student2)
    group = LearningGroup.objects.create(course=course, name="Nhóm 1", leader=people.student, created_by=people.teacher)
    Enrolment.objects.filter(course=course).update(group=group)
    work = make_assignment(course=course, title="Sản phẩm nhóm", per_group=True)
    member_view = due_next(user=people.student2)
    assert [a.title for a in member_view] == ["Sản phẩm nhóm"] and member_view[0].leader_submits
    assert not due_next(user=people.student)[0].leader_submits
    Submission.objects.create(assignment=work, group=group, submitted_by=people.student)
    assert due_next(user=people.student2) == []


def test_sessions_in_the_next_14_days_and_progress(people, course):
    session(course, people.teacher, starts_in=timedelta(days=20), title="Quá xa")
    session(course, people.teacher, starts_in=timedelta(hours=-3), title="Đã xong")
    running = session(course, people.teacher, starts_in=timedelta(minutes=-10), title="Đang diễn ra")
    soon = session(course, people.teacher, starts_in=timedelta(days=2), title="Sắp tới")
    rows = upcoming_sessions(user=people.student)
    assert [s.title for s in rows] == [running.title, soon.title] and rows[0].can_join and not rows[1].can_join
    [enrolment] = my_courses(user=people.student)
    assert (enrolment.live_sections, enrolment.percent) == (4, 25)


def page(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client.get(reverse("home"))


def test_home_page_has_the_hand_in_button(client, people, course):
    work = make_assignment(course=course, title="Bài thu hoạch số 1")
    session(course, people.teacher, starts_in=timedelta(days=1), title="Ôn tập trực tuyến")
    html = page(client, people.student).content.decode()
    assert 'data-testid="home-hand-in"' in html and reverse("courses:submission_create", args=[work.pk]) in html
    assert "Ôn tập trực tuyến" in html and "1 of 4 sections done (25%)" in html and 'data-progress="25"' in html


def test_empty_states_and_people_without_courses(client, people, course):
    html = page(client, people.student).content.decode()
    assert 'data-testid="nothing-due"' in html and "No live session in the next 14 days" in html
    html = page(client, people.student2).content.decode()
    assert 'data-testid="home-learning"' not in html


def test_home_queries_do_not_grow_with_courses(client, tree, people, django_assert_max_num_queries):
    def add_courses(start, stop):
        for i in range(start, stop):
            c = make_course(unit=tree.s1, author=people.teacher, title=f"Khóa {i}")
            make_section(course=c)
            make_assignment(course=c, title=f"Bài {i}")
            session(c, people.teacher, starts_in=timedelta(days=1), title=f"Buổi {i}")
            enrol(course=c, user=people.student)

    add_courses(0, 2)
    client.force_login(people.student)
    client.get(reverse("home"))
    with django_assert_max_num_queries(20) as two:
        response = client.get(reverse("home"))
    assert response.content.decode().count('data-testid="due-item"') == 2
    add_courses(2, 20)
    with django_assert_max_num_queries(len(two.captured_queries)) as twenty:
        response = client.get(reverse("home"))
    html = response.content.decode()
    assert html.count('data-testid="due-item"') == 5 and html.count('data-testid="session-item"') == 5
    assert html.count('class="progress-bar"') == 20
    assert len(twenty.captured_queries) == len(two.captured_queries)

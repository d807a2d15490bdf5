"""The home page's personal summary (issue #19 point 9, portal/summary.py): every list of a teacher's or a
student's home is rendered once and kept in the person's personal fragment for a minute; their own writes
show at once, nobody sees another person's summary, and the live parts (the header, unread notifications)
are never kept."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.models import Submission
from notifications.services import notify
from tests.accounts.factories import complete_profile, make_person
from tests.courses.factories import enrol, make_assignment, make_course, make_section
from units.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def cached(settings):
    settings.PERSONAL_CACHE_SECONDS = 60


@pytest.fixture
def people(tree):
    return SimpleNamespace(
        teacher=complete_profile(make_person(unit=tree.g1, role=Role.TEACHER, full_name="Nguyễn Văn An")),
        student=complete_profile(make_person(unit=tree.c1, role=Role.STUDENT, full_name="Hoàng Minh Em")),
        student2=complete_profile(make_person(unit=tree.c1, role=Role.STUDENT, full_name="Đặng Thu Hà")),
    )


@pytest.fixture
def course(tree, people):
    course = make_course(unit=tree.s1, author=people.teacher, title="Toán 6 nâng cao")
    make_section(course=course, position=1)
    enrol(course=course, user=people.student)
    return course


def home(client, user, language="en"):
    client.force_login(user)
    client.cookies["django_language"] = language
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode(), len(queries.captured_queries)


def test_the_summary_is_kept_and_says_when_it_was_computed(cached, client, people, course):
    make_assignment(course=course, title="Bài thu hoạch số 1")
    first, built = home(client, people.student)
    second, kept = home(client, people.student)
    assert 'data-testid="home-updated"' in first and "Summary updated at" in first
    assert first.count('data-testid="due-item"') == second.count('data-testid="due-item"') == 1
    assert 'data-testid="home-courses"' in second and "Toán 6 nâng cao" in second
    assert kept < built - 10  # the selectors did not run again
    # What someone else changes waits for the minute (the teacher adds work: not on the kept summary) ...
    make_assignment(course=course, title="Bài thu hoạch số 2", due_in=timedelta(days=3))
    assert "Bài thu hoạch số 2" not in home(client, people.student)[0]


def test_the_persons_own_write_shows_at_once(cached, client, people, course):
    work = make_assignment(course=course, title="Bài thu hoạch số 1")
    assert 'data-testid="home-hand-in"' in home(client, people.student)[0]
    pdf = SimpleUploadedFile("bai.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf")
    handed = client.post(reverse("courses:submission_create", args=[work.pk]), {"files": [pdf]})
    assert handed.status_code == 302 and Submission.objects.filter(assignment=work).exists()
    html = home(client, people.student)[0]
    assert 'data-testid="due-item"' not in html and 'data-testid="nothing-due"' in html


def test_nobody_sees_another_persons_summary(cached, client, people, course):
    make_assignment(course=course, title="Bài thu hoạch số 1")
    mine = home(client, people.student)[0]
    assert "Bài thu hoạch số 1" in mine and 'data-testid="home-my-marks"' in mine
    other = home(client, people.student2)[0]  # not enrolled
    assert "Bài thu hoạch số 1" not in other and 'data-testid="home-learning"' not in other
    teacher = home(client, people.teacher)[0]
    assert 'data-testid="home-teaching"' in teacher and 'data-testid="home-my-marks"' not in teacher
    assert 'data-testid="home-learning"' not in teacher and "Bài thu hoạch số 1" not in teacher
    assert people.student.full_name not in other and people.student.full_name not in teacher


def test_the_live_parts_are_never_kept(cached, client, people, course, django_capture_on_commit_callbacks):
    home(client, people.student)
    with django_capture_on_commit_callbacks(execute=True):  # the bell's count is dropped as notify() commits
        notify(recipients=[people.student], title="Có bài mới")
    html = home(client, people.student)[0]
    assert 'Notifications <span class="badge text-bg-danger">1</span>' in html


def test_each_language_has_its_summary(cached, client, people, course):
    assert "My courses" in home(client, people.student, "en")[0]
    assert "Khóa học của tôi" in home(client, people.student, "vi")[0]


def test_without_the_cache_the_page_says_no_time(client, people, course):
    assert 'data-testid="home-updated"' not in home(client, people.student)[0]

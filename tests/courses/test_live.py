"""Live sessions: the meeting link (https, the named tool's domain), who schedules, "Join" from 15
minutes before, and the learner's calendar page and .ics file."""

from datetime import timedelta
from unittest.mock import patch

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from courses.models import LiveSession
from courses.services.live import live_session_create, live_session_update
from notifications.models import Notification
from tests.courses.factories import enrol, make_assignment, make_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(tree, people):
    course = make_course(unit=tree.s1, author=people.teacher, title="Ôn tập Toán 6")
    enrol(course=course, user=people.student)
    return course


def schedule(
    course, actor, *, tool="jitsi", url="https://meet.jit.si/on-tap-toan-6", starts_in=timedelta(days=1), **extra
):
    return live_session_create(
        actor=actor,
        course=course,
        title=extra.pop("title", "Buổi ôn tập"),
        starts_at=timezone.now() + starts_in,
        duration_minutes=extra.pop("duration_minutes", 60),
        tool=tool,
        url=url,
    )


@pytest.mark.parametrize(
    ("tool", "url"),
    [
        ("jitsi", "https://meet.jit.si/lop-6a1"),
        ("jitsi", "https://jitsi.hanam.edu.vn/lop-6a1"),
        ("zoom", "https://us02web.zoom.us/j/123456"),
        ("teams", "https://teams.microsoft.com/l/meetup-join/abc"),
        ("meet", "https://meet.google.com/abc-defg-hij"),
        ("other", "https://hop.truong.edu.vn/phong-1"),
    ],
)
def test_good_links(people, course, tool, url):
    assert schedule(course, people.teacher, tool=tool, url=url).url == url


@pytest.mark.parametrize(
    ("tool", "url", "message"),
    [
        ("jitsi", "http://meet.jit.si/lop", "https://"),
        ("zoom", "https://zoom.example.com/j/1", "must be on zoom.us"),
        ("zoom", "https://evilzoom.us/j/1", "must be on zoom.us"),
        ("meet", "https://meet.google.com.evil.io/x", "must be on meet.google.com"),
        ("teams", "javascript:alert(1)", "https://"),
        ("other", "meet.jit.si/lop", "https://"),
    ],
)
def test_bad_links_are_refused(people, course, tool, url, message):
    with translation.override("en"), pytest.raises(ValidationError) as info:
        schedule(course, people.teacher, tool=tool, url=url)
    assert message in " ".join(info.value.messages)
    assert not LiveSession.objects.exists()


def test_only_instructors_schedule_and_learners_are_notified(people, course):
    with pytest.raises(ValidationError):
        schedule(course, people.student)
    Notification.objects.all().delete()
    session = schedule(course, people.teacher)
    assert Notification.objects.filter(recipient=people.student).count() == 1
    live_session_update(actor=people.teacher, session=session, starts_at=session.starts_at + timedelta(hours=1))
    assert Notification.objects.filter(recipient=people.student).count() == 2


def page(client, user, url, **kwargs):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client.get(url, **kwargs)


def test_join_shown_from_15_minutes_before(client, people, course):
    session = schedule(course, people.teacher, starts_in=timedelta(minutes=30))
    url = reverse("courses:live_sessions", args=[course.pk])
    html = page(client, people.student, url).content.decode()
    assert 'data-testid="join-later"' in html and session.url not in html
    with patch("django.utils.timezone.now", return_value=session.starts_at - timedelta(minutes=14)):
        html = page(client, people.student, url).content.decode()
    # "Join" goes through the portal's join step (teaching: it records who joined), never straight to the link.
    join = reverse("teaching:live_join", args=[session.pk])
    assert 'data-testid="join"' in html and join in html and session.url not in html
    with patch("django.utils.timezone.now", return_value=session.starts_at + timedelta(minutes=61)):
        html = page(client, people.student, url).content.decode()
    assert 'data-testid="join"' not in html and "Past sessions" in html


def test_session_pages_by_role_and_scope(client, people, course):
    schedule(course, people.teacher)
    list_url = reverse("courses:live_sessions", args=[course.pk])
    create_url = reverse("courses:live_create", args=[course.pk])
    assert page(client, people.student, list_url).status_code == 200
    assert page(client, people.other_school, list_url).status_code == 404
    assert page(client, people.teacher, create_url).status_code == 200
    assert page(client, people.student, create_url).status_code == 403
    assert page(client, people.other_school, create_url).status_code == 404
    session = LiveSession.objects.get()
    assert page(client, people.student, reverse("courses:live_edit", args=[session.pk])).status_code == 403
    assert page(client, people.other_school, reverse("courses:live_edit", args=[session.pk])).status_code == 404


def test_create_page_keeps_input_and_explains_a_bad_link(client, people, course):
    client.force_login(people.teacher)
    client.cookies["django_language"] = "en"
    data = {
        "title": "Sinh hoạt chuyên môn",
        "starts_at": (timezone.localtime() + timedelta(days=2)).strftime("%d/%m/%Y %H:%M"),
        "duration_minutes": "45",
        "tool": "zoom",
        "url": "https://meet.jit.si/abc",
    }
    response = client.post(reverse("courses:live_create", args=[course.pk]), data)
    html = response.content.decode()
    assert response.status_code == 200 and "must be on zoom.us" in html and "Sinh hoạt chuyên môn" in html
    response = client.post(reverse("courses:live_create", args=[course.pk]), {**data, "tool": "jitsi"})
    assert response.status_code == 302 and LiveSession.objects.get().duration_minutes == 45


def test_calendar_shows_my_deadlines_and_sessions_by_month(client, tree, people, course):
    due = make_assignment(course=course, title="Nộp bài ôn tập", due_in=timedelta(days=1))
    schedule(course, people.teacher, title="Buổi trực tuyến", starts_in=timedelta(days=1))
    elsewhere = make_course(unit=tree.s2, author=people.other_school, title="Khác trường")
    make_assignment(course=elsewhere, title="Không phải của em", due_in=timedelta(days=1))
    month = timezone.localtime(due.due_at).strftime("%Y-%m")
    html = page(client, people.student, reverse("courses:calendar") + f"?month={month}").content.decode()
    assert "Nộp bài ôn tập" in html and "Buổi trực tuyến" in html and "Không phải của em" not in html
    assert reverse("courses:submission_create", args=[due.pk]) in html
    html = page(client, people.student, reverse("courses:calendar") + "?month=2001-01").content.decode()
    assert 'data-testid="calendar-empty"' in html and "?month=2001-02" in html and "?month=2000-12" in html
    assert page(client, people.student, reverse("courses:calendar") + "?month=nonsense").status_code == 200


def test_calendar_ics(client, people, course):
    make_assignment(course=course, title="Bài, có; dấu", due_in=timedelta(days=3))
    schedule(course, people.teacher, title="Buổi 1")
    response = page(client, people.student, reverse("courses:calendar_ics"))
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/calendar")
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.count("BEGIN:VEVENT") == 2
    assert "Bài\\, có\\; dấu" in body and "URL:https://meet.jit.si/on-tap-toan-6" in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


# --- recordings (issue #17, point 4) ----------------------------------------------------------------------


def test_recordings_attached_on_the_sessions_page_and_shown_to_members(client, people, course):
    from courses.models import LiveRecording

    session = schedule(course, people.teacher)
    LiveSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() - timedelta(hours=3))
    add = reverse("courses:live_recording_add", args=[session.pk])
    listing = reverse("courses:live_sessions", args=[course.pk])
    client.force_login(people.teacher)
    refused = client.post(add, {"url": "javascript:alert(1)", "title": "x"}, follow=True)
    assert "must be a full web address" in refused.content.decode() or "địa chỉ web" in refused.content.decode()
    assert not LiveRecording.objects.exists()
    client.post(add, {"url": "https://youtu.be/ban-ghi-1", "title": "Bản ghi phần 1"})
    client.post(add, {"url": "https://drive.google.com/file/d/2"})
    assert list(LiveRecording.objects.values_list("title", flat=True)) == ["Bản ghi phần 1", ""]
    html = page(client, people.student, listing).content.decode()
    assert 'href="https://youtu.be/ban-ghi-1"' in html and "https://drive.google.com/file/d/2" in html
    assert 'data-testid="recording-form"' not in html  # learners read, instructors attach
    # Only the course's instructors attach or remove; others who see the course are refused.
    client.force_login(people.student)
    assert client.post(add, {"url": "https://youtu.be/x"}).status_code == 403
    client.force_login(people.other_school)
    assert client.post(add, {"url": "https://youtu.be/x"}).status_code == 404
    first = LiveRecording.objects.get(title="Bản ghi phần 1")
    client.force_login(people.student)
    assert client.post(reverse("courses:live_recording_remove", args=[first.pk])).status_code == 403
    client.force_login(people.teacher)
    client.post(reverse("courses:live_recording_remove", args=[first.pk]))
    first.refresh_from_db()
    assert first.is_deleted and first.deleted_by == people.teacher  # kept, removed softly
    html = page(client, people.student, listing).content.decode()
    assert "https://youtu.be/ban-ghi-1" not in html and "https://drive.google.com/file/d/2" in html


def test_sessions_page_queries_do_not_grow_with_recordings(client, people, course):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from courses.services.live import live_recording_add

    listing = reverse("courses:live_sessions", args=[course.pk])
    counts = []
    for n in (2, 8):
        while LiveSession.objects.count() < n:
            session = schedule(course, people.teacher, title=f"Buổi {LiveSession.objects.count()}")
            LiveSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() - timedelta(days=session.pk))
            live_recording_add(actor=people.teacher, session=session, url=f"https://youtu.be/{session.pk}")
        client.force_login(people.teacher)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(listing).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]

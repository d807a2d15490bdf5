"""Hỏi – Đáp of a course: a question is private to its asker and the instructors until an instructor
makes it public; instructors are told of each question and see unanswered ones first; an instructor's
reply marks it answered; the asker or an instructor accepts one reply. Course and learning-group forums
link back to the course and are moderated by the instructors."""

import sys
import types

import pytest
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import clear_url_caches, include, path, reverse

from courses.models import LearningGroup
from forums.models import Thread
from forums.permissions import can_moderate_forum, can_view_thread
from forums.selectors import forum_threads, moderation_queue
from forums.services import (
    answer_accept,
    answer_unaccept,
    forum_for_owner,
    post_hide,
    post_reply,
    question_publish,
    thread_create,
)
from notifications.models import Notification
from units.models import AuditEntry


def get(client, user, url, **kwargs):
    client.force_login(user)
    return client.get(url, **kwargs)


def post(client, user, url, data=None, **kwargs):
    client.force_login(user)
    return client.post(url, data or {}, **kwargs)


@pytest.fixture
def question(course_setup, people):
    return thread_create(
        actor=people.student, forum=course_setup.questions, title="Cách tính điểm?", body="Thưa thầy, ..."
    )


def test_a_question_is_private_and_the_instructors_are_told(course_setup, people, question):
    assert question.is_public is False and question.answered_at is None
    told = set(Notification.objects.values_list("recipient_id", flat=True))
    # The author and the co-instructor; not the asker, the other learner, nor the principal who oversees.
    assert told == {people.teacher.pk, people.teacher2.pk}
    note = Notification.objects.get(recipient=people.teacher)
    assert "Cách tính điểm?" in note.title and note.url == reverse("forums:thread", args=[question.pk])
    learner2 = course_setup.learner2
    assert not can_view_thread(learner2, question)
    for user in (people.student, people.teacher, people.teacher2, people.principal):
        assert can_view_thread(user, question), user
    assert list(forum_threads(forum=course_setup.questions, user=learner2)) == []
    assert list(forum_threads(forum=course_setup.questions, user=people.teacher)) == [question]


def test_question_pages_before_and_after_publishing(client, course_setup, people, question):
    learner2 = course_setup.learner2
    url = reverse("forums:thread", args=[question.pk])
    forum_url = reverse("forums:forum", args=[course_setup.questions.pk])
    assert get(client, learner2, url).status_code == 404
    assert question.title not in get(client, learner2, forum_url).content.decode()
    first = question.posts.get()
    assert get(client, learner2, reverse("forums:post", args=[first.pk])).status_code == 404
    assert post(client, learner2, url, {"body": "Em cũng hỏi"}).status_code == 404
    html = get(client, people.student, url).content.decode()
    assert 'data-testid="private-note"' in html and 'data-testid="publish"' not in html
    # Only a moderator may publish.
    assert post(client, people.student, reverse("forums:question_publish", args=[question.pk])).status_code == 404
    assert 'data-testid="publish"' in get(client, people.teacher, url).content.decode()
    post(client, people.teacher, reverse("forums:question_publish", args=[question.pk]))
    question.refresh_from_db()
    assert question.is_public
    assert AuditEntry.objects.filter(action="forum_question_publish").count() == 1
    assert get(client, learner2, url).status_code == 200
    assert question.title in get(client, learner2, forum_url).content.decode()
    with pytest.raises(ValidationError, match="already visible"):
        question_publish(actor=people.teacher, thread=question)


def test_discussion_threads_of_the_course_are_public(course_setup, people):
    thread = thread_create(actor=people.student, forum=course_setup.discussion, title="Chào lớp", body="Xin chào")
    assert thread.is_public and can_view_thread(course_setup.learner2, thread)
    assert Notification.objects.count() == 0


def test_a_moderator_reply_marks_the_question_answered(course_setup, people, question):
    post_reply(actor=people.student, thread=question, body="Bổ sung câu hỏi")
    question.refresh_from_db()
    assert question.answered_at is None
    post_reply(actor=people.teacher2, thread=question, body="Điểm tính theo ...")
    question.refresh_from_db()
    assert question.answered_at is not None and question.is_answered
    # The asker is told of the instructor's answer (asking follows the question).
    assert Notification.objects.filter(recipient=people.student, title__contains="replied").count() == 1


def test_unanswered_questions_come_first(client, course_setup, people, question):
    later = thread_create(actor=people.student, forum=course_setup.questions, title="Hạn nộp bài?", body="...")
    post_reply(actor=people.teacher, thread=question, body="Trả lời")  # now the most recent activity
    other = thread_create(actor=course_setup.learner2, forum=course_setup.questions, title="Tài liệu?", body="...")
    ordered = list(forum_threads(forum=course_setup.questions, user=people.teacher))
    assert ordered == [other, later, question]
    html = get(client, people.teacher, reverse("forums:forum", args=[course_setup.questions.pk])).content.decode()
    assert html.index("Tài liệu?") < html.index("Hạn nộp bài?") < html.index("Cách tính điểm?")
    assert html.count('data-testid="unanswered"') == 2 and html.count('data-testid="answered"') == 1
    # A learner sees only their own questions (and public ones).
    assert list(forum_threads(forum=course_setup.questions, user=people.student)) == [later, question]


def test_the_asker_accepts_an_answer(client, course_setup, people, question):
    answer = post_reply(actor=people.teacher, thread=question, body="Câu trả lời của thầy")
    other = post_reply(actor=people.student, thread=question, body="Em cảm ơn")
    url = reverse("forums:answer_accept", args=[answer.pk])
    post(client, people.student, url)
    question.refresh_from_db()
    assert question.accepted_post == answer
    assert get(client, course_setup.learner2, reverse("forums:thread", args=[question.pk])).status_code == 404
    html = get(client, people.student, reverse("forums:thread", args=[question.pk])).content.decode()
    assert 'data-testid="accepted-answer"' in html and 'data-testid="accepted-badge"' in html
    # The accepted answer is shown right under the question.
    assert html.index('data-testid="accepted-answer"') < html.index("Em cảm ơn")
    question_publish(actor=people.teacher, thread=question)
    # Another learner may not choose; the choice stays.
    assert post(client, course_setup.learner2, reverse("forums:answer_accept", args=[other.pk])).status_code == 404
    with pytest.raises(ValidationError):
        answer_accept(actor=course_setup.learner2, post=other)
    question.refresh_from_db()
    assert question.accepted_post == answer
    # The question itself cannot be its answer.
    with pytest.raises(ValidationError, match="cannot be its answer"):
        answer_accept(actor=people.student, post=question.posts.order_by("pk").first())
    # An instructor changes the choice; then clears it.
    answer_accept(actor=people.teacher, post=other)
    answer_unaccept(actor=people.teacher, thread=question)
    question.refresh_from_db()
    assert question.accepted_post is None and question.is_answered
    assert AuditEntry.objects.filter(action__startswith="forum_answer").count() == 3


def test_a_hidden_reply_stops_being_the_accepted_answer(course_setup, people, question):
    answer = post_reply(actor=people.teacher2, thread=question, body="Trả lời")
    answer_accept(actor=people.student, post=answer)
    post_hide(actor=people.teacher, post=answer, reason="Nhầm")
    question.refresh_from_db()
    assert question.accepted_post is None
    with pytest.raises(ValidationError, match="hidden"):
        answer_accept(actor=people.student, post=answer)


def test_asking_in_a_course_one_is_not_enrolled_in(client, course_setup, people):
    forum = course_setup.questions
    outsider = people.teacher3  # in the course's audience, not enrolled
    assert get(client, outsider, reverse("forums:forum", args=[forum.pk])).status_code == 404
    response = post(client, outsider, reverse("forums:thread_new", args=[forum.pk]), {"title": "Hỏi", "body": "?"})
    assert response.status_code == 404
    with pytest.raises(ValidationError, match="cannot post"):
        thread_create(actor=outsider, forum=forum, title="Hỏi", body="?")
    assert Thread.objects.count() == 0


def test_asking_from_the_page(client, course_setup, people):
    forum = course_setup.questions
    html = get(client, people.student, reverse("forums:forum", args=[forum.pk])).content.decode()
    assert "Ask the instructors" in html and 'data-testid="questions-note"' in html
    response = post(
        client, people.student, reverse("forums:thread_new", args=[forum.pk]), {"title": "Câu hỏi", "body": "Nội dung"}
    )
    thread = Thread.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("forums:thread", args=[thread.pk])
    assert not thread.is_public


def test_instructors_moderate_the_course_forums(client, course_setup, people, question):
    thread = thread_create(actor=people.student, forum=course_setup.discussion, title="Chủ đề", body="Mở đầu")
    reply = post_reply(actor=course_setup.learner2, thread=thread, body="Quảng cáo")
    teacher = people.teacher  # a plain teacher of the school: moderates only as the course's author
    assert can_moderate_forum(teacher, course_setup.discussion)
    assert not can_moderate_forum(course_setup.learner2, course_setup.discussion)
    assert get(client, course_setup.learner2, reverse("forums:post_hide", args=[reply.pk])).status_code == 404
    post(client, teacher, reverse("forums:post_hide", args=[reply.pk]), {"reason": "Spam"})
    reply.refresh_from_db()
    assert reply.is_hidden
    queue = moderation_queue(user=teacher)
    assert list(queue["hidden"]) == [reply]
    assert list(moderation_queue(user=people.teacher3)["hidden"]) == []
    html = get(client, teacher, reverse("forums:moderation")).content.decode()
    assert 'data-testid="hidden-row"' in html
    post(client, teacher, reverse("forums:thread_lock", args=[thread.pk]), {"lock": "1"})
    thread.refresh_from_db()
    assert thread.is_locked
    post(client, teacher, reverse("forums:post_restore", args=[reply.pk]))
    reply.refresh_from_db()
    assert not reply.is_hidden


def test_learning_group_forum_moderated_by_its_leader(course_setup, people):
    group = LearningGroup.objects.create(
        course=course_setup.course, name="Nhóm 1", leader=course_setup.learner2, created_by=people.teacher
    )
    forum = forum_for_owner(owner=group, unit=course_setup.course.unit, title="Nhóm 1")
    assert can_moderate_forum(course_setup.learner2, forum)
    hidden_thread = thread_create(actor=people.teacher, forum=forum, title="Việc nhóm", body="...")
    reply = post_reply(actor=people.teacher, thread=hidden_thread, body="x")
    post_hide(actor=course_setup.learner2, post=reply, reason="Lạc đề")
    assert list(moderation_queue(user=course_setup.learner2)["hidden"]) == [reply]
    assert list(moderation_queue(user=people.teacher2)["hidden"]) == [reply]  # a co-instructor of the course


def _urls_with_a_course_page():
    """The site's URLs, with a stand-in `courses:course` page added to the courses namespace in case the
    course page is not built yet (the first `courses` namespace listed is the one reversed)."""
    import courses.urls
    from truonghoc.urls import urlpatterns

    stand_in = path("thu/<int:pk>/", lambda request, pk: HttpResponse(), name="course")
    courses_urls = ([*courses.urls.urlpatterns, stand_in], "courses")
    return [path("khoa-hoc/", include(courses_urls)), *urlpatterns]


@pytest.fixture
def course_page_urls(settings):
    module = types.ModuleType("forums_test_urls")
    module.urlpatterns = _urls_with_a_course_page()
    sys.modules["forums_test_urls"] = module
    settings.ROOT_URLCONF = "forums_test_urls"
    clear_url_caches()
    yield
    clear_url_caches()
    del sys.modules["forums_test_urls"]


def test_course_forums_link_back_to_the_course(client, course_setup, people, course_page_urls):
    course = course_setup.course
    course_url = reverse("courses:course", args=[course.pk])
    html = get(client, people.student, reverse("forums:forum", args=[course_setup.discussion.pk])).content.decode()
    assert f'href="{course_url}" data-testid="course-link"' in html and course.title in html
    group = LearningGroup.objects.create(course=course, name="Nhóm 2", created_by=people.teacher)
    forum = forum_for_owner(owner=group, unit=course.unit, title="Nhóm 2")
    thread = thread_create(actor=people.teacher, forum=forum, title="Kế hoạch", body="...")
    html = get(client, people.teacher, reverse("forums:thread", args=[thread.pk])).content.decode()
    assert f'href="{course_url}" data-testid="course-link"' in html


def test_unit_forums_have_no_course_link(client, people, thread, course_page_urls):
    html = get(client, people.teacher, reverse("forums:thread", args=[thread.pk])).content.decode()
    assert 'data-testid="course-link"' not in html

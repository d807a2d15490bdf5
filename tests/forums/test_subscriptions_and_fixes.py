"""Following threads (authors and repliers follow; unfollowing stops notifications and sticks), moderators
replying in locked threads, and a 200-reply thread with files and an accepted answer costing the same
small number of queries as a 20-reply one."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forums.models import Post, PostAttachment, ThreadSubscription
from forums.services import (
    answer_accept,
    post_reply,
    thread_create,
    thread_follow,
    thread_lock,
    thread_unfollow,
)
from notifications.models import Notification

from .files import pdf, png


def post(client, user, url, data=None, **kwargs):
    client.force_login(user)
    return client.post(url, data or {}, **kwargs)


def told(thread_title: str) -> set[int]:
    return set(Notification.objects.filter(title__contains=thread_title).values_list("recipient_id", flat=True))


def test_authors_and_repliers_follow_automatically(thread, people):
    post_reply(actor=people.teacher2, thread=thread, body="Ý kiến")
    following = set(ThreadSubscription.objects.filter(thread=thread, following=True).values_list("user_id", flat=True))
    assert following == {people.teacher.pk, people.teacher2.pk}
    Notification.objects.all().delete()
    post_reply(actor=people.leader, thread=thread, body="Tổng kết")
    assert told(thread.title) == {people.teacher.pk, people.teacher2.pk}


def test_unfollowing_stops_notifications_even_after_replying_again(thread, people):
    post_reply(actor=people.teacher2, thread=thread, body="Ý kiến")
    thread_unfollow(actor=people.teacher2, thread=thread)
    post_reply(actor=people.teacher2, thread=thread, body="Thêm ý")  # does not subscribe again
    Notification.objects.all().delete()
    post_reply(actor=people.leader, thread=thread, body="Tổng kết")
    assert told(thread.title) == {people.teacher.pk}


def test_a_reader_follows_from_the_page(client, thread, people):
    url = reverse("forums:thread", args=[thread.pk])
    client.force_login(people.teacher3)
    assert 'data-testid="follow"' in client.get(url).content.decode()
    post(client, people.teacher3, reverse("forums:thread_follow", args=[thread.pk]), {"follow": "1"})
    assert 'data-testid="unfollow"' in client.get(url).content.decode()
    Notification.objects.all().delete()
    post_reply(actor=people.teacher2, thread=thread, body="Mới")
    assert told(thread.title) == {people.teacher.pk, people.teacher3.pk}
    post(client, people.teacher3, reverse("forums:thread_follow", args=[thread.pk]), {"follow": "0"})
    Notification.objects.all().delete()
    post_reply(actor=people.teacher2, thread=thread, body="Mới nữa")
    assert told(thread.title) == {people.teacher.pk}


def test_out_of_scope_cannot_follow(client, thread, people):
    response = post(client, people.other_school, reverse("forums:thread_follow", args=[thread.pk]), {"follow": "1"})
    assert response.status_code == 404
    with pytest.raises(ValidationError):
        thread_follow(actor=people.other_school, thread=thread)
    assert not ThreadSubscription.objects.filter(user=people.other_school).exists()


def test_a_follower_of_a_private_question_who_cannot_see_it_is_not_told(course_setup, people):
    question = thread_create(actor=people.student, forum=course_setup.questions, title="Riêng", body="...")
    with pytest.raises(ValidationError):
        thread_follow(actor=course_setup.learner2, thread=question)


def test_moderators_may_reply_in_a_locked_thread(client, thread, people):
    thread_lock(actor=people.principal, thread=thread)
    with pytest.raises(ValidationError, match="locked"):
        post_reply(actor=people.teacher2, thread=thread, body="Vẫn muốn nói")
    url = reverse("forums:thread", args=[thread.pk])
    response = post(client, people.teacher2, url, {"body": "Vẫn muốn nói"})
    assert response.status_code == 200 and "This thread is locked" in response.content.decode()
    assert 'id="reply-form"' not in response.content.decode()
    reply = post_reply(actor=people.leader, thread=thread, body="Tổ trưởng kết luận")  # leader manages G1
    assert reply.pk
    client.force_login(people.principal)
    assert 'id="reply-form"' in client.get(url).content.decode()
    assert post(client, people.principal, url, {"body": "Hiệu trưởng kết luận"}).status_code == 302
    assert thread.posts.count() == 3


def _fill(thread, people, course_setup, count: int) -> None:
    authors = [people.teacher, people.teacher2, people.student, course_setup.learner2]
    first = thread.posts.order_by("pk").first()
    posts = Post.objects.bulk_create(
        Post(thread=thread, author=authors[i % 4], body=f"<p>Trả lời {i}</p>", quoted=first if i % 3 else None)
        for i in range(count)
    )
    PostAttachment.objects.bulk_create(
        PostAttachment(post=p, name=f"tep-{p.pk}.pdf", size=100, file=f"forums/x/{p.pk}.pdf") for p in posts[::2]
    )
    thread.post_count += count
    thread.save(update_fields=["post_count"])


@pytest.mark.parametrize("who", ["teacher", "student"])
def test_thread_page_queries_do_not_grow_with_replies(client, course_setup, people, who, django_assert_max_num_queries):
    counts = []
    for size in (20, 200):
        question = thread_create(
            actor=people.student, forum=course_setup.questions, title=f"Q{size}", body="?", files=[pdf(), png()]
        )
        answer = post_reply(actor=people.teacher, thread=question, body="Đáp", files=[pdf()])
        answer_accept(actor=people.student, post=answer)
        _fill(question, people, course_setup, size)
        client.force_login(getattr(people, who))
        url = reverse("forums:thread", args=[question.pk])
        with django_assert_max_num_queries(25), CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200 and 'data-testid="accepted-answer"' in html
        assert html.count('data-testid="attachment"') >= 10
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_existing_participants_are_subscribed_by_the_migration(thread, people):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("forums.migrations.0003_questions_attachments_subscriptions")
    post_reply(actor=people.teacher2, thread=thread, body="Ý kiến")
    ThreadSubscription.objects.all().delete()
    migration.subscribe_existing_participants(apps, None)
    migration.subscribe_existing_participants(apps, None)  # running twice changes nothing
    rows = sorted(ThreadSubscription.objects.values_list("user_id", "following"))
    assert rows == sorted([(people.teacher.pk, True), (people.teacher2.pk, True)])


def test_a_course_threads_owner_is_read_once_with_the_relations_its_rules_need(client, course_setup, people):
    """forums.permissions.load_owner: the course, then its unit (OwnerRules.related), one row each; the
    generic link is not followed again."""
    question = thread_create(actor=people.student, forum=course_setup.questions, title="Hỏi", body="?")
    client.force_login(people.student)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("forums:thread", args=[question.pk])).status_code == 200
    courses = [q["sql"] for q in queries if 'FROM "courses_course"' in q["sql"]]
    assert len(courses) == 1 and 'WHERE "id" = ' in courses[0]
    course_unit = [
        q["sql"] for q in queries if f'FROM "units_unit" WHERE "id" = {course_setup.course.unit_id}' in q["sql"]
    ]
    assert len(course_unit) == 1  # the forum's unit is the course's (the same school): read once

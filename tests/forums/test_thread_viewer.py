"""The thread page works out its viewer's permissions once (forums.permissions.thread_viewer, issue #19
point 9) and writes the reply form's fields out rather than including components/field.html per field:
the same answers and the same markup as before."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.urls import reverse

from forums import permissions
from forums.forms import ReplyForm
from forums.permissions import (
    can_accept_answer,
    can_delete_thread,
    can_moderate_forum,
    can_publish_question,
    can_reply,
    thread_viewer,
)
from forums.services import question_publish, thread_create, thread_delete, thread_lock

pytestmark = pytest.mark.django_db


def one_by_one(user, thread):
    return {
        "is_moderator": can_moderate_forum(user, thread.forum),
        "may_accept": can_accept_answer(user, thread),
        "may_publish": can_publish_question(user, thread),
        "may_delete": can_delete_thread(user, thread),
        "may_reply": can_reply(user, thread),
    }


def at_once(user, thread):
    viewer = thread_viewer(user, thread)
    return {name: getattr(viewer, name) for name in one_by_one(user, thread)}


@pytest.mark.parametrize("state", ["open", "locked", "removed", "published"])
def test_the_viewer_helper_answers_as_the_checks_one_by_one(course_setup, forum, people, state):
    question = thread_create(actor=people.student, forum=course_setup.questions, title="Câu hỏi", body="...")
    discussion = thread_create(actor=people.teacher, forum=forum, title="Chủ đề", body="...")
    for thread, moderator in ((question, people.teacher), (discussion, people.leader)):
        if state == "locked":
            thread_lock(actor=moderator, thread=thread)
        elif state == "removed":
            thread_delete(actor=moderator, thread=thread)
        elif state == "published" and thread is question:
            question_publish(actor=moderator, thread=thread)
        thread.refresh_from_db()
        inactive = people.teacher3
        inactive.is_active = False
        viewers = [*vars(people).values(), course_setup.learner2, inactive, AnonymousUser()]
        answers = set()
        for user in viewers:
            expected = one_by_one(user, thread)
            assert at_once(user, thread) == expected, (state, thread.title, user)
            answers.add(tuple(expected.values()))
        assert len(answers) > 1  # the viewers differ: the comparison means something


def test_the_page_checks_moderation_once(client, forum, people, monkeypatch):
    thread = thread_create(actor=people.teacher, forum=forum, title="Chủ đề", body="...")
    calls = []
    check = permissions.can_moderate_forum

    def counting(user, forum):
        calls.append(forum.pk)
        return check(user, forum)

    monkeypatch.setattr(permissions, "can_moderate_forum", counting)
    client.force_login(people.teacher2)
    response = client.get(reverse("forums:thread", args=[thread.pk]))
    assert response.status_code == 200
    assert len(calls) == 1  # once for every question the page asks (it asked five times before)


def squeeze(html: str) -> str:
    return re.sub(r"\s+", " ", html).replace("> <", "><").strip()


@pytest.mark.parametrize("bound", [False, True])
def test_the_reply_form_is_the_fields_markup_written_out(client, forum, people, bound):
    """The reply form's fields look as components/field.html draws them, errors and help included."""
    thread = thread_create(actor=people.teacher, forum=forum, title="Chủ đề", body="...")
    client.force_login(people.teacher2)
    if bound:
        response = client.post(reverse("forums:thread", args=[thread.pk]), {"body": ""})
        form = ReplyForm({"body": ""})
        form.is_valid()
    else:
        response = client.get(reverse("forums:thread", args=[thread.pk]))
        form = ReplyForm(initial={})
    html = squeeze(response.content.decode())
    visible = [field for field in form if not field.is_hidden]
    assert [field.name for field in visible] == ["body", "files"]
    for field in visible:
        assert getattr(field.field.widget, "input_type", None) not in ("radio", "checkbox")  # the branches written out
        drawn = squeeze(render_to_string("components/field.html", {"field": field}))
        assert drawn in html, field.name
    if bound:
        assert "invalid-feedback" in html

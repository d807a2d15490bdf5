"""The thread page keeps its posts as a shared fragment (forums.views._posts_html, issue #19 point 9): built
once per page and permission class, never stale, and made each viewer's own (their links, their CSRF field)
on every request."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forums import views
from forums.services import post_delete, post_edit, post_hide, post_reply, thread_lock

pytestmark = pytest.mark.django_db


def page_of(client, user, thread):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("forums:thread", args=[thread.pk]))
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def posts_of(html: str) -> str:
    end = html.find('id="reply-form"')  # no reply form in a locked thread
    return html[html.index('<div id="posts">') : end if end > 0 else None]


@pytest.fixture
def builds(monkeypatch):
    """How many times the posts fragment was rendered."""
    calls = []
    render = views.render_to_string

    def counting(name, context=None, *args, **kwargs):
        if name.endswith("#posts"):
            calls.append(name)
        return render(name, context, *args, **kwargs)

    monkeypatch.setattr(views, "render_to_string", counting)
    return calls


def test_the_posts_are_rendered_once_for_readers_of_one_class(client, people, thread, builds):
    for i in range(5):
        post_reply(actor=people.teacher2, thread=thread, body=f"Trả lời {i}")
    first, first_queries = page_of(client, people.teacher, thread)
    second, second_queries = page_of(client, people.teacher, thread)
    assert len(builds) == 1
    assert second_queries < first_queries  # neither the posts nor their files are read again
    assert posts_of(first) == posts_of(second)
    assert first.count('data-testid="post"') == 6 and "Trả lời 4" in second
    page_of(client, people.teacher2, thread)  # another reader of the same class: the same fragment
    assert len(builds) == 1
    page_of(client, people.leader, thread)  # a moderator sees other buttons: a fragment of their own
    assert len(builds) == 2


@pytest.mark.parametrize("change", ["reply", "edit", "hide", "remove", "lock", "rename"])
def test_a_change_shows_on_the_next_request(client, people, thread, builds, change):
    reply = post_reply(actor=people.teacher2, thread=thread, body="Câu trả lời cũ")
    before, _ = page_of(client, people.teacher, thread)
    assert "Câu trả lời cũ" in before
    if change == "reply":
        post_reply(actor=people.leader, thread=thread, body="Câu trả lời mới")
        expected = "Câu trả lời mới"
    elif change == "edit":
        post_edit(actor=people.teacher2, post=reply, body="Câu trả lời đã sửa")
        expected = "Câu trả lời đã sửa"
    elif change == "hide":
        post_hide(actor=people.principal, post=reply, reason="Lạc đề")
        expected = 'data-testid="post-hidden"'
    elif change == "remove":
        post_delete(actor=people.teacher2, post=reply)
        expected = 'data-testid="post-removed"'
    elif change == "lock":
        thread_lock(actor=people.principal, thread=thread)
        expected = "This thread is locked"
    else:
        people.teacher2.full_name = "Trần Thị Bình Minh"
        people.teacher2.save(update_fields=["full_name"])
        expected = "Trần Thị Bình Minh"
    assert expected not in before
    after, _ = page_of(client, people.teacher, thread)
    assert expected in after
    assert len(builds) == 2  # built again, never answered from the entry of the state before
    if change == "lock":  # the quote links go with the lock
        assert "?quote=" in posts_of(before) and "?quote=" not in posts_of(after)


def test_each_viewer_sees_their_own_links_and_csrf_field(client, people, thread, builds):
    reply = post_reply(actor=people.teacher2, thread=thread, body="Của Bình")
    first = thread.posts.exclude(pk=reply.pk).get()
    edit_reply, edit_first = (reverse("forums:post_edit", args=[p.pk]) for p in (reply, first))
    report_reply, report_first = (reverse("forums:post_report", args=[p.pk]) for p in (reply, first))
    remove_reply, remove_first = (reverse("forums:post_delete", args=[p.pk]) for p in (reply, first))

    author, _ = page_of(client, people.teacher2, thread)
    assert edit_reply in author and remove_reply in author and report_reply not in author
    assert edit_first not in author and remove_first not in author and report_first in author

    reader, _ = page_of(client, people.teacher, thread)  # the same fragment, the first post is theirs
    assert len(builds) == 1
    assert edit_first in reader and remove_first in reader and report_first not in reader
    assert edit_reply not in reader and remove_reply not in reader and report_reply in reader
    assert "<!--viewer" not in author + reader

    # A moderator's fragment has forms: each moderator posts with their own CSRF field, and it works.
    post_hide(actor=people.principal, post=reply, reason="Lạc đề")
    restore = reverse("forums:post_restore", args=[reply.pk])
    form = re.compile(f'action="{restore}"><input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">')
    page_of(client, people.principal, thread)
    strict = Client(enforce_csrf_checks=True)
    html, _ = page_of(strict, people.leader, thread)
    assert "<!--viewer" not in html
    assert reverse("forums:post_delete", args=[first.pk]) in html  # a moderator removes anyone's post
    token = form.search(html)[1]
    assert strict.post(restore, {"csrfmiddlewaretoken": token}).status_code == 302
    reply.refresh_from_db()
    assert not reply.is_hidden


def test_a_blank_reply_forms_fields_are_drawn_once_for_every_thread(client, people, thread, forum, partials_rendered):
    from forums.services import thread_create

    rendered = partials_rendered(views)
    other = thread_create(actor=people.teacher, forum=forum, title="Chủ đề khác", body="...")
    first, _ = page_of(client, people.teacher2, thread)
    second, _ = page_of(client, people.teacher2, other)
    assert rendered.count("reply-fields") == 1
    fields = first[first.index('id="reply-form"') :]
    fields = fields[fields.index('name="csrfmiddlewaretoken"') :]
    fields = fields[fields.index(">") + 1 : fields.index('<button type="submit"')]
    assert 'name="body"' in fields and 'name="files"' in fields and fields in second
    client.force_login(people.teacher2)
    quoting = client.get(reverse("forums:thread", args=[thread.pk]), {"quote": first_post_id(thread)}).content.decode()
    assert f'name="quoted" value="{first_post_id(thread)}"' in quoting  # drawn for it, not the blank one


def first_post_id(thread) -> int:
    return thread.posts.order_by("pk").values_list("pk", flat=True)[0]

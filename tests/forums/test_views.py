"""The pages: right role, wrong role, wrong scope; replies with and without htmx; soft delete shown
in place; moderation pages; and a 200-reply thread that costs a fixed, small number of queries."""

from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from forums.models import Forum, Post, PostReport, Thread
from forums.services import (
    forum_national_create,
    post_delete,
    post_hide,
    post_reply,
    post_report,
    thread_delete,
)
from notifications.models import Notification

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def get(client, user, url, **kwargs):
    client.force_login(user)
    return client.get(url, **kwargs)


def post(client, user, url, data=None, **kwargs):
    client.force_login(user)
    return client.post(url, data or {}, **kwargs)


def test_anonymous_is_sent_to_login(client, forum):
    response = client.get(reverse("forums:forum", args=[forum.pk]))
    assert response.status_code == 302 and "/tai-khoan/" in response["Location"]


def test_unit_forum_page_writes_nothing_until_the_first_thread(client, tree, people):
    url = reverse("forums:unit_forum", args=[tree.s1.pk])
    response = get(client, people.teacher, url)
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="no-threads"' in html and tree.s1.name in html
    assert not Forum.objects.filter(unit=tree.s1).exists()
    # A refused first thread leaves no forum behind, and what was typed is kept.
    response = post(client, people.teacher, url, {"title": "Chủ đề đầu tiên", "body": "<script>x</script>"})
    assert response.status_code == 200 and "Write something" in response.content.decode()
    assert "Chủ đề đầu tiên" in response.content.decode()
    assert not Forum.objects.filter(unit=tree.s1).exists()
    response = post(client, people.teacher, url, {"title": "Chủ đề đầu tiên", "body": "Xin chào"})
    forum = Forum.objects.get(unit=tree.s1)
    thread = Thread.objects.get(forum=forum)
    assert response.status_code == 302 and response["Location"] == reverse("forums:thread", args=[thread.pk])
    response = get(client, people.teacher, url)
    assert response.status_code == 302 and response["Location"] == reverse("forums:forum", args=[forum.pk])
    assert Forum.objects.filter(unit=tree.s1).count() == 1
    assert get(client, people.other_school, url).status_code == 404
    assert post(client, people.other_school, url, {"title": "x", "body": "y"}).status_code == 404


@pytest.mark.parametrize("who", ["teacher", "teacher3", "principal"])
def test_forum_page_for_the_school(client, people, thread, who):
    response = get(client, getattr(people, who), reverse("forums:forum", args=[thread.forum_id]))
    assert response.status_code == 200
    html = response.content.decode()
    assert thread.title in html
    assert thread.created_at.astimezone(HCM).strftime("%d/%m/%Y %H:%M") in html


def test_students_see_their_school_forum_not_the_teachers_group(client, tree, people, thread):
    assert get(client, people.student, reverse("forums:forum", args=[thread.forum_id])).status_code == 404
    response = get(client, people.student, reverse("forums:unit_forum", args=[tree.s1.pk]), follow=True)
    assert response.status_code == 200 and tree.s1.name in response.content.decode()


@pytest.mark.parametrize("who", ["other_school", "student"])
def test_forum_and_thread_of_another_school_look_missing(client, people, thread, who):
    user = getattr(people, who)
    first = thread.posts.get()
    for url in (
        reverse("forums:forum", args=[thread.forum_id]),
        reverse("forums:thread", args=[thread.pk]),
        reverse("forums:post", args=[first.pk]),
        reverse("forums:post_report", args=[first.pk]),
    ):
        assert get(client, user, url).status_code == 404, url
    assert post(client, user, reverse("forums:thread", args=[thread.pk]), {"body": "x"}).status_code == 404
    assert thread.posts.count() == 1


def test_new_thread_from_the_forum_page(client, people, forum):
    response = post(
        client, people.teacher, reverse("forums:thread_new", args=[forum.pk]), {"title": "Chủ đề", "body": "Nội dung"}
    )
    thread = Thread.objects.get(title="Chủ đề")
    assert response.status_code == 302 and response["Location"] == reverse("forums:thread", args=[thread.pk])


def test_incomplete_profile_sees_a_clear_message(client, people, thread):
    html = get(client, people.incomplete, reverse("forums:thread", args=[thread.pk])).content.decode()
    assert "Please complete your profile before posting" in html
    response = post(client, people.incomplete, reverse("forums:thread", args=[thread.pk]), {"body": "Xin chào"})
    assert response.status_code == 200 and "Please complete your profile" in response.content.decode()
    assert thread.posts.count() == 1


def test_reply_without_javascript(client, people, thread):
    response = post(client, people.teacher2, reverse("forums:thread", args=[thread.pk]), {"body": "Trả lời"})
    reply = Post.objects.latest("pk")
    assert response.status_code == 302 and response["Location"].endswith(f"#post-{reply.pk}")
    html = client.get(response["Location"]).content.decode()
    assert "Trả lời" in html and reply.created_at.astimezone(HCM).strftime("%d/%m/%Y %H:%M") in html
    assert Notification.objects.filter(recipient=people.teacher).count() == 1


def test_reply_with_htmx_returns_only_the_new_post(client, people, thread):
    response = post(
        client,
        people.teacher2,
        reverse("forums:thread", args=[thread.pk]),
        {"body": "Qua htmx"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200 and "Qua htmx" in html and "<html" not in html
    assert html.count('data-testid="post"') == 1


def test_htmx_reply_error_replaces_the_form(client, people, thread):
    response = post(
        client,
        people.teacher2,
        reverse("forums:thread", args=[thread.pk]),
        {"body": "<script>x</script>"},
        HTTP_HX_REQUEST="true",
    )
    assert response["HX-Retarget"] == "#reply-form" and "Write something" in response.content.decode()
    assert thread.posts.count() == 1


def test_quote_button_prefills_the_reply(client, people, thread):
    first = thread.posts.get()
    html = get(
        client, people.teacher2, reverse("forums:thread", args=[thread.pk]) + f"?quote={first.pk}"
    ).content.decode()
    assert 'data-testid="quoting"' in html and f'value="{first.pk}"' in html
    post(client, people.teacher2, reverse("forums:thread", args=[thread.pk]), {"body": "Đồng ý", "quoted": first.pk})
    assert Post.objects.latest("pk").quoted == first


def test_script_never_reaches_the_page(client, people, thread):
    post(
        client,
        people.teacher2,
        reverse("forums:thread", args=[thread.pk]),
        {"body": '<p>Xin chào<script>alert("xss")</script><img src=x onerror=alert(1)></p>'},
    )
    html = get(client, people.teacher, reverse("forums:thread", args=[thread.pk])).content.decode()
    assert "Xin chào" in html and 'alert("xss")' not in html and "onerror" not in html


def test_soft_deleted_post_and_thread_show_who_and_when(client, people, thread):
    reply = post_reply(actor=people.teacher2, thread=thread, body="Sẽ xoá")
    post_delete(actor=people.teacher2, post=reply)
    reply.refresh_from_db()
    html = get(client, people.teacher, reverse("forums:thread", args=[thread.pk])).content.decode()
    when = reply.deleted_at.astimezone(HCM).strftime("%d/%m/%Y %H:%M")
    assert f"Removed by {people.teacher2.full_name} on {when}" in html and "Sẽ xoá" not in html
    thread_delete(actor=people.teacher, thread=thread)
    html = get(client, people.teacher2, reverse("forums:forum", args=[thread.forum_id])).content.decode()
    assert f"Thread removed by {people.teacher.full_name}" in html
    html = get(client, people.teacher2, reverse("forums:thread", args=[thread.pk])).content.decode()
    assert 'data-testid="thread-removed"' in html and "Mở đầu chủ đề" not in html


def test_delete_asks_for_confirmation(client, people, thread):
    reply = post_reply(actor=people.teacher2, thread=thread, body="Xoá tôi")
    url = reverse("forums:post_delete", args=[reply.pk])
    response = get(client, people.teacher2, url)
    assert response.status_code == 200 and 'data-testid="confirm-delete"' in response.content.decode()
    assert get(client, people.teacher3, url).status_code == 404  # not theirs, not a moderator
    post(client, people.teacher2, url)
    reply.refresh_from_db()
    assert reply.deleted_at is not None


def test_hidden_post_for_readers_and_moderators(client, people, thread):
    reply = post_reply(actor=people.teacher2, thread=thread, body="Nội dung bị ẩn")
    post_hide(actor=people.principal, post=reply, reason="Lạc đề")
    html = get(client, people.teacher, reverse("forums:thread", args=[thread.pk])).content.decode()
    assert 'data-testid="post-hidden"' in html and "Nội dung bị ẩn" not in html
    html = get(client, people.principal, reverse("forums:thread", args=[thread.pk])).content.decode()
    assert "Nội dung bị ẩn" in html and "Lạc đề" in html and "Show again" in html


def test_moderation_pages_by_role(client, people, thread):
    first = thread.posts.get()
    hide_url = reverse("forums:post_hide", args=[first.pk])
    assert get(client, people.teacher2, hide_url).status_code == 404
    assert (
        post(client, people.teacher2, reverse("forums:thread_lock", args=[thread.pk]), {"lock": "1"}).status_code == 404
    )
    assert get(client, people.principal, hide_url).status_code == 200
    post(client, people.principal, hide_url, {"reason": "Sai"})
    first.refresh_from_db()
    assert first.is_hidden
    post(client, people.principal, reverse("forums:post_restore", args=[first.pk]))
    first.refresh_from_db()
    assert not first.is_hidden
    post(client, people.leader, reverse("forums:thread_lock", args=[thread.pk]), {"lock": "1"})
    thread.refresh_from_db()
    assert thread.is_locked


def test_report_and_moderation_queue(client, people, thread):
    first = thread.posts.get()
    post(client, people.teacher2, reverse("forums:post_report", args=[first.pk]), {"reason": "Quảng cáo"})
    report = PostReport.objects.get()
    html = get(client, people.principal, reverse("forums:moderation")).content.decode()
    assert "Quảng cáo" in html and 'data-testid="report-row"' in html
    html = get(client, people.teacher3, reverse("forums:moderation")).content.decode()
    assert 'data-testid="no-reports"' in html
    assert post(client, people.teacher3, reverse("forums:report_resolve", args=[report.pk])).status_code == 404
    post(client, people.principal, reverse("forums:report_resolve", args=[report.pk]))
    report.refresh_from_db()
    assert report.resolved_by == people.principal


def test_moderators_page(client, people, forum):
    url = reverse("forums:moderators", args=[forum.pk])
    assert get(client, people.teacher, url).status_code == 404
    post(client, people.principal, url, {"action": "grant", "username": people.teacher3.username})
    html = get(client, people.principal, url).content.decode()
    assert people.teacher3.full_name in html
    response = post(client, people.principal, url, {"action": "grant", "username": people.other_school.username})
    assert "cannot see this forum" in response.content.decode()
    post(client, people.principal, url, {"action": "revoke", "user": people.teacher3.pk})
    assert 'data-testid="moderator"' not in get(client, people.principal, url).content.decode()


def test_edit_own_post_page(client, people, thread):
    first = thread.posts.get()
    url = reverse("forums:post_edit", args=[first.pk])
    assert get(client, people.teacher2, url).status_code == 404
    post(client, people.teacher, url, {"body": "Đã sửa"})
    first.refresh_from_db()
    assert first.body == "<p>Đã sửa</p>" and first.revisions.count() == 1
    assert "Edit history" in get(client, people.teacher, url).content.decode()


def test_national_forum_open_to_every_logged_in_person(client, people):
    forum = forum_national_create(actor=people.bo, subject="Toán", title="Dạy Toán")
    for user in (people.other_school, people.student, people.teacher):
        assert get(client, user, reverse("forums:forum", args=[forum.pk])).status_code == 200
    assert forum.title in get(client, people.teacher, reverse("forums:index")).content.decode()


def test_thread_of_200_replies_costs_a_fixed_number_of_queries(client, people, thread, django_assert_max_num_queries):
    authors = [people.teacher, people.teacher2, people.teacher3, people.leader, people.student]
    first = thread.posts.get()
    Post.objects.bulk_create(
        Post(thread=thread, author=authors[i % 5], body=f"<p>Trả lời {i}</p>", quoted=first if i % 3 else None)
        for i in range(200)
    )
    some = list(Post.objects.filter(thread=thread).order_by("pk")[1:6])
    post_hide(actor=people.principal, post=some[0], reason="x")
    post_delete(actor=people.teacher2, post=some[1])
    post_report(actor=people.teacher, post=some[2], reason="x")
    client.force_login(people.principal)
    url = reverse("forums:thread", args=[thread.pk])
    with django_assert_max_num_queries(15):
        response = client.get(url + "?page=2")
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="post"') == 50
    client.force_login(people.teacher)
    with django_assert_max_num_queries(15):
        response = client.get(url)
    assert response.status_code == 200


def test_forum_page_query_count(client, people, forum, django_assert_max_num_queries):
    for i in range(40):
        post(client, people.teacher, reverse("forums:thread_new", args=[forum.pk]), {"title": f"T{i}", "body": "x"})
    client.force_login(people.teacher2)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("forums:forum", args=[forum.pk]))
    assert response.content.decode().count('data-testid="thread-row"') == 30


def test_post_links_are_the_urls_reverse_gives(client, tree, people):
    """The thread page fills each post's links in from one reversal per kind (forums.views.PostLinks)."""
    from forums.views import PostLinks

    links = PostLinks(4321)
    assert links.permalink == reverse("forums:post", args=[4321])
    assert links.edit == reverse("forums:post_edit", args=[4321])
    assert links.report == reverse("forums:post_report", args=[4321])
    assert links.remove == reverse("forums:post_delete", args=[4321])
    assert links.hide == reverse("forums:post_hide", args=[4321])
    assert links.restore == reverse("forums:post_restore", args=[4321])
    assert links.accept == reverse("forums:answer_accept", args=[4321])


def test_the_thread_page_links_each_post_as_before(client, people, thread):
    reply = Post.objects.create(thread=thread, author=people.teacher2, body="<p>Trả lời</p>")
    page = get(client, people.teacher2, reverse("forums:thread", args=[thread.pk])).content.decode()
    for post in Post.objects.filter(thread=thread):
        assert f'href="{reverse("forums:post", args=[post.pk])}"' in page
    first = Post.objects.filter(thread=thread).exclude(pk=reply.pk).first()
    assert f'href="{reverse("forums:post_report", args=[first.pk])}"' in page  # another's post: report it
    assert f'href="{reverse("forums:post_edit", args=[reply.pk])}"' in page  # one's own: edit, remove
    assert f'href="{reverse("forums:post_delete", args=[reply.pk])}"' in page

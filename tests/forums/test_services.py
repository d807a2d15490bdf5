"""The discussion engine through its services: sanitising, notifications, edit history, reports,
moderation (guardian moderators and unit managers), soft delete, and every refusal leaving the
database as it was."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from guardian.shortcuts import assign_perm

from accounts.models import User
from forums.models import Forum, Post, PostReport, PostRevision, Thread
from forums.permissions import can_moderate_forum, can_view_forum
from forums.selectors import forums_moderated_by, moderation_queue
from forums.services import (
    clean_body,
    forum_for_unit,
    forum_national_create,
    moderator_grant,
    moderator_revoke,
    post_delete,
    post_edit,
    post_hide,
    post_reply,
    post_report,
    post_report_resolve,
    post_restore,
    thread_create,
    thread_delete,
    thread_lock,
    thread_unlock,
)
from notifications.models import Notification
from units.models import AuditEntry


def snapshot():
    return (
        Forum.objects.count(),
        Thread.objects.count(),
        list(Post.objects.values_list("pk", "body", "is_hidden", "deleted_at").order_by("pk")),
        PostRevision.objects.count(),
        PostReport.objects.filter(resolved_at__isnull=True).count(),
        list(Thread.objects.values_list("pk", "is_locked", "post_count", "deleted_at").order_by("pk")),
        Notification.objects.count(),
        AuditEntry.objects.filter(action__startswith="forum").count(),
    )


def refused(call, message: str | None = None):
    before = snapshot()
    with pytest.raises(ValidationError) as info:
        call()
    assert snapshot() == before
    if message:
        assert message in " ".join(info.value.messages)
    return info.value


# --- forums ---------------------------------------------------------------------------------


def test_forum_for_unit_is_created_once(tree):
    forum = forum_for_unit(unit=tree.g1)
    assert forum_for_unit(unit=tree.g1) == forum
    assert forum.title == tree.g1.name and forum.unit == tree.g1 and forum.unit_id is not None
    assert Forum.objects.filter(unit=tree.g1).count() == 1


def test_forum_must_have_unit_or_subject(db):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Forum.objects.create(title="Nowhere")


def test_national_forum_by_ministry_only(people):
    forum = forum_national_create(actor=people.bo, subject="Toán", title="Đổi mới phương pháp dạy Toán")
    assert forum.unit_id is None  # national: no unit, a subject
    assert can_view_forum(people.student, forum) and can_view_forum(people.other_school, forum)
    refused(lambda: forum_national_create(actor=people.teacher, subject="Văn", title="Ngữ văn"), "Ministry")


# --- posting and sanitising -----------------------------------------------------------------


def test_thread_create_with_opening_post(thread, people):
    assert thread.post_count == 1 and thread.author == people.teacher
    post = thread.posts.get()
    assert post.body == "<p>Mở đầu chủ đề.</p>"
    assert thread.created_at and post.created_at


@pytest.mark.parametrize(
    "raw",
    [
        "<p>Hi<script>alert(1)</script></p>",
        '<img src=x onerror="alert(1)">Hi',
        '<p onclick="alert(1)">Hi</p>',
        '<a href="javascript:alert(1)">Hi</a>',
        "<style>p{}</style><iframe src='//evil'></iframe>Hi",
    ],
)
def test_scripts_and_handlers_never_survive(raw):
    body = clean_body(raw)
    for bad in ("<script", "onerror", "onclick", "javascript:", "<img", "<iframe", "<style", "alert(1)"):
        assert bad not in body
    assert "Hi" in body


def test_allowed_formatting_is_kept():
    body = clean_body(
        "<p><strong>a</strong> <em>b</em> <u>c</u></p><ul><li>x</li></ul><blockquote>q</blockquote>"
        '<pre><code>x = 1</code></pre><a href="https://moet.gov.vn" target="_blank">link</a><h1>t</h1>'
    )
    for kept in ("<strong>a</strong>", "<em>b</em>", "<u>c</u>", "<li>x</li>", "<blockquote>q</blockquote>", "x = 1"):
        assert kept in body
    assert '<a href="https://moet.gov.vn" rel="noopener nofollow">link</a>' in body
    # Issue #12: exactly what the editor makes survives; code blocks are not among it (their text stays).
    assert "<h1>" not in body and "target" not in body and "<code>" not in body and "<pre>" not in body


def test_plain_text_becomes_escaped_paragraphs():
    assert clean_body("Dòng 1\nDòng 2\n\nĐoạn 2 a < b") == "<p>Dòng 1<br>Dòng 2</p>\n\n<p>Đoạn 2 a &lt; b</p>"


def test_script_only_post_is_refused(thread, people):
    refused(lambda: post_reply(actor=people.teacher2, thread=thread, body="<script>alert(1)</script>"), "Write")
    refused(lambda: thread_create(actor=people.teacher, forum=thread.forum, title="T", body="  "), "Write")
    refused(lambda: thread_create(actor=people.teacher, forum=thread.forum, title=" ", body="x"), "title")


def test_incomplete_profile_cannot_post(thread, people):
    error = refused(
        lambda: post_reply(actor=people.incomplete, thread=thread, body="Xin chào"), "complete your profile"
    )
    assert "email" in " ".join(error.messages)
    refused(lambda: thread_create(actor=people.incomplete, forum=thread.forum, title="T", body="x"), "profile")


def test_inactive_account_cannot_post(thread, people):
    User.objects.filter(pk=people.teacher2.pk).update(is_active=False)
    people.teacher2.refresh_from_db()
    refused(lambda: post_reply(actor=people.teacher2, thread=thread, body="x"), "not active")


def test_out_of_scope_cannot_post(thread, people):
    refused(lambda: post_reply(actor=people.other_school, thread=thread, body="x"), "cannot post")


def test_locked_thread_refuses_replies(thread, people):
    thread_lock(actor=people.principal, thread=thread)
    refused(lambda: post_reply(actor=people.teacher2, thread=thread, body="x"), "locked")
    thread_unlock(actor=people.principal, thread=thread)
    post_reply(actor=people.teacher2, thread=thread, body="x")


def test_quote_must_be_in_the_same_thread(thread, people):
    other = thread_create(actor=people.teacher2, forum=thread.forum, title="Khác", body="Bài khác")
    refused(lambda: post_reply(actor=people.teacher, thread=thread, body="x", quoted=other.posts.get()), "quoted")
    first = thread.posts.get()
    reply = post_reply(actor=people.teacher2, thread=thread, body="Đồng ý", quoted=first)
    assert reply.quoted == first


def test_reply_counts_and_notifies_each_other_participant_once(thread, people):
    post_reply(actor=people.teacher2, thread=thread, body="Ý kiến 1")
    post_reply(actor=people.teacher2, thread=thread, body="Ý kiến 2")
    Notification.objects.all().delete()
    post_reply(actor=people.leader, thread=thread, body="Tổng kết")
    recipients = sorted(Notification.objects.values_list("recipient_id", flat=True))
    assert recipients == sorted([people.teacher.pk, people.teacher2.pk])
    thread.refresh_from_db()
    assert thread.post_count == 4 and thread.reply_count == 3
    note = Notification.objects.get(recipient=people.teacher)
    assert thread.title in note.title and note.url.startswith("/dien-dan/bai/")


def test_author_replying_alone_notifies_nobody(thread, people):
    Notification.objects.all().delete()
    post_reply(actor=people.teacher, thread=thread, body="Bổ sung")
    assert Notification.objects.count() == 0


# --- editing --------------------------------------------------------------------------------


def test_edit_keeps_revisions(thread, people):
    post = thread.posts.get()
    post_edit(actor=people.teacher, post=post, body="Bản <strong>mới</strong><script>x</script>")
    post.refresh_from_db()
    assert post.body == "Bản <strong>mới</strong>"
    assert list(post.revisions.values_list("body", flat=True)) == ["<p>Mở đầu chủ đề.</p>"]
    assert post.was_edited or post.updated_at >= post.created_at


def test_only_the_author_edits_and_not_when_locked(thread, people):
    post = thread.posts.get()
    refused(lambda: post_edit(actor=people.teacher2, post=post, body="x"), "Only the author")
    thread_lock(actor=people.principal, thread=thread)
    refused(lambda: post_edit(actor=people.teacher, post=post, body="x"), "locked")


def test_edit_window_of_the_forum(thread, people):
    Forum.objects.filter(pk=thread.forum_id).update(edit_window_minutes=30)
    post = thread.posts.get()
    Post.objects.filter(pk=post.pk).update(created_at=post.created_at - timedelta(hours=1))
    refused(lambda: post_edit(actor=people.teacher, post=post, body="x"), "30 minutes")


# --- reports and moderation -----------------------------------------------------------------


def test_report_once_not_own(thread, people):
    post = thread.posts.get()
    report = post_report(actor=people.teacher2, post=post, reason="Lạc đề")
    assert report.resolved_at is None
    refused(lambda: post_report(actor=people.teacher2, post=post, reason="Again"), "already reported")
    refused(lambda: post_report(actor=people.teacher, post=post, reason="x"), "own post")
    refused(lambda: post_report(actor=people.teacher3, post=post, reason=" "), "Say what")


def test_guardian_moderator_hides_and_restores(thread, people):
    post = thread.posts.get()
    post_report(actor=people.teacher3, post=post, reason="Spam")
    assert not can_moderate_forum(people.teacher2, thread.forum)
    refused(lambda: post_hide(actor=people.teacher2, post=post, reason="x"), "moderators")
    assign_perm("forums.moderate_forum", people.teacher2, thread.forum)
    people.teacher2 = User.objects.get(pk=people.teacher2.pk)  # fresh permission cache
    post_hide(actor=people.teacher2, post=post, reason="Quảng cáo")
    post.refresh_from_db()
    assert post.is_hidden and post.hidden_by == people.teacher2 and post.hidden_reason == "Quảng cáo"
    assert not PostReport.objects.filter(resolved_at__isnull=True).exists()  # hiding resolves the reports
    assert AuditEntry.objects.filter(action="forum_post_hide", target_id=str(post.pk)).exists()
    refused(lambda: post_hide(actor=people.teacher2, post=post, reason="x"), "already hidden")
    post_restore(actor=people.teacher2, post=post)
    post.refresh_from_db()
    assert not post.is_hidden and post.hidden_by is None
    assert AuditEntry.objects.filter(action="forum_post_restore").exists()


def test_unit_manager_moderates_without_a_grant(thread, people):
    assert can_moderate_forum(people.principal, thread.forum)
    assert can_moderate_forum(people.leader, thread.forum)  # group leader manages the group
    post = thread.posts.get()
    post_hide(actor=people.principal, post=post, reason="Sai quy định")
    thread_lock(actor=people.leader, thread=thread)
    thread.refresh_from_db()
    assert thread.is_locked
    refused(lambda: thread_lock(actor=people.leader, thread=thread), "already locked")
    refused(lambda: thread_unlock(actor=people.teacher, thread=thread), "moderators")


def test_moderator_grant_and_revoke(forum, people):
    moderator_grant(actor=people.principal, forum=forum, user=people.teacher3)
    assert can_moderate_forum(User.objects.get(pk=people.teacher3.pk), forum)
    assert forum in forums_moderated_by(user=User.objects.get(pk=people.teacher3.pk))
    moderator_revoke(actor=people.principal, forum=forum, user=people.teacher3)
    assert not can_moderate_forum(User.objects.get(pk=people.teacher3.pk), forum)
    refused(lambda: moderator_grant(actor=people.teacher, forum=forum, user=people.teacher2), "cannot appoint")
    refused(lambda: moderator_grant(actor=people.principal, forum=forum, user=people.other_school), "cannot see")


def test_moderation_queue(thread, people):
    post = post_reply(actor=people.teacher2, thread=thread, body="Nội dung")
    report = post_report(actor=people.teacher, post=post, reason="Lạc đề")
    hidden = post_reply(actor=people.teacher2, thread=thread, body="Khác")
    post_hide(actor=people.principal, post=hidden, reason="x")
    queue = moderation_queue(user=people.principal)
    assert list(queue["reports"]) == [report] and list(queue["hidden"]) == [hidden]
    for outsider in (people.teacher, people.other_school, people.student):
        queue = moderation_queue(user=outsider)
        assert not queue["reports"].exists() and not queue["hidden"].exists()
    post_report_resolve(actor=people.principal, report=report)
    assert not moderation_queue(user=people.principal)["reports"].exists()


# --- soft delete ----------------------------------------------------------------------------


def test_post_delete_is_soft(thread, people):
    reply = post_reply(actor=people.teacher2, thread=thread, body="Nhầm")
    refused(lambda: post_delete(actor=people.teacher3, post=reply), "cannot remove")
    post_delete(actor=people.teacher2, post=reply)
    reply.refresh_from_db()
    assert reply.deleted_by == people.teacher2 and reply.deleted_at and reply.body == "<p>Nhầm</p>"
    refused(lambda: post_delete(actor=people.teacher2, post=reply), "already been removed")
    refused(lambda: post_edit(actor=people.teacher2, post=reply, body="x"), "removed")


def test_moderator_deletes_thread_with_audit(thread, people):
    refused(lambda: thread_delete(actor=people.teacher2, thread=thread), "cannot remove")
    thread_delete(actor=people.principal, thread=thread)
    thread.refresh_from_db()
    assert thread.deleted_by == people.principal and Thread.objects.filter(pk=thread.pk).exists()
    assert AuditEntry.objects.filter(action="forum_thread_delete").exists()
    refused(lambda: post_reply(actor=people.teacher2, thread=thread, body="x"), "removed")

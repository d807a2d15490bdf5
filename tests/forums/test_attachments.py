"""Files on posts: checked by content, at most 5 of at most 20 MB, stored privately, shown under the post
(images as previews) and served only to those who may see the post. Every refusal leaves no post and no
file behind."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from forums.models import Post, PostAttachment, Thread
from forums.services import post_delete, post_hide, post_reply, thread_create

from .files import exe_as_pdf, pdf, png, png_bytes


def get(client, user, url, **kwargs):
    client.force_login(user)
    return client.get(url, **kwargs)


def post(client, user, url, data=None, **kwargs):
    client.force_login(user)
    return client.post(url, data or {}, **kwargs)


def stored_files(settings) -> list:
    root = settings.PRIVATE_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def discussion_thread(course_setup, people):
    return thread_create(actor=people.teacher, forum=course_setup.discussion, title="Tài liệu tuần 1", body="...")


def test_reply_with_files_from_the_page(client, settings, course_setup, people, discussion_thread):
    url = reverse("forums:thread", args=[discussion_thread.pk])
    response = post(client, people.student, url, {"body": "Bài của em", "files": [pdf("Bài làm.pdf"), png()]})
    assert response.status_code == 302
    reply = Post.objects.latest("pk")
    files = list(reply.attachments.order_by("pk"))
    assert [(f.name, f.is_image) for f in files] == [("Bài làm.pdf", False), ("hinh.png", True)]
    assert len(stored_files(settings)) == 2
    html = get(client, course_setup.learner2, url).content.decode()
    image_url = reverse("forums:attachment", args=[files[1].pk])
    assert f'<img src="{image_url}"' in html and "Bài làm.pdf" in html
    download = get(client, course_setup.learner2, reverse("forums:attachment", args=[files[0].pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF-")
    assert download["Content-Type"] == "application/pdf"
    image = get(client, course_setup.learner2, image_url)
    assert image["Content-Type"] == "image/png" and b"".join(image.streaming_content) == png_bytes()


def test_a_new_thread_with_files(client, course_setup, people):
    forum = course_setup.discussion
    response = post(
        client,
        people.student,
        reverse("forums:thread_new", args=[forum.pk]),
        {"title": "Có tệp", "body": "Xem tệp", "files": [pdf()]},
    )
    thread = Thread.objects.get()
    assert response.status_code == 302 and thread.posts.get().attachments.count() == 1


def test_downloads_follow_the_post(client, course_setup, people, discussion_thread):
    reply = post_reply(actor=people.student, thread=discussion_thread, body="Tệp", files=[pdf()])
    attachment = reply.attachments.get()
    url = reverse("forums:attachment", args=[attachment.pk])
    for outsider in (people.teacher3, people.other_school):  # not enrolled; another school
        assert get(client, outsider, url).status_code == 404
    post_hide(actor=people.teacher, post=reply, reason="Sai tệp")
    assert get(client, course_setup.learner2, url).status_code == 404
    assert get(client, people.teacher, url).status_code == 200
    html = get(client, course_setup.learner2, reverse("forums:thread", args=[discussion_thread.pk])).content.decode()
    assert url not in html


def test_files_of_a_removed_post_only_for_moderators(client, course_setup, people, discussion_thread):
    reply = post_reply(actor=people.student, thread=discussion_thread, body="Tệp", files=[png()])
    post_delete(actor=people.student, post=reply)
    url = reverse("forums:attachment", args=[reply.attachments.get().pk])
    assert get(client, people.student, url).status_code == 404
    assert get(client, people.teacher2, url).status_code == 200


def test_files_of_a_private_question_stay_private(client, course_setup, people):
    question = thread_create(
        actor=people.student, forum=course_setup.questions, title="Bài của em", body="...", files=[pdf()]
    )
    url = reverse("forums:attachment", args=[question.posts.get().attachments.get().pk])
    assert get(client, course_setup.learner2, url).status_code == 404
    assert get(client, people.teacher, url).status_code == 200


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([exe_as_pdf()], "is named .pdf but its content is not"),
        ([pdf(f"{i}.pdf") for i in range(6)], "at most 5 files"),
        ([pdf(), exe_as_pdf("b.pdf")], "b.pdf"),
        ([pdf("bai.exe")], "not an allowed type"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_written(
    settings, course_setup, people, discussion_thread, files, message
):
    before = (Post.objects.count(), PostAttachment.objects.count())
    with pytest.raises(ValidationError) as info:
        post_reply(actor=people.student, thread=discussion_thread, body="Có tệp", files=files)
    assert message in " ".join(info.value.message_dict["files"])
    assert (Post.objects.count(), PostAttachment.objects.count()) == before
    assert stored_files(settings) == []
    discussion_thread.refresh_from_db()
    assert discussion_thread.post_count == 1


def test_a_file_over_20_mb_is_refused(settings, course_setup, people, discussion_thread):
    big = pdf("lon.pdf")
    big.size = 21 * 1024 * 1024
    with pytest.raises(ValidationError, match=r"at most 20\.0 MB"):
        post_reply(actor=people.student, thread=discussion_thread, body="x", files=[big])
    assert stored_files(settings) == []


def test_refused_file_keeps_what_was_typed(client, settings, course_setup, people, discussion_thread):
    url = reverse("forums:thread", args=[discussion_thread.pk])
    response = post(client, people.student, url, {"body": "Nội dung dài em đã gõ", "files": [exe_as_pdf()]})
    html = response.content.decode()
    assert response.status_code == 200 and "Nội dung dài em đã gõ" in html and "its content is not" in html
    assert discussion_thread.posts.count() == 1 and stored_files(settings) == []


def test_a_huge_upload_is_dropped_while_streaming(client, settings, course_setup, people, discussion_thread):
    settings.UPLOAD_MAX_BYTES = 1000  # stands for the site's limit, which a 2 GB file passes
    url = reverse("forums:thread", args=[discussion_thread.pk])
    response = post(client, people.student, url, {"body": "Video của em", "files": [pdf("video.pdf", size=5000)]})
    html = response.content.decode()
    assert response.status_code == 200 and "video.pdf is too large" in html and "Video của em" in html
    assert discussion_thread.posts.count() == 1 and stored_files(settings) == []
    forum_url = reverse("forums:thread_new", args=[course_setup.discussion.pk])
    response = post(client, people.student, forum_url, {"title": "T", "body": "B", "files": [pdf(size=5000)]})
    assert response.status_code == 200 and "too large" in response.content.decode()
    assert Thread.objects.count() == 1


def test_a_failure_after_saving_removes_the_files(settings, monkeypatch, course_setup, people, discussion_thread):
    def broken(**kwargs):
        raise RuntimeError("mail server down")

    monkeypatch.setattr("forums.services.notify", broken)
    with pytest.raises(RuntimeError):
        post_reply(actor=people.student, thread=discussion_thread, body="x", files=[pdf(), png()])
    assert stored_files(settings) == [] and PostAttachment.objects.count() == 0

"""Issue #12, point 7: a post written with the editor (bold, lists, headings, links) is stored sanitised
and shown formatted; the textarea still works without JavaScript; older plain-text posts keep their line
breaks; and the notifications that quote a post never cut a formula or show its tags."""

from django.urls import reverse

from forums.models import Post, Thread
from forums.services import NOTIFICATION_EXCERPT_CHARS, post_reply, thread_create
from notifications.models import Notification

EDITOR_HTML = (
    "<h2>Kế hoạch tuần 1</h2><p>Các thầy cô <strong>chú ý</strong> và <em>ghi nhớ</em>:</p>"
    "<ul><li>Nộp giáo án</li><li>Dự giờ</li></ul>"
    '<p><a href="https://moet.gov.vn" target="_blank" rel="noopener noreferrer">Xem hướng dẫn</a></p>'
)


def _login(client, user):
    client.force_login(user)
    return client


def test_new_thread_written_with_the_editor_is_stored_sanitised_and_shown_formatted(client, people, forum):
    _login(client, people.teacher)
    page = client.get(reverse("forums:forum", args=[forum.pk])).content.decode()
    assert 'data-rich-text="1"' in page and "js/rich_text.js" in page

    body = EDITOR_HTML + '<p onclick="steal()">Hết<script>alert(1)</script><img src=x onerror=alert(1)></p>'
    response = client.post(reverse("forums:thread_new", args=[forum.pk]), {"title": "Tuần đầu", "body": body})
    thread = Thread.objects.get(title="Tuần đầu")
    assert response.status_code == 302
    stored = thread.posts.get().body
    assert stored.startswith(
        "<h2>Kế hoạch tuần 1</h2><p>Các thầy cô <strong>chú ý</strong> và <em>ghi nhớ</em>:</p>"
        "<ul><li>Nộp giáo án</li><li>Dự giờ</li></ul>"
        '<p><a href="https://moet.gov.vn" rel="noopener nofollow">Xem hướng dẫn</a></p>'
    )
    for bad in ("onclick", "<script", "alert(1)", "<img", "target="):
        assert bad not in stored

    html = client.get(reverse("forums:thread", args=[thread.pk])).content.decode()
    assert "<strong>chú ý</strong>" in html and "<ul><li>Nộp giáo án</li><li>Dự giờ</li></ul>" in html
    assert "<h2>Kế hoạch tuần 1</h2>" in html and "steal()" not in html


def test_a_reply_typed_without_javascript_keeps_its_lines(client, people, thread):
    _login(client, people.teacher2)
    client.post(reverse("forums:thread", args=[thread.pk]), {"body": "Dòng một\nDòng hai\n\nĐoạn hai: 2 < 3"})
    reply = Post.objects.latest("pk")
    assert reply.body == "<p>Dòng một<br>Dòng hai</p>\n\n<p>Đoạn hai: 2 &lt; 3</p>"
    html = client.get(reverse("forums:thread", args=[thread.pk])).content.decode()
    assert "<p>Dòng một<br>Dòng hai</p>" in html


def test_an_htmx_reply_with_a_list_comes_back_formatted(client, people, thread):
    _login(client, people.teacher2)
    response = client.post(
        reverse("forums:thread", args=[thread.pk]),
        {"body": "<ol><li><b>Một</b></li><li><i>Hai</i></li></ol>"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "<ol><li><b>Một</b></li><li><i>Hai</i></li></ol>" in response.content.decode()


def test_an_older_plain_text_post_and_a_stored_script_are_shown_safely(
    client, people, thread, django_assert_max_num_queries
):
    # Rows written before the sanitiser (or by hand): shown with their line breaks, and never raw.
    Post.objects.bulk_create(
        [
            Post(thread=thread, author=people.teacher2, body="Dòng cũ 1\nDòng cũ 2"),
            Post(thread=thread, author=people.teacher2, body='<p>Cũ<script>alert("x")</script></p>'),
        ]
        + [Post(thread=thread, author=people.teacher, body=f"<p><strong>Ý {i}</strong></p>") for i in range(30)]
    )
    _login(client, people.teacher)
    with django_assert_max_num_queries(15):
        html = client.get(reverse("forums:thread", args=[thread.pk])).content.decode()
    assert "<p>Dòng cũ 1<br>Dòng cũ 2</p>" in html
    assert 'alert("x")' not in html and "<p>Cũ</p>" in html
    assert html.count("<strong>Ý ") == 30


def test_reply_notification_quotes_the_words_not_the_tags_and_never_cuts_a_formula(people, thread):
    formula = "\\(\\frac{a+b}{2} \\ge \\sqrt{ab}\\)"
    words = "Các thầy cô xem lại bất đẳng thức Cô-si cho hai số dương " * 5
    cut_here = NOTIFICATION_EXCERPT_CHARS - len(words) - 8  # the formula straddles the limit
    assert cut_here > 0
    body = f"<p><strong>{words}</strong>{'x' * cut_here} {formula} rồi làm bài tập.</p><ul><li>Bài 1</li></ul>"
    post_reply(actor=people.teacher2, thread=thread, body=body)
    note = Notification.objects.get(recipient=people.teacher)
    assert "<" not in note.body and "strong" not in note.body
    assert len(note.body) <= NOTIFICATION_EXCERPT_CHARS and note.body.endswith("…")
    assert "\\(" not in note.body  # the formula did not fit: left out whole rather than cut
    assert note.body.startswith("Các thầy cô xem lại")


def test_question_notification_keeps_a_formula_that_fits_whole(course_setup, people):
    thread_create(
        actor=people.student,
        forum=course_setup.questions,
        title="Hỏi về \\(x^2\\)",
        body="<p>Thưa thầy, <em>tại sao</em> \\(x^2 \\ge 0\\) với mọi \\(x\\)?</p>",
    )
    note = Notification.objects.filter(recipient=people.teacher).latest("pk")
    assert note.body == "Thưa thầy, tại sao \\(x^2 \\ge 0\\) với mọi \\(x\\)?"

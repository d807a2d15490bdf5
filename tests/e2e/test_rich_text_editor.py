"""Issue #12, point 7 ("formatting that is promised works"), walked in a real browser: a teacher writes a
forum post with bold text, a list and a link using the editor's toolbar and the post shows them; a reply written on a
phone goes through htmx and the editor empties for the next one; without JavaScript the textarea still works."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from forums.models import Thread
from forums.services import forum_for_unit, thread_create
from tests.accounts.factories import complete_profile, make_person
from tests.e2e.conftest import log_in
from units.models import Role


@pytest.fixture
def teachers(tree):
    an = complete_profile(make_person(unit=tree.g1, role=Role.TEACHER, username="gv.an", full_name="Nguyễn Văn An"))
    binh = complete_profile(make_person(unit=tree.g1, role=Role.TEACHER, username="gv.binh", full_name="Trần Thị Bình"))
    return an, binh


def test_teacher_writes_a_post_with_bold_and_a_list_using_the_toolbar(live_server, page, tree, teachers):
    forum = forum_for_unit(unit=tree.g1)
    log_in(page, live_server.url, "gv.an")
    page.goto(live_server.url + reverse("forums:forum", args=[forum.pk]))

    form = page.locator("#new-thread form")
    editor = form.locator(".ql-editor")
    expect(editor).to_be_visible()
    expect(form.locator("textarea[name=body]")).to_be_hidden()  # the editor took the textarea's place
    form.locator("input[name=title]").fill("Kế hoạch tuần đầu")

    editor.click()
    page.keyboard.type("Các thầy cô ")
    form.get_by_role("button", name="In đậm").click()
    page.keyboard.type("lưu ý")
    form.get_by_role("button", name="In đậm").click()
    page.keyboard.type(" hai việc:")
    page.keyboard.press("Enter")
    form.get_by_role("button", name="Danh sách gạch đầu dòng").click()
    page.keyboard.type("Nộp kế hoạch dạy học")
    page.keyboard.press("Enter")
    page.keyboard.type("Dự giờ đồng nghiệp")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # an empty item ends the list
    page.keyboard.type("Hướng dẫn của Bộ")
    page.keyboard.press("Shift+Home")
    form.get_by_role("button", name="Liên kết").click()
    form.locator(".ql-tooltip input[type=text]").fill("moet.gov.vn")  # no scheme typed: https:// is added
    page.keyboard.press("Enter")
    expect(editor.locator("strong")).to_have_text("lưu ý")
    form.locator("button[type=submit]").click()

    post = page.get_by_test_id("post-body").first
    expect(post.locator("strong")).to_have_text("lưu ý")
    expect(post.locator("ul > li")).to_have_text(["Nộp kế hoạch dạy học", "Dự giờ đồng nghiệp"])
    expect(post).to_contain_text("Các thầy cô lưu ý hai việc:")
    expect(post.get_by_role("link", name="Hướng dẫn của Bộ")).to_have_attribute("href", "https://moet.gov.vn")
    stored = Thread.objects.get(title="Kế hoạch tuần đầu").posts.get().body
    assert stored == (
        "<p>Các thầy cô <strong>lưu ý</strong> hai việc:</p>"
        "<ul><li>Nộp kế hoạch dạy học</li><li>Dự giờ đồng nghiệp</li></ul>"
        '<p><a href="https://moet.gov.vn" rel="noopener nofollow">Hướng dẫn của Bộ</a></p>'
    )


def test_a_reply_from_a_phone_with_a_numbered_list_goes_through_htmx(live_server, phone, tree, teachers):
    an, _ = teachers
    thread = thread_create(
        actor=an, forum=forum_for_unit(unit=tree.g1), title="Dự giờ tuần 1", body="Ai đăng ký dự giờ?"
    )
    log_in(phone, live_server.url, "gv.binh")
    phone.goto(live_server.url + reverse("forums:thread", args=[thread.pk]))
    form = phone.locator("#reply-form form")
    editor = form.locator(".ql-editor")
    editor.click()
    form.get_by_role("button", name="Danh sách đánh số").click()
    phone.keyboard.type("Tiết 2 lớp 6A1")
    phone.keyboard.press("Enter")
    phone.keyboard.type("Tiết 4 lớp 7A1")
    phone.keyboard.press("Enter")
    phone.keyboard.press("Enter")  # an empty item ends the list
    form.get_by_role("button", name="In nghiêng").click()
    phone.keyboard.type("Cảm ơn")
    form.locator("button[type=submit]").click()

    reply = phone.get_by_test_id("post-body").nth(1)
    expect(reply.locator("ol > li")).to_have_text(["Tiết 2 lớp 6A1", "Tiết 4 lớp 7A1"])
    expect(reply.locator("em")).to_have_text("Cảm ơn")
    expect(editor).to_have_text("")  # ready for the next reply
    assert phone.url.endswith(reverse("forums:thread", args=[thread.pk]))  # htmx: no page load
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


def test_without_javascript_the_textarea_still_posts_plain_text(live_server, browser, tree, teachers):
    an, _ = teachers
    thread = thread_create(actor=an, forum=forum_for_unit(unit=tree.g1), title="Không có JS", body="Mở đầu")
    context = browser.new_context(java_script_enabled=False, locale="vi-VN")
    page = context.new_page()
    try:
        log_in(page, live_server.url, "gv.binh")
        page.goto(live_server.url + reverse("forums:thread", args=[thread.pk]))
        textarea = page.locator("#reply-form textarea[name=body]")
        expect(textarea).to_be_visible()
        textarea.fill("Dòng một\nDòng hai")
        page.locator("#reply-form button[type=submit]").click()
        reply = page.get_by_test_id("post-body").nth(1)
        expect(reply).to_contain_text("Dòng một")
        assert "Dòng một<br>Dòng hai" in reply.inner_html()
    finally:
        context.close()

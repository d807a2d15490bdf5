"""Issue #14, point 9, in a real browser: under the Content-Security-Policy the JavaScript-heavy pages still
work (the rich-text editor and an htmx reply, formulas and their live preview, the dashboard's charts, the
account form's fields by type, a question before a form is sent) and the browser reports no policy
violation and no console error on any of them."""

import re
from types import SimpleNamespace

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from forums.services import forum_for_unit, thread_create
from materials.services.attempts import attempt_start
from reports.services import stats_recompute
from tests.accounts.factories import make_person
from tests.courses.factories import make_course
from tests.e2e.conftest import log_in, person
from tests.materials.factories import make_question, make_quiz
from units.models import Role
from units.periods import all_time

# Installed before any page script (Playwright's init scripts are not subject to the page's policy).
LISTEN = """window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});"""


@pytest.fixture
def people(tree):
    return SimpleNamespace(
        teacher=person(tree.g1, Role.TEACHER, "gv.an", "Nguyễn Văn An"),
        student=person(tree.c1, Role.STUDENT, "hs.em", "Hoàng Minh Em"),
        admin=make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN, account_type="staff", username="qt.tranphu"),
        dept=make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF, username="so.hanam"),
    )


def watch(page) -> list[str]:
    errors = []
    page.add_init_script(LISTEN)
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return errors


def violations(page) -> list[str]:
    return page.evaluate("window.__violations")


def settle(page):
    page.wait_for_load_state("networkidle")
    assert violations(page) == []


def test_js_heavy_pages_work_with_no_policy_violation(live_server, page, tree, people):
    errors = watch(page)
    course = make_course(unit=tree.s1, author=people.teacher, title="Bồi dưỡng GDPT 2018")
    thread = thread_create(
        actor=people.teacher, forum=forum_for_unit(unit=tree.g1), title="Dự giờ tuần 1", body="Ai đăng ký?"
    )
    question = make_question(author=people.teacher, unit=tree.g1, stem=r"Tính \(\frac{1}{2} + \frac{1}{3}\)")
    quiz = make_quiz(author=people.teacher, unit=tree.g1, questions=[question], classes=[tree.c1], time_limit=20)
    attempt = attempt_start(student=people.student, quiz=quiz)
    stats_recompute(periods=[all_time()])

    # A teacher: the course form's rich-text editor, a reply through htmx, the question form's preview.
    log_in(page, live_server.url, "gv.an")
    settle(page)
    page.goto(live_server.url + reverse("courses:course_edit", args=[course.pk]))
    expect(page.locator(".rich-text-editor .ql-editor").first).to_be_visible()
    settle(page)
    page.goto(live_server.url + reverse("forums:thread", args=[thread.pk]))
    form = page.locator("#reply-form form")
    form.locator(".ql-editor").click()
    page.keyboard.type("Tôi đăng ký tiết 2")
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("post-body").nth(1)).to_contain_text("Tôi đăng ký tiết 2")
    expect(form.locator(".ql-editor")).to_have_text("")  # data-reset-after-swap emptied the form
    settle(page)
    page.goto(live_server.url + reverse("materials:question_new"))
    page.locator("#id_type").select_option("single")
    expect(page.get_by_test_id("choice-options")).to_be_visible()
    page.locator("#id_stem").fill(r"Tính \(\sqrt{2}\)")
    expect(page.get_by_test_id("stem-preview").locator(".katex")).to_have_count(1)
    settle(page)
    # data-confirm: dismissing the question sends nothing.
    page.goto(live_server.url + reverse("courses:course", args=[course.pk]))
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_test_id("close").click()
    page.wait_for_timeout(300)
    assert page.url.endswith(reverse("courses:course", args=[course.pk]))
    course.refresh_from_db()
    assert course.status == course.Status.PUBLISHED
    settle(page)

    # A student taking a test: formulas rendered, the countdown running (attempt_take.js).
    log_in(page, live_server.url, "hs.em", fresh=True)
    page.goto(live_server.url + reverse("materials:attempt_take", args=[attempt.pk]))
    expect(page.locator("#q-1 .katex").first).to_be_visible()
    expect(page.locator("#attempt-timer")).to_have_text(re.compile(r"^\d{1,2}:\d\d$"))
    settle(page)

    # The school admin's account form: the class field for a student, the group field for a teacher.
    log_in(page, live_server.url, "qt.tranphu", fresh=True, home=False)
    page.wait_for_url(lambda url: "/login/" not in url)
    page.goto(live_server.url + reverse("accounts:account_new", args=[tree.s1.pk]))
    page.check("input[name=account_type][value=teacher]")
    expect(page.locator("#id_group")).to_be_visible()
    expect(page.locator("#id_school_class")).to_be_hidden()
    page.check("input[name=account_type][value=student]")
    expect(page.locator("#id_school_class")).to_be_visible()
    settle(page)

    # The Department's dashboard: both charts drawn by charts.js.
    log_in(page, live_server.url, "so.hanam", fresh=True, home=False)
    page.wait_for_url(lambda url: "/login/" not in url)
    response = page.goto(live_server.url + reverse("reports:dashboard", args=[tree.dept_a.pk]))
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('chart-units'))")
    labels = page.evaluate("Chart.getChart(document.getElementById('chart-units')).data.datasets.map(d => d.label)")
    assert len(labels) >= 3 and all(labels), labels
    settle(page)

    assert errors == []
    # The browser does enforce the policy, and the listener above hears it: an injected inline script is refused.
    page.evaluate("document.body.append(Object.assign(document.createElement('script'), {textContent: 'ran = 1'}))")
    page.wait_for_function("() => window.__violations.length > 0")
    assert page.evaluate("window.ran") is None
    assert violations(page)[0].startswith("script-src")

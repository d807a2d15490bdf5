"""Issue #18's journey in a real browser: a Department runs a two-level student contest from its announcement to
the check of a certificate.

1. A Department staff member creates the contest (open to the schools of two Offices, with rules, a limit per
   school, grade 6), sees what is missing before it can be announced, adds a school round (an online test from
   the question bank, the best one of each school goes on) and a Department round (products judged against a
   rubric), and announces it.
2. An anonymous visitor reads the public page: announcement, rules, timeline, share link.
3. A school's manager registers students (one more than the school's limit: refused, nothing written; then
   within it); a student of the other Office's school registers themself.
4. The participants take the round's test on the test engine's pages; the organiser closes the round and the
   participants see who goes on.
5. The qualified hand in their products (a file that is not what it claims: refused); the organiser writes the
   rubric and assigns the judges (two a product, never one of the product's school); the judges score products
   shown by code only; the round is closed, the prizes' quotas set, the publication time set in advance
   (publishing before it: refused, the results hidden) and the results published when it comes.
6. The winner downloads the certificate; an anonymous visitor checks its code on the public page (and a wrong
   code: not found).

The tree, the accounts and the question-bank test are set up with factories (nobody makes them on these pages).
The clock cannot be moved in the live server, so the rounds' and registration's times are moved through the
ORM between the steps, where a real contest would wait days; each place says what time it stands for."""

import re
from datetime import timedelta
from decimal import Decimal
from io import BytesIO
from types import SimpleNamespace

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from contests.models import (
    Award,
    Certificate,
    Contest,
    JudgeAssignment,
    Product,
    ProductVersion,
    Registration,
    Round,
    RoundEntry,
    Score,
)
from tests.e2e.conftest import log_in, person, screenshots
from tests.materials.factories import make_question, make_quiz
from tests.units.factories import make_unit
from units.models import Role, Unit

shot = screenshots("contest-department")

TITLE = "Hội thi Khoa học tự nhiên lớp 6 năm 2026"
RULES = "Mỗi trường cử tối đa hai học sinh lớp 6. Vòng trường thi trắc nghiệm trực tuyến."
QUIZ = "Đề thi vòng trường KHTN 6"
STEMS = ("Nước sôi ở bao nhiêu độ C?", "Đơn vị đo khối lượng là gì?")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b"x" * 2000
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 2000


def typed(moment) -> str:
    """A moment as a datetime-local input takes it, in the server's (and the browser's) time zone."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def alert(page):
    return page.locator(".messages [role=alert]")


@pytest.fixture
def world(tree):
    """Dept A; a second school of grade-6 students under Office A2 (the tree has none there); the organiser,
    S1's manager, four students, three judges (S1, S4, Office A2) and a question-bank test made by a teacher
    of S1's science group."""
    s4 = make_unit(tree.office_a2, Unit.Kind.SCHOOL, "Trường THCS Duy Tiên", school_level="thcs")
    c4 = make_unit(s4, Unit.Kind.CLASS, "6D", grade=6)
    teacher = person(tree.g1, Role.TEACHER, "gv.ra.de", "Hồ Thị Ra Đề")
    questions = [make_question(author=teacher, unit=tree.g1, stem=stem) for stem in STEMS]
    quiz = make_quiz(
        author=teacher, unit=tree.g1, title=QUIZ, questions=questions, shuffle_questions=False,
        shuffle_options=False, time_limit=30, closes_at=timezone.now() + timedelta(days=30),
    )  # fmt: skip
    return SimpleNamespace(
        s4=s4,
        quiz=quiz,
        organiser=person(tree.dept_a, Role.DEPARTMENT_STAFF, "so.to.chuc", "Trần Văn Tổ Chức"),
        manager=person(tree.s1, Role.SCHOOL_ADMIN, "ql.tran.phu", "Mai Văn Kiên"),
        an=person(tree.c1, Role.STUDENT, "hs.an", "Nguyễn Văn An"),
        binh=person(tree.c1, Role.STUDENT, "hs.binh", "Trần Thị Bình"),
        cuong=person(tree.c1, Role.STUDENT, "hs.cuong", "Lê Văn Cường"),
        dung=person(c4, Role.STUDENT, "hs.dung", "Phạm Thị Dung"),
        judge_s1=person(tree.g1, Role.TEACHER, "gk.tran.phu", "Giám Khảo Trần Phú"),
        judge_s4=person(s4, Role.TEACHER, "gk.duy.tien", "Giám Khảo Duy Tiên"),
        judge_office=person(tree.office_a2, Role.OFFICE_STAFF, "gk.phong", "Giám Khảo Phòng"),
    )


def test_a_department_runs_a_two_level_contest_to_the_certificate_check(live_server, page, tree, world, tmp_path):
    base = live_server.url
    w = world
    now = timezone.now()
    asked = []  # what the irreversible buttons ask before they act (data-confirm); the person says yes
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))

    # --- 1. the organiser creates the contest, sees what is missing, adds the rounds and announces ---------
    log_in(page, base, "so.to.chuc")
    page.goto(f"{base}/cuoc-thi/")
    page.get_by_test_id("organise").click()
    page.get_by_test_id("new-contest").filter(has_text=tree.dept_a.name).click()
    form = page.get_by_test_id("contest-form")
    form.locator("#id_title").fill(TITLE)
    form.locator("#id_summary").fill("Hội thi dành cho học sinh lớp 6 các trường THCS của hai Phòng.")
    form.locator("#id_audience").select_option("students")
    form.locator("#id_participation").select_option("individual")
    form.locator("#id_open_to").select_option(label=[tree.office_a1.name, tree.office_a2.name])
    form.locator("input[name=grades][value='6']").check()
    form.locator("#id_per_school_limit").fill("2")
    form.locator("#id_rules + .rich-text-editor .ql-editor").fill(RULES)
    form.locator("#id_registration_opens_at").fill(typed(now - timedelta(hours=1)))
    form.locator("#id_registration_closes_at").fill(typed(now + timedelta(days=1)))
    form.locator("#id_certificate_template").fill("Đã đạt {prize} tại {contest}.")
    shot(page, "1-contest-form")
    page.get_by_test_id("contest-save").click()

    expect(page.get_by_test_id("contest-status")).to_be_visible()
    contest = Contest.objects.get(title=TITLE)
    assert contest.status == Contest.Status.DRAFT and contest.per_school_limit == 2 and contest.grades == [6]
    assert set(contest.open_to.all()) == {tree.office_a1, tree.office_a2}
    # The announce button says what is missing first: here, the rounds.
    expect(page.get_by_test_id("problems")).to_contain_text("vòng")
    expect(page.get_by_test_id("announce")).to_be_disabled()
    shot(page, "1-what-is-missing")

    page.get_by_test_id("round-new").click()
    form = page.get_by_test_id("round-form")
    form.locator("#id_title").fill("Vòng trường: thi trắc nghiệm")
    form.locator("#id_level").select_option("school")
    form.locator("#id_kind").select_option("test")
    form.locator("#id_quiz").select_option(label=QUIZ)
    form.locator("#id_opens_at").fill(typed(now + timedelta(days=1, hours=1)))
    form.locator("#id_closes_at").fill(typed(now + timedelta(days=2)))
    form.locator("#id_qualify_rule").select_option("top_n")
    form.locator("#id_qualify_top_n").fill("1")
    page.get_by_test_id("round-save").click()
    expect(page.get_by_test_id("round-row")).to_have_count(1)

    page.get_by_test_id("round-new").click()
    form = page.get_by_test_id("round-form")
    form.locator("#id_title").fill("Vòng Sở: sản phẩm khoa học")
    form.locator("#id_level").select_option("department")
    form.locator("#id_kind").select_option("product")
    form.locator("#id_opens_at").fill(typed(now + timedelta(days=2, hours=1)))
    form.locator("#id_closes_at").fill(typed(now + timedelta(days=10)))
    form.locator("input[name=allowed_types][value=pdf]").check()
    form.locator("#id_max_file_mb").fill("5")
    form.locator("#id_qualify_rule").select_option("none")
    page.get_by_test_id("round-save").click()
    expect(page.get_by_test_id("round-row")).to_have_count(2)
    expect(page.get_by_test_id("problems")).to_have_count(0)
    school_round, dept_round = Round.objects.filter(contest=contest).order_by("order")
    assert (school_round.kind, school_round.level, school_round.quiz_id) == ("test", "school", w.quiz.pk)
    assert (dept_round.kind, dept_round.level, dept_round.allowed_types) == ("product", "department", ["pdf"])
    page.get_by_test_id("announce").click()
    expect(page.get_by_test_id("contest-status")).to_have_text(re.compile("công bố", re.IGNORECASE))
    contest.refresh_from_db()
    assert contest.status == Contest.Status.ANNOUNCED
    shot(page, "1-announced")

    # --- 2. anonymous: the public page, no login ------------------------------------------------------
    page.goto("about:blank")
    page.context.clear_cookies()
    page.goto(f"{base}/cuoc-thi/")
    page.get_by_test_id("contest-row").filter(has_text=TITLE).click()
    expect(page.get_by_test_id("contest-title")).to_have_text(TITLE)
    expect(page.get_by_test_id("rules")).to_contain_text(RULES)
    timeline = page.get_by_test_id("timeline")
    expect(timeline.get_by_test_id("round-row")).to_have_count(2)
    expect(timeline).to_contain_text("Vòng trường: thi trắc nghiệm")
    expect(timeline).to_contain_text("Vòng Sở: sản phẩm khoa học")
    expect(page.get_by_test_id("share-link")).to_have_attribute("href", f"{base}/cuoc-thi/c/{contest.slug}/")
    expect(page.get_by_test_id("login-to-register")).to_be_visible()
    public_url = page.url
    shot(page, "2-public-page")

    # --- 3. registration: the school's manager (over the limit, then within it), a student themself ---------
    log_in(page, base, "ql.tran.phu", fresh=True)
    page.goto(public_url)
    page.get_by_test_id("school-register").click()
    form = page.get_by_test_id("school-register-form")
    for student in (w.an, w.binh, w.cuong):
        form.get_by_label(student.full_name).check()
    page.get_by_test_id("school-register-submit").click()
    expect(page.get_by_test_id("form-error")).to_contain_text(tree.s1.name)
    expect(page.get_by_test_id("form-error")).to_contain_text("2")
    assert not Registration.objects.filter(contest=contest).exists()
    shot(page, "3-over-the-limit")
    form = page.get_by_test_id("school-register-form")
    for student in (w.an, w.binh):
        form.get_by_label(student.full_name).check()
    form.get_by_label(w.cuong.full_name).uncheck()
    page.get_by_test_id("school-register-submit").click()
    expect(page.get_by_test_id("registered").locator("li")).to_have_count(2)
    shot(page, "3-registered-by-the-school")

    log_in(page, base, "hs.dung", fresh=True)
    page.goto(f"{base}/cuoc-thi/cua-toi/")
    page.get_by_test_id("open-now").get_by_role("link", name=TITLE).click()
    page.get_by_test_id("register").click()
    page.get_by_test_id("register-submit").click()
    expect(page.get_by_test_id("my-registration")).to_contain_text(w.s4.name)
    registrations = Registration.objects.filter(contest=contest, status=Registration.Status.REGISTERED)
    assert {r.user for r in registrations} == {w.an, w.binh, w.dung}
    assert RoundEntry.objects.filter(round=school_round).count() == 3

    # --- 4. the school round: the test on the engine's pages, then the organiser closes it -----------------
    # A day later: registration has closed and the round's window is open.
    Contest.objects.filter(pk=contest.pk).update(registration_closes_at=timezone.now() - timedelta(minutes=2))
    Round.objects.filter(pk=school_round.pk).update(
        opens_at=timezone.now() - timedelta(minutes=1), closes_at=timezone.now() + timedelta(hours=1)
    )
    for username, right in (("hs.an", 2), ("hs.binh", 1), ("hs.dung", 1)):
        log_in(page, base, username, fresh=True)
        page.goto(public_url)
        page.get_by_test_id("test-link").click()
        page.get_by_test_id("start").click()
        expect(page.get_by_test_id("question")).to_have_count(2)
        for n, stem in enumerate(STEMS):
            answer = "A đúng" if n < right else "B sai"
            page.get_by_test_id("question").filter(has_text=stem).locator("label").filter(has_text=answer).click()
        expect(page.locator("#answered-now")).to_have_text("2")
        if username == "hs.an":
            shot(page, "4-taking-the-test")
        page.get_by_test_id("hand-in").click()
        page.get_by_test_id("confirm-hand-in").click()
        expect(page.get_by_test_id("receipt")).to_be_visible()

    # The round's window has ended. Now, not a second ago: the last hand-in may be less than a second old, and
    # an attempt handed in after the window's end does not count.
    Round.objects.filter(pk=school_round.pk).update(closes_at=timezone.now())
    log_in(page, base, "so.to.chuc", fresh=True)
    page.goto(f"{base}/cuoc-thi/to-chuc/")
    page.get_by_test_id("organised-row").filter(has_text=TITLE).get_by_role("link").click()
    page.get_by_test_id("round-row").nth(0).get_by_test_id("round-close").click()
    expect(alert(page).first).to_be_visible()
    assert asked[-1].startswith("Đóng vòng thi này?")
    expect(page.get_by_test_id("round-row").nth(0).get_by_test_id("round-results")).to_be_visible()
    status = dict(RoundEntry.objects.filter(round=school_round).values_list("registration__user__username", "status"))
    assert status == {"hs.an": "qualified", "hs.binh": "not_qualified", "hs.dung": "qualified"}
    assert {e.registration.user for e in RoundEntry.objects.filter(round=dept_round)} == {w.an, w.dung}

    # Who goes on is visible to the participants (Bình, who does not), not to an anonymous visitor.
    log_in(page, base, "hs.binh", fresh=True)
    page.goto(public_url)
    page.get_by_test_id("selection-link").click()
    expect(page.get_by_test_id("selection-only")).to_be_visible()
    rows = page.get_by_test_id("result-row")
    expect(rows).to_have_count(2)
    expect(page.get_by_test_id("results")).to_contain_text(w.an.full_name)
    expect(page.get_by_test_id("results")).to_contain_text(w.dung.full_name)
    expect(page.get_by_test_id("results")).not_to_contain_text(w.binh.full_name)
    selection_url = page.url
    shot(page, "4-who-goes-on")
    page.goto("about:blank")
    page.context.clear_cookies()
    page.goto(selection_url)
    expect(page.get_by_test_id("not-yet")).to_be_visible()
    expect(page.get_by_test_id("result-row")).to_have_count(0)

    # --- 5. the Department round: products, judges, scores, prizes, publication ---------------------------
    # The product round has opened.
    Round.objects.filter(pk=dept_round.pk).update(opens_at=timezone.now() - timedelta(minutes=1))
    fake = tmp_path / "may-loc-nuoc.pdf"
    fake.write_bytes(PNG)  # a picture under a PDF's name
    real = tmp_path / "may-loc-nuoc-that.pdf"
    real.write_bytes(PDF)
    log_in(page, base, "hs.an", fresh=True)
    page.goto(public_url)
    page.get_by_test_id("product-link").click()
    form = page.get_by_test_id("product-form")
    form.locator("#id_title").fill("Máy lọc nước mini của Nguyễn Văn An")
    form.locator("#id_description").fill("Nguyễn Văn An làm máy lọc nước từ chai nhựa, cát và than hoạt tính.")
    form.locator("#id_file").set_input_files(str(fake))
    page.get_by_test_id("product-submit").click()
    file_error = page.locator("#id_file").locator("xpath=..").locator(".invalid-feedback")
    expect(file_error).to_contain_text("may-loc-nuoc.pdf")
    assert not ProductVersion.objects.exists() and not Product.objects.exists()
    shot(page, "5-file-refused")
    page.get_by_test_id("product-form").locator("#id_file").set_input_files(str(real))
    page.get_by_test_id("product-submit").click()
    expect(page.get_by_test_id("versions").locator("li")).to_have_count(1)
    shot(page, "5-product-handed-in")

    log_in(page, base, "hs.dung", fresh=True)
    page.goto(public_url)
    page.get_by_test_id("product-link").click()
    form = page.get_by_test_id("product-form")
    form.locator("#id_title").fill("Vườn rau thủy canh")
    form.locator("#id_description").fill("Trồng rau không cần đất bằng dung dịch dinh dưỡng.")
    form.locator("#id_file").set_input_files(str(real))
    page.get_by_test_id("product-submit").click()
    expect(page.get_by_test_id("versions").locator("li")).to_have_count(1)
    assert Product.objects.filter(entry__round=dept_round).count() == 2

    # The deadline for products has passed: the organiser writes the rubric and assigns the judges.
    Round.objects.filter(pk=dept_round.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    log_in(page, base, "so.to.chuc", fresh=True)
    manage_url = f"{base}/cuoc-thi/{contest.pk}/"
    page.goto(manage_url)
    page.get_by_test_id("round-row").nth(1).get_by_test_id("round-judges").click()
    page.get_by_test_id("rubric-link").click()
    page.locator("#id_lines").fill("Nội dung khoa học; 2; 10; Tốt 8–10, Khá 6,5–7,75\nTrình bày; 1; 5")
    page.get_by_test_id("save-rubric").click()
    page.locator("#id_usernames").fill("gk.tran.phu gk.duy.tien gk.phong")
    page.get_by_test_id("add-judges").click()
    expect(page.get_by_test_id("pool").locator("li")).to_have_count(3)
    page.get_by_test_id("assign-auto").click()
    expect(page.get_by_test_id("status-assigned")).to_have_text("2")
    shot(page, "5-judges-assigned")
    judges_of = {
        product.entry.registration.user.username: set(
            JudgeAssignment.objects.filter(product=product).values_list("judge__username", flat=True)
        )
        for product in Product.objects.filter(entry__round=dept_round).select_related("entry__registration__user")
    }
    # Two judges a product; S1's judge never gets S1's product, S4's never S4's.
    assert judges_of == {"hs.an": {"gk.duy.tien", "gk.phong"}, "hs.dung": {"gk.tran.phu", "gk.phong"}}

    # The judges score, seeing codes and masked titles only: no names, no schools.
    secret = [w.an.full_name, w.dung.full_name, tree.s1.name, w.s4.name]
    marks = {"gk.phong": [("9", "4"), ("8", "3")], "gk.duy.tien": [("9", "5")], "gk.tran.phu": [("7", "4")]}
    dept_round.refresh_from_db()
    criteria = list(dept_round.rubric.criteria.order_by("position"))
    for username, values in marks.items():
        log_in(page, base, username, fresh=True)
        page.goto(f"{base}/cuoc-thi/cua-toi/")
        page.get_by_test_id("link-judge-queue").click()
        expect(page.get_by_test_id("queue-row")).to_have_count(len(values))
        text = page.locator("main").inner_text()
        assert not [s for s in secret if s in text], text
        page.get_by_test_id("open-product").first.click()
        for i, (content, form_mark) in enumerate(values):
            expect(page.get_by_test_id("score-code")).to_be_visible()
            text = page.locator("main").inner_text()
            assert not [s for s in secret if s in text], text
            if username == "gk.phong" and i == 0:
                shot(page, "5-judge-scores")
            page.fill(f"#id_c{criteria[0].pk}", content)
            page.fill(f"#id_c{criteria[1].pk}", form_mark)
            page.get_by_test_id("save-next" if i + 1 < len(values) else "save-score").click()
        expect(page.get_by_test_id("queue-empty")).to_be_visible()
    assert Score.objects.filter(assignment__round=dept_round).count() == 4

    # The organiser closes the round, sets the prizes and the publication time.
    log_in(page, base, "so.to.chuc", fresh=True)
    page.goto(manage_url)
    page.get_by_test_id("round-row").nth(1).get_by_test_id("round-close").click()
    expect(page.get_by_test_id("round-row").nth(1).get_by_test_id("round-results")).to_be_visible()
    scores = dict(RoundEntry.objects.filter(round=dept_round).values_list("registration__user__username", "score"))
    assert scores == {"hs.an": Decimal("22.5"), "hs.dung": Decimal("18.5")}  # (23 + 22) / 2 and (18 + 19) / 2
    page.get_by_test_id("round-row").nth(1).get_by_test_id("round-prizes").click()
    expect(page.get_by_test_id("results-preview")).to_be_visible()
    page.locator("#id_first_how").select_option("count")
    page.locator("#id_first_amount").fill("1")
    page.locator("#id_second_how").select_option("count")
    page.locator("#id_second_amount").fill("1")
    page.get_by_test_id("save-quotas").click()
    expect(alert(page).first).to_be_visible()
    page.get_by_test_id("give-awards").click()
    expect(page.get_by_test_id("result-row").filter(has_text=w.an.full_name)).to_contain_text("Nhất")
    prizes = dict(Award.objects.filter(round=dept_round).values_list("entry__registration__user__username", "prize"))
    assert prizes == {"hs.an": "first", "hs.dung": "second"}
    publish_at = timezone.now() + timedelta(days=1)
    page.locator("#id_publish_at").fill(typed(publish_at))
    page.get_by_test_id("schedule").click()
    expect(alert(page).first).to_be_visible()
    # Publishing before the time set in advance: refused, nothing published.
    page.get_by_test_id("publish").click()
    expect(page.locator(".messages .alert-danger")).to_be_visible()
    dept_round.refresh_from_db()
    assert dept_round.results_published_at is None
    shot(page, "5-publish-refused")
    prizes_url = page.url

    # Before that time, the results are hidden from everyone else.
    page.goto("about:blank")
    page.context.clear_cookies()
    page.goto(prizes_url)
    expect(page.get_by_test_id("results-not-out")).to_be_visible()
    expect(page.get_by_test_id("result-row")).to_have_count(0)
    page.goto(public_url)
    expect(page.get_by_test_id("results-link")).to_have_count(0)

    # The publication time has come: the organiser publishes, and everyone sees the results.
    Round.objects.filter(pk=dept_round.pk).update(results_publish_at=timezone.now() - timedelta(seconds=1))
    log_in(page, base, "so.to.chuc", fresh=True)
    page.goto(prizes_url)
    asked.clear()
    page.get_by_test_id("publish").click()
    expect(page.locator(".messages .alert-success")).to_be_visible()
    assert asked == [asked[0]] and asked[0].startswith("Công bố kết quả?")
    dept_round.refresh_from_db()
    assert dept_round.results_published_at is not None
    page.goto("about:blank")
    page.context.clear_cookies()
    page.goto(public_url)
    page.get_by_test_id("results-link").click()
    rows = page.get_by_test_id("result-row")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(w.an.full_name)
    shot(page, "5-results-public")

    # --- 6. the certificate, and its public check ---------------------------------------------------------
    log_in(page, base, "hs.an", fresh=True)
    page.goto(f"{base}/cuoc-thi/cua-toi/")
    page.get_by_test_id("link-achievements").click()
    expect(page.get_by_test_id("achievements-awards")).to_contain_text(TITLE)
    with page.expect_download() as download:
        page.get_by_test_id("certificate-pdf").click()
    pdf = download.value
    content = open(pdf.path(), "rb").read()  # noqa: SIM115 -- Playwright's temporary file
    assert content.startswith(b"%PDF")
    printed = " ".join(p.extract_text() for p in PdfReader(BytesIO(content)).pages)
    code = re.search(r"\b[0-9A-Z]{5}-[0-9A-Z]{5}\b", printed).group(0)
    certificate = Certificate.objects.get(user=w.an)
    assert code.replace("-", "") == certificate.code.replace("-", "")
    assert w.an.full_name in printed

    page.goto("about:blank")
    page.context.clear_cookies()
    page.goto(f"{base}/cuoc-thi/")
    page.get_by_test_id("verify-certificate").click()
    page.locator("#id_code").fill(code.lower())  # typed as people do: case does not matter
    page.get_by_test_id("verify-check").click()
    expect(page.get_by_test_id("certificate-valid")).to_be_visible()
    expect(page.get_by_test_id("certificate-name")).to_have_text(w.an.full_name)
    expect(page.get_by_test_id("certificate-prize")).to_contain_text("Nhất")
    shot(page, "6-certificate-valid")
    page.goto(f"{base}/cuoc-thi/xac-minh/")
    page.locator("#id_code").fill("ABCDE-12345")
    page.get_by_test_id("verify-check").click()
    expect(page.get_by_test_id("certificate-not-found")).to_be_visible()
    expect(page.get_by_test_id("certificate-valid")).to_have_count(0)
    shot(page, "6-certificate-not-found")

"""A plan from xlsx (issue #17, point 1) on the import engine: the layout `plan_xlsx` writes comes back as the
same lessons (round trip, links included); every bad input is refused with its line and nothing is written;
confirming writes into a draft (a new plan, or the lessons of a draft or refused plan replaced)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from approvals.models import Status
from courses.models import LiveSession
from teaching import services
from teaching.exports import plan_xlsx
from teaching.models import LessonMode, PlanImport, PlanLevel, TeachingPlan
from teaching.plan_import import (
    plan_import_apply,
    plan_import_confirm,
    plan_import_start,
    plan_import_validate,
)
from tests.courses.factories import make_course, make_section
from truonghoc.xlsx import xlsx_bytes

from .conftest import approve, group_plan

pytestmark = pytest.mark.django_db
HEADER = ["STT", "Tuần", "Bài học hoặc chủ đề", "Số tiết", "Chế độ", "Liên kết"]


def _lessons(plan):
    return [
        (lesson.title, lesson.periods, lesson.week, lesson.mode, lesson.live_session_id, lesson.section_id)
        for lesson in plan.lessons.order_by("position")
    ]


def _sheet(rows, header=HEADER):
    return bytes(xlsx_bytes(title="Kế hoạch của tổ · Toán, lớp 6", header=header, rows=rows))


def _rows(total=140, per_row=4, mode="Dạy trực tiếp"):
    return [[n, n, f"Bài {n}", per_row, mode, ""] for n in range(1, total // per_row + 1)]


def _run(school, content, *, actor=None, plan=None, **new):
    actor = actor or school.leader
    if plan is None and not new:
        new = {"school": school.school, "level": PlanLevel.TEACHER, "subject": "Toán", "grade": 6,
               "group": school.group}  # fmt: skip
    batch = plan_import_start(actor=actor, upload=SimpleUploadedFile("ke-hoach.xlsx", content), plan=plan, **new)
    batch = plan_import_validate(batch=batch)
    if batch.status != PlanImport.Status.READY:
        return batch
    batch = plan_import_confirm(actor=actor, batch=batch)
    return plan_import_apply(actor=actor, batch=batch)


@pytest.fixture
def linked(school):
    """The group's plan of Toán 6 with a live row (linked to a session) and an LMS row (linked to a section)."""
    plan = group_plan(school)
    course = make_course(unit=school.school, author=school.leader, kind="lesson", title="Toán 6 trực tuyến")
    session = LiveSession.objects.create(
        course=course,
        title="Buổi 1",
        starts_at=timezone.now(),
        url="https://meet.jit.si/toan6",
        created_by=school.leader,
    )
    section = make_section(course=course, title="Phân số")
    first, second = plan.lessons.filter(position__in=[1, 2]).order_by("position")
    services.lesson_update(
        actor=school.leader, lesson=first, title="Tập hợp", periods=4, week=1, mode=LessonMode.LIVE,
        live_session_id=session.pk,
    )  # fmt: skip
    services.lesson_update(
        actor=school.leader, lesson=second, title="Phân số", periods=4, week=2, mode=LessonMode.LMS,
        section_id=section.pk,
    )  # fmt: skip
    return plan


def test_export_then_import_gives_the_same_lessons(school, linked):
    batch = _run(school, bytes(plan_xlsx(linked)))
    assert batch.status == PlanImport.Status.DONE, batch.message
    new = batch.plan
    assert new.pk != linked.pk and new.level == PlanLevel.TEACHER and new.status == Status.DRAFT
    assert new.author == school.leader
    assert _lessons(new) == _lessons(linked)
    assert (batch.new_rows, batch.periods, batch.online_periods) == (35, 140, 8)


def test_importing_into_a_draft_replaces_its_lessons(school, linked):
    expected = _lessons(linked)
    content = bytes(plan_xlsx(linked))
    for lesson in linked.lessons.all():  # change every row, then bring the file back
        services.lesson_update(
            actor=school.leader, lesson=lesson, title="Đổi", periods=lesson.periods, week=3, mode=LessonMode.DIRECT
        )
    batch = _run(school, content, plan=linked)
    assert batch.status == PlanImport.Status.DONE, batch.message
    linked.refresh_from_db()
    assert _lessons(linked) == expected and linked.status == Status.DRAFT


def test_a_refused_plan_goes_back_to_draft_and_an_approved_one_is_refused(school, linked, in_english):
    content = bytes(plan_xlsx(linked))
    approve(linked, school)
    with pytest.raises(PermissionDenied, match="can no longer be changed"):
        plan_import_start(actor=school.leader, upload=SimpleUploadedFile("k.xlsx", content), plan=linked)
    other = group_plan(school, grade=7)
    services.plan_submit(actor=school.leader, plan=other)
    services.plan_refuse(actor=school.principal, plan=other, reason="Thiếu tiết trực tuyến")
    other.refresh_from_db()
    assert other.status == Status.REFUSED
    rows = [[n, n, f"Bài {n}", 4, "Trực tuyến trên LMS" if n <= 4 else "Dạy trực tiếp", ""] for n in range(1, 36)]
    batch = _run(school, _sheet(rows), plan=other)
    other.refresh_from_db()
    assert batch.status == PlanImport.Status.DONE and other.status == Status.DRAFT, (
        batch.message,
        list(batch.rows.values_list("errors", flat=True))[:3],
    )
    assert services.plan_totals(other) == {"planned": 140, "online": 16, "programme": 140}


def test_someone_who_may_not_write_the_plan_is_refused(school, linked, in_english):
    with pytest.raises(PermissionDenied):
        plan_import_start(actor=school.colleague, upload=SimpleUploadedFile("k.xlsx", _sheet(_rows())), plan=linked)
    with pytest.raises(PermissionDenied):
        plan_import_start(
            actor=school.stranger, upload=SimpleUploadedFile("k.xlsx", _sheet(_rows())), school=school.school,
            level=PlanLevel.SCHOOL, subject="Toán", grade=6,
        )  # fmt: skip
    assert not PlanImport.objects.exists()


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ([1, 53, "Bài 1", 4, "Dạy trực tiếp", ""], "The week 53 is not a number from 1 to 52."),
        ([1, 0, "Bài 1", 4, "Dạy trực tiếp", ""], "The week 0 is not a number from 1 to 52."),
        ([1, "tuần một", "Bài 1", 4, "Dạy trực tiếp", ""], "The week tuần một is not a number"),
        ([1, 1, "Bài 1", "bốn", "Dạy trực tiếp", ""], "The periods bốn are not a whole number from 1 to 200."),
        ([1, 1, "Bài 1", 2.5, "Dạy trực tiếp", ""], "The periods 2.5 are not a whole number"),
        ([1, 1, "Bài 1", 4, "Học nhóm", ""], "Unknown mode Học nhóm"),
        ([1, 1, "", 4, "Dạy trực tiếp", ""], "Give the lesson or topic a title."),
        ([1, 1, "Bài 1", 4, "Trực tuyến trực tiếp", "javascript:alert(1)"], "is not a web address"),
        ([1, 1, "Bài 1", 4, "Trực tuyến trực tiếp", "meet.jit.si/toan6"], "is not a web address"),
        ([1, 1, "Bài 1", 4, "Trực tuyến trên LMS", "javascript:alert(1)"], "is not a web address"),
        ([1, 1, "Bài 1", 4, "Trực tuyến trực tiếp", "https://zoom.us/j/123"], "No live session of this school"),
        ([1, 1, "Bài 1", 4, "Dạy trực tiếp", "https://zoom.us/j/123"], "Only an online lesson has a link"),
        ([1, 1, "Bài 1", 4, "Trực tuyến trên LMS", "Khóa lạ · Bài lạ"], "No section of this school's courses"),
    ],
)
def test_each_bad_line_is_refused_with_its_problem_and_nothing_is_written(school, row, problem, in_english):
    rows = _rows()
    rows[0] = row
    before = TeachingPlan.objects.count()
    batch = _run(school, _sheet(rows))
    assert batch.status == PlanImport.Status.INVALID
    assert batch.error_rows == 1
    refused = batch.rows.get(action="error")
    assert refused.line == 3  # title line, header, then the first lesson
    assert any(problem in error for error in refused.errors), refused.errors
    assert TeachingPlan.objects.count() == before


def test_periods_that_do_not_add_up_name_both_numbers(school, in_english):
    batch = _run(school, _sheet(_rows(total=136)))  # 34 rows of 4
    assert batch.status == PlanImport.Status.INVALID and batch.error_rows == 0
    assert "136 periods" in batch.message and "140 periods" in batch.message
    assert not TeachingPlan.objects.filter(level=PlanLevel.TEACHER).exists()


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "neither"),
        (None, "no header"),
        ("header-only", "no lesson line"),
    ],
)
def test_a_wrong_file_is_refused(school, content, problem, in_english):
    if content is None:
        content = bytes(xlsx_bytes(title=None, header=["Họ tên", "Lớp"], rows=[["An", "6A1"]]))
    elif content == "header-only":
        content = _sheet([])
    batch = _run(school, content)
    assert batch.status == PlanImport.Status.INVALID
    assert problem in batch.message.lower()
    assert not TeachingPlan.objects.exists()


def test_a_duplicate_plan_found_at_confirmation_writes_nothing(school, in_english):
    """Between the check and the confirmation someone created the same teacher's plan: the whole file is
    refused (ImportRefused), the batch says why, no lesson is written."""
    new = {"school": school.school, "level": PlanLevel.TEACHER, "subject": "Toán", "grade": 6, "group": school.group}
    batch = plan_import_start(actor=school.leader, upload=SimpleUploadedFile("k.xlsx", _sheet(_rows())), **new)
    batch = plan_import_validate(batch=batch)
    assert batch.status == PlanImport.Status.READY
    services.plan_create(actor=school.leader, **new)
    batch = plan_import_apply(actor=school.leader, batch=plan_import_confirm(actor=school.leader, batch=batch))
    assert batch.status == PlanImport.Status.FAILED and "already such a plan" in batch.message
    assert TeachingPlan.objects.count() == 1
    assert TeachingPlan.objects.get().lessons.count() == 35  # the programme's rows, untouched


def test_the_pages_upload_check_confirm_and_show_problems(client, school, linked):
    client.force_login(school.leader)
    page = client.get(reverse("teaching:plan_import_into", kwargs={"pk": linked.pk}))
    assert page.status_code == 200 and "replace-note" in page.text
    answer = client.post(
        reverse("teaching:plan_import_into", kwargs={"pk": linked.pk}),
        {"file": SimpleUploadedFile("k.xlsx", bytes(plan_xlsx(linked)))},
    )
    batch = PlanImport.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse("teaching:plan_import", kwargs={"pk": batch.pk})
    page = client.get(answer["Location"])
    assert "import-ready" in page.text and "Tập hợp" in page.text
    client.post(reverse("teaching:plan_import_confirm", kwargs={"pk": batch.pk}))
    batch.refresh_from_db()
    assert batch.status == PlanImport.Status.DONE
    # A new plan from the list's link, with a bad line: the page lists the problem in Vietnamese.
    rows = _rows()
    rows[4][1] = 60
    form = {"level": PlanLevel.TEACHER, "group": str(school.group.pk), "subject_grade": "7|Toán",
            "file": SimpleUploadedFile("k.xlsx", _sheet(rows))}  # fmt: skip
    answer = client.post(reverse("teaching:plan_import_new"), form)
    bad = PlanImport.objects.latest("pk")
    assert answer.status_code == 302 and bad.status == PlanImport.Status.INVALID
    page = client.get(reverse("teaching:plan_import", kwargs={"pk": bad.pk}))
    assert "Tuần 60 không phải là số từ 1 đến 52." in page.text
    client.force_login(school.colleague)  # another teacher of the school does not see the file
    assert client.get(reverse("teaching:plan_import", kwargs={"pk": bad.pk})).status_code == 404
    client.force_login(school.stranger)
    assert client.get(reverse("teaching:plan_import_into", kwargs={"pk": linked.pk})).status_code == 404

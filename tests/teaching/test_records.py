"""The online-teaching records (issue #17, point 5): who sees which record, the archive refused for an open
year, read-only plans once the year has closed, the archive's content (every file listed by the index and
readable), the retention date and `purge_records`."""

import io
import zipfile
from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from courses.models import Course, LiveSession
from teaching import archive as archives
from teaching import services
from teaching.models import LessonMode, LiveLesson, PlanLesson, RecordArchive
from teaching.records import RETENTION_YEARS, record_of, retention_date
from teaching.selectors import online_share
from tests.accounts.factories import make_person
from tests.courses.factories import make_course
from units.models import AuditEntry, Role, SchoolYear

from .conftest import approve, group_plan, set_modes

pytestmark = pytest.mark.django_db


def close_year(label: str):
    """Make `label` a school year that ended yesterday (the Ministry's row), so its records are closed."""
    first = int(label[:4])
    start = timezone.datetime(first, 9, 1).date()
    end = timezone.localdate() - timedelta(days=1)
    return SchoolYear.objects.create(
        label=label,
        start=start,
        end=end,
        semester1_start=start,
        semester1_end=end - timedelta(days=2),
        semester2_start=end - timedelta(days=1),
        semester2_end=end,
    )


@pytest.fixture
def taught(school):
    """Toán 6 of G1, approved: row 1 live (a session that took place), row 2 live (nothing linked)."""
    course = make_course(unit=school.school, author=school.leader, kind=Course.Kind.LESSON, title="Toán 6 trực tuyến")
    session = LiveSession.objects.create(
        course=course, title="Tiết 1 trực tuyến", starts_at=timezone.now() - timedelta(hours=3),
        duration_minutes=45, url="https://meet.jit.si/toan6", created_by=school.leader,
    )  # fmt: skip
    # It took place: someone joined it through the portal (teaching's live lessons, point 4).
    LiveLesson.objects.create(session=session, first_join_at=session.starts_at + timedelta(minutes=2))
    plan = group_plan(school)
    set_modes(plan, school.leader, {1: LessonMode.LIVE, 2: LessonMode.LIVE}, {1: {"live_session_id": session.pk}})
    approve(plan, school)
    own = services.plan_create(
        actor=school.teacher, school=school.school, level="teacher", subject="Toán", grade=6, group=school.group,
        source=plan,
    )  # fmt: skip
    return plan, own, session


# --- who sees which record --------------------------------------------------------------------------


def _urls(school):
    return {
        "school": reverse("teaching:school_record", kwargs={"school_id": school.school.pk}),
        "group": reverse("teaching:group_record", kwargs={"group_id": school.group.pk}),
        "teacher": reverse(
            "teaching:teacher_record", kwargs={"school_id": school.school.pk, "user_id": school.teacher.pk}
        ),
    }


@pytest.mark.parametrize(
    ("who", "school_page", "group_page", "teacher_page"),
    [
        ("principal", 200, 200, 200),
        ("leader", 404, 200, 200),
        ("teacher", 404, 404, 200),
        ("colleague", 404, 404, 404),  # a teacher of another group of the same school
        ("stranger", 404, 404, 404),  # the principal of another school
    ],
)
def test_who_sees_which_record(client, school, taught, who, school_page, group_page, teacher_page):
    client.force_login(getattr(school, who))
    urls = _urls(school)
    assert client.get(urls["school"]).status_code == school_page
    assert client.get(urls["group"]).status_code == group_page
    assert client.get(urls["teacher"]).status_code == teacher_page


def test_the_record_page_lists_plans_trail_lessons_and_the_share(client, school, taught):
    plan, own, _session = taught
    client.force_login(school.principal)
    page = client.get(_urls(school)["school"]).content.decode()
    assert reverse("teaching:plan", kwargs={"pk": plan.pk}) in page
    assert reverse("teaching:plan", kwargs={"pk": own.pk}) in page
    assert "https://meet.jit.si/toan6" in page
    assert "Hồ sơ dạy học trực tuyến" in page  # in Vietnamese
    record = record_of(school=school.school, school_year=school.year)
    share = online_share(unit=school.school, school_year=school.year).schools[0]
    assert (record.share.planned, record.share.taught) == (share.total.planned, share.total.taught)
    assert [row.taught for row in record.lessons] == [True, False]
    assert {step.plan_id for steps in record.trails.values() for step in steps} == {plan.pk}
    teacher_record = record_of(school=school.school, school_year=school.year, teacher=school.teacher)
    assert [p.pk for p in teacher_record.plans] == [own.pk]
    group_record = record_of(school=school.school, school_year=school.year, group=school.group)
    assert (group_record.share.planned, group_record.share.programme) == (8, 140)


# --- an open year is refused; a closed one is read-only ----------------------------------------------


def test_an_archive_of_an_open_year_is_refused_and_nothing_is_made(client, school, taught, in_english):
    with pytest.raises(ValidationError) as refused:
        archives.archive_request(actor=school.principal, school=school.school, school_year=school.year)
    assert "still open" in refused.value.messages[0]
    client.force_login(school.principal)
    response = client.post(_urls(school)["school"], follow=True)
    assert "vẫn đang diễn ra" in response.content.decode()  # the Vietnamese message on the page
    assert not RecordArchive.objects.exists()


def test_a_closed_year_is_read_only(school, taught, in_english):
    plan, own, _session = taught
    close_year(school.year)
    lesson = PlanLesson.objects.filter(plan=own).first()
    with pytest.raises(ValidationError, match="read-only"):
        services.lesson_update(
            actor=school.teacher, lesson=lesson, title="Đổi", periods=lesson.periods, week=lesson.week, mode="direct"
        )
    with pytest.raises(ValidationError, match="read-only"):
        services.lesson_add(actor=school.teacher, plan=own)
    with pytest.raises(ValidationError, match="read-only"):
        services.plan_submit(actor=school.teacher, plan=own)
    with pytest.raises(ValidationError, match="read-only"):
        services.plan_create(
            actor=school.leader, school=school.school, level="group", subject="Ngữ văn", grade=6, group=school.group,
            school_year=school.year,
        )  # fmt: skip
    lesson.refresh_from_db()
    assert lesson.title != "Đổi" and PlanLesson.objects.filter(plan=own).count() == plan.lessons.count()


# --- the archive -----------------------------------------------------------------------------------


def test_the_archive_of_a_closed_year_lists_every_file_and_they_open(
    client, school, taught, django_capture_on_commit_callbacks
):
    close_year(school.year)
    client.force_login(school.principal)
    with django_capture_on_commit_callbacks(execute=True):  # built at once (no Redis: tasks run in-process)
        client.post(_urls(school)["school"], follow=True)
    archive = RecordArchive.objects.get()
    assert archive.status == RecordArchive.Status.READY, archive.error
    assert archive.retain_until == retention_date(timezone.localdate() - timedelta(days=1))
    end = timezone.localdate() - timedelta(days=1)
    assert (archive.retain_until - end).days in (365 * RETENTION_YEARS + 2, 365 * RETENTION_YEARS + 3)
    assert AuditEntry.objects.filter(action="teaching.records_archive").count() == 1

    response = client.get(reverse("teaching:archive_download", kwargs={"pk": archive.pk}))
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert AuditEntry.objects.filter(action="export.teaching_records").count() == 1
    with zipfile.ZipFile(io.BytesIO(content)) as zipped:
        names = set(zipped.namelist())
        index = load_workbook(io.BytesIO(zipped.read("index.xlsx")), read_only=True)
        listed = {row[1] for row in index.active.iter_rows(min_row=3, values_only=True)}
        assert listed == names  # the index lists every file, and nothing that is not there
        assert len(names) == archive.file_count == 5 + 2 * 2  # two plans, each as xlsx and PDF
        html = zipped.read("index.html").decode()
        assert all(name in html for name in names)
        for name in names:
            data = zipped.read(name)
            if name.endswith(".xlsx"):
                assert list(load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(values_only=True))
            elif name.endswith(".pdf"):
                text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
                assert "Toán" in text
        lessons = load_workbook(io.BytesIO(zipped.read("bai-day-truc-tuyen.xlsx")), read_only=True).active
        links = [row[7] for row in lessons.iter_rows(min_row=3, values_only=True)]
        assert "https://meet.jit.si/toan6" in links


def test_another_school_cannot_ask_for_or_download_the_archive(client, school, taught):
    close_year(school.year)
    archive = archives.archive_request(actor=school.principal, school=school.school, school_year=school.year)
    client.force_login(school.stranger)
    assert client.get(reverse("teaching:archive_download", kwargs={"pk": archive.pk})).status_code == 404
    assert client.post(_urls(school)["school"]).status_code == 404
    client.force_login(school.teacher)
    assert client.get(reverse("teaching:archive_download", kwargs={"pk": archive.pk})).status_code == 404
    assert RecordArchive.objects.count() == 1
    assert not AuditEntry.objects.filter(action="export.teaching_records").exists()


def test_a_teacher_archives_their_own_record(client, school, taught, django_capture_on_commit_callbacks):
    close_year(school.year)
    client.force_login(school.teacher)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_urls(school)["teacher"])
    archive = RecordArchive.objects.get()
    assert (archive.teacher, archive.group, archive.status) == (school.teacher, None, "ready")
    row = client.get(reverse("teaching:archive_status", kwargs={"pk": archive.pk})).content.decode()
    assert 'data-status="ready"' in row and "hx-get" not in row and "<html" not in row  # the row alone, done
    assert client.get(reverse("teaching:archive_download", kwargs={"pk": archive.pk})).status_code == 200


def test_purge_records_removes_only_archives_past_their_retention_date(
    school, taught, django_capture_on_commit_callbacks
):
    close_year(school.year)
    with django_capture_on_commit_callbacks(execute=True):
        old = archives.archive_request(actor=school.principal, school=school.school, school_year=school.year)
        kept = archives.archive_request(actor=school.principal, school=school.school, school_year=school.year)
    old.refresh_from_db()
    path = old.file.path
    RecordArchive.objects.filter(pk=old.pk).update(retain_until=timezone.localdate() - timedelta(days=1))
    out = StringIO()
    call_command("purge_records", "--dry-run", stdout=out)
    assert f"#{old.pk}" in out.getvalue() and f"#{kept.pk}" not in out.getvalue()
    assert RecordArchive.objects.get(pk=old.pk).status == "ready"
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_records", stdout=StringIO())
    old.refresh_from_db()
    assert (old.status, old.file.name) == ("purged", "")
    assert RecordArchive.objects.get(pk=kept.pk).status == "ready"
    import os

    assert not os.path.exists(path)
    assert AuditEntry.objects.filter(action="teaching.records_purge").count() == 1


def test_attendance_is_read_tolerantly_when_the_model_is_missing(school, taught):
    from teaching.records import attendance_counts

    assert attendance_counts([taught[2].pk]) == {}  # no attendance recorded (or no attendance model yet)
    assert attendance_counts([]) == {}


def test_a_student_of_the_school_sees_no_record(client, school, taught):
    student = make_person(unit=school.tree.c1, role=Role.STUDENT, full_name="Học Sinh")
    client.force_login(student)
    for url in _urls(school).values():
        assert client.get(url).status_code == 404


def test_the_record_page_costs_the_same_queries_for_one_plan_or_three(client, school, taught):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(school.principal)
    url = _urls(school)["school"]
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for subject in ("Ngữ văn", "Khoa học tự nhiên"):
        plan = group_plan(school, subject=subject)
        set_modes(plan, school.leader, {1: LessonMode.LMS, 2: LessonMode.LIVE})
        approve(plan, school)
    with CaptureQueriesContext(connection) as three:
        page = client.get(url)
    assert page.content.decode().count('href="/ke-hoach-day-hoc/') >= 4
    assert len(three) == len(one)


def test_the_plans_page_links_to_the_records_one_may_open(client, school, taught):
    client.force_login(school.leader)
    page = client.get(reverse("teaching:plans")).content.decode()
    own = reverse("teaching:teacher_record", kwargs={"school_id": school.school.pk, "user_id": school.leader.pk})
    assert _urls(school)["group"] in page and own in page
    assert _urls(school)["school"] not in page and _urls(school)["teacher"] not in page
    client.force_login(school.principal)
    assert _urls(school)["school"] in client.get(reverse("teaching:plans")).content.decode()


def test_the_directives_are_the_letters_on_online_teaching_the_school_received(school, taught):
    from teaching.archive import archive_write
    from tests.publications.test_letters import make_letter

    office = make_person(unit=school.tree.office_a1, role=Role.OFFICE_STAFF, full_name="Cán Bộ Phòng")
    online = make_letter(
        actor=office, issuer=school.tree.office_a1, number=12, symbol="PGDĐT-THCS", units=[school.school],
        subject="Hướng dẫn tổ chức dạy học trực tuyến học kì I",
    )  # fmt: skip
    make_letter(
        actor=office, issuer=school.tree.office_a1, number=13, symbol="PGDĐT-THCS", units=[school.school],
        subject="Kế hoạch thi đua khen thưởng",
    )  # fmt: skip
    make_letter(
        actor=office, issuer=school.tree.office_a1, number=14, symbol="PGDĐT-THCS", units=[school.tree.s2],
        subject="Dạy học trực tuyến ở trường khác",
    )  # fmt: skip
    record = record_of(school=school.school, school_year=school.year)
    assert [letter.pk for letter in record.directives] == [online.pk]
    handle = io.BytesIO()
    entries = archive_write(record, handle)
    with zipfile.ZipFile(handle) as zipped:
        assert {entry.name for entry in entries} == set(zipped.namelist())
        sheet = load_workbook(io.BytesIO(zipped.read("van-ban-chi-dao.xlsx")), read_only=True).active
        rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [(row[1], row[4]) for row in rows] == [("12/PGDĐT-THCS", "Hướng dẫn tổ chức dạy học trực tuyến học kì I")]


def test_no_record_of_someone_who_never_taught_at_the_school(client, school, taught):
    outsider = make_person(unit=school.tree.g3, role=Role.TEACHER, full_name="Người Trường Khác")
    client.force_login(school.principal)
    url = reverse("teaching:teacher_record", kwargs={"school_id": school.school.pk, "user_id": outsider.pk})
    assert client.get(url).status_code == 404

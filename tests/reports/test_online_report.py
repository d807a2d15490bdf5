"""The twice-yearly online-teaching report (issue #17, point 8): generated from the data as the school's
submission (xlsx + PDF) to its Office's report request; the numbers are online_share's at the semester's
end; a semester not ended is refused; who may send and see it."""

import io
from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from courses.models import Course, LiveSession
from publications.models import ReportRecipient, ReportSubmission
from publications.services.requests import report_request_create
from reports.online_report import online_report, online_report_submit
from teaching.models import LessonMode, LiveLesson
from teaching.selectors import online_share
from tests.accounts.factories import make_person
from tests.courses.factories import make_course
from tests.teaching.conftest import approve, group_plan, school, set_modes  # noqa: F401 (the fixture)
from units.models import Role, SchoolYear

pytestmark = pytest.mark.django_db


def end_semester_one(label: str) -> SchoolYear:
    """Semester 1 of `label` ended yesterday; semester 2 runs on (the Ministry's row)."""
    first = int(label[:4])
    yesterday = timezone.localdate() - timedelta(days=1)
    return SchoolYear.objects.create(
        label=label,
        start=date(first, 9, 1),
        end=date(first + 1, 8, 15),
        semester1_start=date(first, 9, 1),
        semester1_end=yesterday,
        semester2_start=yesterday + timedelta(days=1),
        semester2_end=date(first + 1, 5, 31),
    )


@pytest.fixture
def asked(school):  # noqa: F811
    """Toán 6 of G1 approved with 2 live rows, one held two days ago; the Office asks S1 for a report."""
    end_semester_one(school.year)
    course = make_course(unit=school.school, author=school.leader, kind=Course.Kind.LESSON, title="Toán 6")
    held = LiveSession.objects.create(
        course=course, title="Đã học", starts_at=timezone.now() - timedelta(days=2), duration_minutes=45,
        url="https://meet.jit.si/held", created_by=school.leader,
    )  # fmt: skip
    LiveLesson.objects.create(session=held, first_join_at=held.starts_at)  # it took place: someone joined
    plan = group_plan(school)
    set_modes(plan, school.leader, {1: LessonMode.LIVE, 2: LessonMode.LIVE}, {1: {"live_session_id": held.pk}})
    approve(plan, school)
    office = make_person(unit=school.tree.office_a1, role=Role.OFFICE_STAFF, full_name="Cán Bộ Phòng")
    request = report_request_create(
        actor=office, issuer=school.tree.office_a1, title="Báo cáo dạy học trực tuyến HK1",
        instructions="Gửi kết quả dạy học trực tuyến học kì 1.", deadline=timezone.now() + timedelta(days=7),
        units=[school.school],
    )  # fmt: skip
    recipient = ReportRecipient.objects.get(request=request, unit=school.school)
    return recipient, office, plan


def test_the_report_numbers_are_online_shares_at_the_semester_end(school, asked):  # noqa: F811
    report = online_report(school=school.school, school_year=school.year, semester=1)
    end = timezone.make_aware(datetime.combine(report.end, time.max))
    share = online_share(unit=school.school, school_year=school.year, as_of=end).schools[0]

    def figures(rows):
        return [
            (r.subject, r.grade, r.programme, r.planned, r.taught, r.planned_percent, r.taught_percent) for r in rows
        ]

    assert figures(row.share for row in report.rows) == figures(share.rows)
    assert (report.share.total.planned, report.share.total.taught) == (share.total.planned, share.total.taught)
    toan = next(row for row in report.rows if (row.share.subject, row.share.grade) == ("Toán", 6))
    assert (toan.share.planned, toan.share.taught, toan.lessons, toan.held) == (8, 4, 2, 1)
    assert report.plans_approved == 1
    # Held two days ago, before the semester ended: today's share says the same.
    assert online_share(unit=school.school, school_year=school.year).schools[0].total.taught == share.total.taught


def test_a_semester_not_ended_is_refused_and_nothing_is_sent(client, school, asked, in_english):  # noqa: F811
    recipient, _office, _plan = asked
    with pytest.raises(ValidationError, match="has not ended yet"):
        online_report_submit(actor=school.principal, recipient=recipient, school_year=school.year, semester=2)
    client.force_login(school.principal)
    url = reverse("reports:online_report", kwargs={"pk": recipient.pk})
    page = client.get(url, {"year": school.year[:4], "semester": 2}).content.decode()
    assert "chưa kết thúc" in page  # the Vietnamese message
    client.post(url, {"year": school.year[:4], "semester": 2})
    assert not ReportSubmission.objects.exists()
    recipient.refresh_from_db()
    assert recipient.status == ReportRecipient.Status.MISSING


def test_the_school_sends_it_and_the_office_downloads_xlsx_and_pdf(client, school, asked):  # noqa: F811
    recipient, office, _plan = asked
    client.force_login(school.principal)
    url = reverse("reports:online_report", kwargs={"pk": recipient.pk})
    page = client.get(url, {"year": school.year[:4], "semester": 1})
    assert page.status_code == 200 and b"online-report-rows" in page.content
    client.post(url, {"year": school.year[:4], "semester": 1})
    submissions = list(ReportSubmission.objects.filter(recipient=recipient).order_by("version"))
    assert [s.original_name.rsplit(".", 1)[1] for s in submissions] == ["xlsx", "pdf"]
    recipient.refresh_from_db()
    assert (recipient.status, recipient.version_count) == (ReportRecipient.Status.ON_TIME, 2)

    client.force_login(office)
    share = online_share(unit=school.school, school_year=school.year).schools[0]
    files = {}
    for submission in submissions:
        response = client.get(reverse("publications:submission_file", kwargs={"pk": submission.pk}))
        assert response.status_code == 200
        files[submission.original_name.rsplit(".", 1)[1]] = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(files["xlsx"]), read_only=True).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    total = next(row for row in rows if row[0] == "Toàn trường")
    assert (total[2], total[3], total[5]) == (share.total.programme, share.total.planned, share.total.taught)
    toan = next(row for row in rows if row[:2] == ("Toán", 6))
    assert (toan[3], toan[5], toan[7], toan[8]) == (8, 4, 2, 1)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(files["pdf"])).pages)
    assert "Toán" in text and school.school.name in text


@pytest.mark.parametrize("who", ["teacher", "leader", "stranger"])
def test_only_the_schools_managers_open_the_report_page(client, school, asked, who):  # noqa: F811
    recipient, _office, _plan = asked
    client.force_login(getattr(school, who))
    assert client.get(reverse("reports:online_report", kwargs={"pk": recipient.pk})).status_code == 404
    with pytest.raises(ValidationError):
        online_report_submit(actor=getattr(school, who), recipient=recipient, school_year=school.year, semester=1)
    assert not ReportSubmission.objects.exists()


def test_the_office_does_not_answer_for_the_school(client, school, asked):  # noqa: F811
    recipient, office, _plan = asked
    client.force_login(office)
    assert client.get(reverse("reports:online_report", kwargs={"pk": recipient.pk})).status_code == 404

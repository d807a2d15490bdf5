"""Grade-entry progress for Offices, Departments and the Ministry: a figure of the participation snapshots,
computed by the same recompute (full and incremental agree), flagged against a target, read by the
dashboard from snapshots only, and one click to ask the schools behind for a report."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from publications.models import ReportRecipient, ReportRequest
from reports.models import UnitStat
from reports.services import stats_recompute
from tests.accounts.factories import make_person
from units import periods
from units.models import Role
from units.selectors import school_year_for


def _semester():
    """Semester 1 of this school year, where the fixture's marks are (whatever today's semester)."""
    return periods.semester_period(school_year_for(None), 1)


def _stat(unit, period):
    row = UnitStat.objects.get(unit=unit, period_kind=period.kind, period_start=period.start)
    return (row.marks_expected, row.marks_entered, row.marks_missed)


def test_the_recompute_stores_grade_entry_per_school_and_adds_it_up(filled):
    semester, year = _semester(), periods.year_period(school_year_for(None))
    stats_recompute(periods=[year, semester])
    tree = filled.tree
    for unit in (tree.s1, tree.office_a1, tree.dept_a, tree.ministry):
        assert _stat(unit, semester) == (28, 8, 11)
    assert _stat(tree.s2, semester) == (0, 0, 0)
    assert _stat(tree.s1, year)[:2] == (28, 8)  # semester 2 has no assignment yet
    full = {
        (r.unit_id, r.period_kind): _stat(r.unit, semester) for r in UnitStat.objects.filter(period_kind="semester")
    }
    stats_recompute(unit=tree.s1, periods=[year, semester])
    again = {
        (r.unit_id, r.period_kind): _stat(r.unit, semester) for r in UnitStat.objects.filter(period_kind="semester")
    }
    assert again == full


def test_the_dashboard_reads_snapshots_only_and_flags_the_school_behind(client, filled):
    semester = _semester()
    stats_recompute(periods=[semester])
    staff = make_person(unit=filled.tree.dept_a, role=Role.DEPARTMENT_STAFF)
    client.force_login(staff)
    url = reverse("reports:dashboard", args=[filled.tree.dept_a.pk]) + f"?period={semester.key}"
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(url)
    assert page.status_code == 200
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "gradebook_" not in sql
    assert len(ctx.captured_queries) <= 25
    html = page.content.decode()
    assert 'data-testid="total-grade-entry"' in html
    assert "28,6" in html or "28.6" in html
    assert "11 điểm còn trống khi đã quá hạn nhập" in html
    assert 'data-testid="grade-entry-request"' in html


def test_one_click_sends_a_report_request_to_the_schools_behind(client, filled):
    semester = _semester()
    stats_recompute(periods=[semester])
    staff = make_person(unit=filled.tree.dept_a, role=Role.DEPARTMENT_STAFF)
    client.force_login(staff)
    url = reverse("reports:grade_entry_request", args=[filled.tree.dept_a.pk]) + f"?period={semester.key}"
    page = client.get(url)
    assert page.status_code == 200 and ReportRequest.objects.count() == 0  # a confirmation first
    assert [row.unit for row in page.context["behind"]] == [filled.school]
    token = str(page.context["token"])
    sent = client.post(url, {"token": token, "period": semester.key})
    assert sent.status_code == 302
    request = ReportRequest.objects.get()
    assert request.issuer == filled.tree.dept_a and "vào điểm" in request.title
    assert list(ReportRecipient.objects.filter(request=request).values_list("unit", flat=True)) == [filled.school.pk]
    client.post(url, {"token": token, "period": semester.key})  # a double click: still one request
    assert ReportRequest.objects.count() == 1


def test_nobody_outside_asks_and_nothing_is_sent_when_no_school_is_behind(client, filled, tree):
    semester = _semester()
    stats_recompute(periods=[semester])
    client.force_login(filled.principal)
    assert client.get(reverse("reports:grade_entry_request", args=[tree.dept_a.pk])).status_code == 404
    staff_b = make_person(unit=tree.dept_b, role=Role.DEPARTMENT_STAFF)
    client.force_login(staff_b)
    url = reverse("reports:grade_entry_request", args=[tree.dept_b.pk]) + f"?period={semester.key}"
    page = client.get(url)
    assert page.status_code == 200 and page.context["behind"] == []
    client.post(url, {"token": str(page.context["token"]), "period": semester.key})
    assert ReportRequest.objects.count() == 0

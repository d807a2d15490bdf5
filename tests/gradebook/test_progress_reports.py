"""Grade-entry progress for Offices, Departments and the Ministry: a figure of the participation snapshots,
computed by the same recompute (full and incremental agree), flagged against a target, read by the
dashboard from snapshots only, and one click to ask the schools behind for a report."""

import pytest
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


# --- the progress page of an Office, a Department or the Ministry (reports:grade_entry) -----------------


def _complete_school(tree):
    """S2 with one class, one student and every Toán cell of semester 1 entered: not behind."""
    from gradebook import services
    from tests.units.factories import make_unit

    klass = make_unit(tree.s2, "class", "6B", grade=6)
    principal = make_person(unit=tree.s2, role=Role.PRINCIPAL)
    teacher = make_person(unit=tree.g3, role=Role.TEACHER)
    student = make_person(unit=klass, role=Role.STUDENT)
    services.assignment_set(actor=principal, school_class=klass, subject="Toán", semester=1, teacher=teacher)
    for kind, index in (("tx", 1), ("tx", 2), ("tx", 3), ("tx", 4), ("gk", 1), ("ck", 1)):
        services.mark_set(actor=teacher, student_id=student.pk, school_class=klass, subject="Toán", semester=1,
                          kind=kind, index=index, value="8")  # fmt: skip


def _page(client, unit, semester, **params):
    from urllib.parse import urlencode

    query = urlencode({"period": semester.key, **params})
    return client.get(reverse("reports:grade_entry", args=[unit.pk]) + "?" + query)


def test_the_progress_page_lists_the_units_below_with_the_behind_flag_search_and_filter(client, filled):
    tree, semester = filled.tree, _semester()
    _complete_school(tree)
    stats_recompute(periods=[semester])
    client.force_login(make_person(unit=tree.office_a1, role=Role.OFFICE_STAFF))
    page = _page(client, tree.office_a1, semester)
    assert page.status_code == 200
    rows = {row["code"]: row for row in page.context["rows"]}
    assert set(rows) == {tree.s1.code, tree.s2.code}
    assert rows[tree.s1.code]["behind"] and not rows[tree.s2.code]["behind"]
    complete = rows[tree.s2.code]
    assert (complete["expected"], complete["entered"], complete["percent"]) == ("6", "6", "100%")
    assert rows[tree.s1.code]["missed"] == "11" and rows[tree.s1.code]["percent"] == "28,6%"
    assert [row["code"] for row in page.context["rows"]] == [tree.s1.code, tree.s2.code]  # least entered first
    html = page.content.decode()
    assert 'data-testid="computed-at"' in html and "Số liệu tổng hợp lúc" in html
    assert 'data-testid="grade-entry-request"' in html  # the one click that exists
    assert rows[tree.s1.code]["url"].startswith(reverse("gradebook:progress_school", args=[tree.s1.pk]))
    # Search without accents, "behind only", another sort.
    assert [r["code"] for r in _page(client, tree.office_a1, semester, q="tien tan").context["rows"]] == [tree.s2.code]
    assert [r["code"] for r in _page(client, tree.office_a1, semester, behind="1").context["rows"]] == [tree.s1.code]
    named = _page(client, tree.office_a1, semester, sort="name", dir="desc").context["rows"]
    assert [r["code"] for r in named] == [tree.s1.code, tree.s2.code]  # Trần Phú after Tiên Tân, reversed
    assert _page(client, tree.office_a1, semester, q="khong co").context["rows"] == []
    # The Department sees its Offices (the sum of their schools) and the school it manages directly.
    client.force_login(make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF))
    dept = {row["code"]: row for row in _page(client, tree.dept_a, semester).context["rows"]}
    assert set(dept) == {tree.office_a1.code, tree.office_a2.code, tree.t1.code}
    assert dept[tree.office_a1.code]["expected"] == "34" and dept[tree.office_a1.code]["behind"]
    assert dept[tree.office_a1.code]["url"].startswith(reverse("reports:grade_entry", args=[tree.office_a1.pk]))
    # The dashboard's grade-entry figure links to the page.
    board = client.get(reverse("reports:dashboard", args=[tree.dept_a.pk]) + f"?period={semester.key}").content.decode()
    assert 'data-testid="grade-entry-link"' in board
    assert reverse("reports:grade_entry", args=[tree.dept_a.pk]) in board


def test_the_progress_page_for_the_right_role_only(client, filled, tree):
    semester = _semester()
    stats_recompute(periods=[semester])
    ministry = make_person(unit=tree.ministry, role=Role.MINISTRY_STAFF)
    client.force_login(ministry)
    assert _page(client, tree.dept_a, semester).status_code == 200
    assert _page(client, tree.ministry, semester).status_code == 200
    assert _page(client, tree.s1, semester).status_code == 404  # a school has its own page (gradebook)
    for person in (filled.principal, filled.maths, filled.students[0]):  # the school's people: not this page
        client.force_login(person)
        assert _page(client, tree.office_a1, semester).status_code == 404
    client.force_login(make_person(unit=tree.dept_b, role=Role.DEPARTMENT_STAFF))  # another Department
    assert _page(client, tree.dept_a, semester).status_code == 404
    assert _page(client, tree.office_a1, semester).status_code == 404
    assert _page(client, tree.dept_b, semester).status_code == 200
    client.logout()
    assert _page(client, tree.dept_a, semester).status_code == 302


def test_the_progress_page_costs_the_same_queries_for_3_or_10_schools(client, filled, tree):
    from units.services import UnitSpec, units_bulk_create

    semester = _semester()
    client.force_login(make_person(unit=tree.office_a1, role=Role.OFFICE_STAFF))

    def queries():
        stats_recompute(periods=[semester])
        client.get(reverse("reports:grade_entry", args=[tree.office_a1.pk]))  # warm the session
        with CaptureQueriesContext(connection) as ctx:
            page = _page(client, tree.office_a1, semester)
        assert page.status_code == 200
        assert "gradebook_" not in " ".join(q["sql"] for q in ctx.captured_queries)  # snapshots only
        return len(page.context["rows"]), len(ctx.captured_queries)

    def add(n, start):
        units_bulk_create(actor=None, parent=tree.office_a1, specs=[
            UnitSpec(code=f"GE-{i}", name=f"Trường THCS số {i}", kind="school", school_level="thcs")
            for i in range(start, start + n)
        ])  # fmt: skip

    add(1, 0)
    three = queries()
    add(7, 1)
    ten = queries()
    assert (three[0], ten[0]) == (3, 10)
    assert three[1] == ten[1] <= 12


def test_the_kept_totals_carry_the_request_button_only_for_those_who_may_ask(client, filled, monkeypatch):
    """The totals are kept with the rest of the figures (reports.views._figures); the button is the viewer's."""
    from reports import views

    semester = _semester()
    stats_recompute(periods=[semester])
    staff = make_person(unit=filled.tree.dept_a, role=Role.DEPARTMENT_STAFF)
    client.force_login(staff)
    url = reverse("reports:dashboard", args=[filled.tree.dept_a.pk]) + f"?period={semester.key}"
    first = client.get(url).content.decode()
    assert 'data-testid="grade-entry-request"' in first and views.REQUEST_SLOT not in first
    monkeypatch.setattr(views, "can_issue_report_request", lambda user, unit: False)
    monkeypatch.setattr(views, "level_summary", lambda **kwargs: pytest.fail("the figures were built again"))
    second = client.get(url).content.decode()
    assert 'data-testid="total-grade-entry"' in second and views.REQUEST_SLOT not in second
    assert 'data-testid="grade-entry-request"' not in second

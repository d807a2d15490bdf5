"""Live lessons with attendance (issue #17, point 4): a class of 45 students joins a live lesson through the
portal, then the teacher opens the attendance sheet and confirms it (absences filed in the grade book).

Prints the joins per second (each join through `teaching.attendance.live_join`: checks, lock, one row), the
sheet page's p50/p95 and queries, and the confirmation's p50/p95 and queries (a correction each run, so
the grade book rows are rewritten every time).
Usage: python bench/bench_live_attendance.py [--students 45] [--runs 20]
"""

import argparse
import statistics
import time
from datetime import timedelta

from _setup import engine, page_timings, scratch_database


def build(students: int):
    from django.utils import timezone

    from accounts.models import User
    from courses.models import Course, Enrolment, LiveSession
    from units.models import Role, Unit
    from units.services import role_assign, unit_create

    kind = Unit.Kind
    ministry = unit_create(actor=None, parent=None, code="BGDDT", name="Bộ Giáo dục và Đào tạo", kind=kind.MINISTRY)
    dept = unit_create(actor=None, parent=ministry, code="SGD-HN", name="Sở GDĐT Hà Nam", kind=kind.DEPARTMENT)
    office = unit_create(actor=None, parent=dept, code="PGD-PL", name="Phòng GDĐT Phủ Lý", kind=kind.OFFICE)
    school = unit_create(
        actor=None, parent=office, code="THCS-1", name="Trường THCS số 1", kind=kind.SCHOOL, school_level="thcs"
    )
    group = unit_create(actor=None, parent=school, code="TO-1", name="Tổ Tự nhiên", kind=kind.GROUP)
    school_class = unit_create(actor=None, parent=school, code="6A1", name="6A1", kind=kind.CLASS, grade=6)
    teacher = User.objects.create(username="gv", full_name="Nguyễn Văn Toán", account_type="teacher", unit=school)
    role_assign(actor=None, user=teacher, unit=group, role=Role.TEACHER)
    course = Course.objects.create(
        unit=school, author=teacher, kind="lesson", title="Toán 6", subject="Toán", grade=6, status="published",
        published_at=timezone.now(), audience_unit=school,
    )  # fmt: skip
    learners = []
    for n in range(students):
        learner = User.objects.create(
            username=f"hs{n}", full_name=f"Học Sinh {n:02d}", account_type="student", unit=school
        )
        role_assign(actor=None, user=learner, unit=school_class, role=Role.STUDENT)
        learners.append(learner)
    Enrolment.objects.bulk_create([Enrolment(course=course, user=u, enrolled_by=u) for u in learners])
    session = LiveSession.objects.create(
        course=course, title="Phân số", starts_at=timezone.now() - timedelta(minutes=10), duration_minutes=45,
        url="https://meet.jit.si/toan-6a1", created_by=teacher,
    )  # fmt: skip
    return teacher, learners, session


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=45)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with scratch_database():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        from django.urls import reverse

        from teaching.attendance import attendance_confirm, live_join
        from teaching.models import AttendanceStatus

        teacher, learners, session = build(args.students)
        # Three of four join (some twice), the rest never do.
        joining = [u for i, u in enumerate(learners) if i % 4]
        started = time.perf_counter()
        joins = 0
        for i, learner in enumerate(joining):
            for _ in range(2 if i % 3 == 0 else 1):
                live_join(user=learner, session=session)
                joins += 1
        elapsed = time.perf_counter() - started
        with CaptureQueriesContext(connection) as one:
            live_join(user=joining[0], session=session)
        print(
            f"engine {engine()}; {args.students} students; {joins} joins: {joins / elapsed:.0f} joins/s, "
            f"{len(one)} queries each"
        )
        p50, p95, queries = page_timings(reverse("teaching:attendance", args=[session.pk]), "gv", args.runs)
        print(f"attendance sheet: p50 {p50:.1f} ms, p95 {p95:.1f} ms, {queries} queries")
        times = []
        cycle = [AttendanceStatus.EXCUSED, AttendanceStatus.UNEXCUSED]
        for run in range(args.runs):
            statuses = {u.pk: cycle[run % 2] for u in learners if u not in joining}
            begin = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                attendance_confirm(actor=teacher, session=session, statuses=statuses)
            times.append((time.perf_counter() - begin) * 1000)
        times.sort()
        print(
            f"confirm (absences to the grade book): p50 {statistics.median(times):.1f} ms, "
            f"p95 {times[max(0, int(len(times) * 0.95) - 1)]:.1f} ms, {len(captured)} queries"
        )


if __name__ == "__main__":
    main()

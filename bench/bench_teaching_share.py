"""The online share (issue #17, point 2): a THCS school of 2,000 students' plans, recomputed.

Each school: grades 6–9 (44 classes), one approved group plan per subject and grade (48) and one approved
teacher plan per teacher and subject (80), every plan pre-filled week by week from the programme with a
tenth of its rows online, half of them linked to a live session that took place. Written in bulk (the
data, not the services, are under test). Times `teaching.selectors.online_share` for the school (and, with
--schools N, for the Office of N such schools) and counts its queries.
Target (issue #17): a 2,000-student school's figures in under 2 s.
Usage: python bench/bench_teaching_share.py [--schools 1] [--runs 10]
"""

import argparse
import statistics
import time
from datetime import timedelta

from _setup import engine, scratch_database

CLASSES_PER_GRADE = 11
TEACHERS = 80


def build(schools: int):
    from django.utils import timezone

    from accounts.models import User
    from approvals.models import Status
    from courses.models import Course, LiveSession
    from gradebook.services import current_school_year
    from teaching.models import LessonMode, LiveLesson, PlanLesson, PlanLevel, TeachingPlan
    from teaching.services import programme_of_year, programme_rows
    from units.models import Role, Unit
    from units.services import role_assign, unit_create

    kind = Unit.Kind
    ministry = unit_create(actor=None, parent=None, code="BGDDT", name="Bộ Giáo dục và Đào tạo", kind=kind.MINISTRY)
    dept = unit_create(actor=None, parent=ministry, code="SGD-HN", name="Sở GDĐT Hà Nam", kind=kind.DEPARTMENT)
    office = unit_create(actor=None, parent=dept, code="PGD-PL", name="Phòng GDĐT Phủ Lý", kind=kind.OFFICE)
    year = None
    for n in range(schools):
        school = unit_create(
            actor=None, parent=office, code=f"THCS-{n}", name=f"Trường THCS số {n}", kind=kind.SCHOOL,
            school_level="thcs",
        )  # fmt: skip
        group = unit_create(actor=None, parent=school, code=f"TO-{n}", name="Tổ Tự nhiên", kind=kind.GROUP)
        for grade in range(6, 10):
            for c in range(CLASSES_PER_GRADE):
                unit_create(
                    actor=None, parent=school, code=f"L{n}-{grade}-{c}", name=f"{grade}A{c + 1}", kind=kind.CLASS,
                    grade=grade,
                )  # fmt: skip
        leader = User.objects.create(username=f"tt{n}", full_name="Tổ Trưởng", account_type="teacher", unit=school)
        role_assign(actor=None, user=leader, unit=group, role=Role.GROUP_LEADER)
        teachers = [
            User.objects.create(username=f"gv{n}-{t}", full_name=f"Giáo Viên {t}", account_type="teacher", unit=school)
            for t in range(TEACHERS)
        ]
        year = year or current_school_year(school)
        programme = sorted((k, v) for k, v in programme_of_year(year).items() if 6 <= k[0] <= 9)
        course = Course.objects.create(
            unit=school, author=leader, kind="lesson", title="Học trực tuyến", status="published",
            published_at=timezone.now(), audience_unit=school,
        )  # fmt: skip
        session = LiveSession.objects.create(
            course=course, title="Buổi học", starts_at=timezone.now() - timedelta(days=1), url="https://meet.jit.si/a",
            created_by=leader,
        )  # fmt: skip
        # It took place: someone joined it through the portal (what "taught" reads since point 4).
        LiveLesson.objects.create(session=session, first_join_at=session.starts_at + timedelta(minutes=1))
        plans = [
            TeachingPlan(school=school, unit=group, level=PlanLevel.GROUP, school_year=year, subject=subject,
                         grade=grade, author=leader, status=Status.APPROVED, shared_with=school)
            for (grade, subject), _p in programme
        ]  # fmt: skip
        plans += [
            TeachingPlan(school=school, unit=group, level=PlanLevel.TEACHER, school_year=year, subject=subject,
                         grade=grade, author=teachers[t], status=Status.APPROVED, shared_with=school)
            for t in range(TEACHERS)
            for (grade, subject), _p in [programme[t % len(programme)]]
        ]  # fmt: skip
        TeachingPlan.objects.bulk_create(plans)
        periods_of = dict(programme)
        lessons = []
        for plan in plans:
            for position, (week, periods) in enumerate(programme_rows(periods_of[(plan.grade, plan.subject)]), 1):
                online = position % 10 == 0
                lessons.append(PlanLesson(
                    plan=plan, position=position, title=f"Bài {position}", periods=periods, week=week,
                    mode=LessonMode.LIVE if online else LessonMode.DIRECT,
                    live_session=session if online and position % 20 == 0 else None,
                ))  # fmt: skip
        PlanLesson.objects.bulk_create(lessons, batch_size=2000)
    return office, Unit.objects.get(code="THCS-0"), year


def timed(runs: int, call) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call()  # warm the programme's cache
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)], len(queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schools", type=int, default=1)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with scratch_database():
        from teaching.models import PlanLesson, TeachingPlan
        from teaching.selectors import online_share

        started = time.perf_counter()
        office, school, year = build(args.schools)
        print(f"engine {engine()}; built {TeachingPlan.objects.count()} plans, {PlanLesson.objects.count()} lessons "
              f"for {args.schools} school(s) in {time.perf_counter() - started:.1f} s")  # fmt: skip
        p50, p95, queries = timed(args.runs, lambda: online_share(unit=school, school_year=year))
        print(f"school share: p50 {p50:.0f} ms, p95 {p95:.0f} ms, {queries} queries")
        if args.schools > 1:
            p50, p95, queries = timed(max(1, args.runs // 5), lambda: online_share(unit=office, school_year=year))
            print(f"office of {args.schools} schools: p50 {p50:.0f} ms, p95 {p95:.0f} ms, {queries} queries")


if __name__ == "__main__":
    main()

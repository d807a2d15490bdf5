"""The online share of a province recomputed in Celery (issue #17, points 2–3): reports.tasks.share_recompute.

A Department of 10 Offices and --schools THCS schools (500 by default), each with one approved group plan per
subject of grades 6–9 (48 plans), pre-filled week by week from the programme with a tenth of the rows online
(about 1,700 lessons a school), written in bulk (the data, not the services, are under test). The snapshots
are computed once (not timed); then the whole province's share is recomputed by the task — one school per
task, then the roll-up — run in-process, one school after the other, so the figure is what ONE worker takes
(N workers divide it). Then the 2,000-student school of bench_teaching_share.py (128 plans, 4,480 lessons)
alone: one school's task.
Targets (issue #17): the province under 60 s in Celery; a 2,000-student school under 2 s.
Usage: python bench/bench_share_province.py [--schools 500]
"""

import argparse
import time

from _setup import engine, scratch_database

OFFICES = 10


def build(schools: int):
    from django.utils import timezone

    from accounts.models import User
    from approvals.models import Status
    from gradebook.services import current_school_year
    from teaching.models import LessonMode, PlanLesson, PlanLevel, TeachingPlan
    from teaching.services import programme_of_year, programme_rows
    from units.models import Unit
    from units.services import UnitSpec, unit_create, units_bulk_create

    kind = Unit.Kind
    ministry = Unit.objects.filter(kind=kind.MINISTRY).first() or unit_create(
        actor=None, parent=None, code="BGDDT", name="Bộ Giáo dục và Đào tạo", kind=kind.MINISTRY
    )
    dept = unit_create(actor=None, parent=ministry, code="SGD-NB", name="Sở GDĐT Ninh Bình", kind=kind.DEPARTMENT)
    offices = units_bulk_create(
        actor=None, parent=dept,
        specs=[UnitSpec(code=f"PGD-{o}", name=f"Phòng GDĐT số {o}", kind=kind.OFFICE) for o in range(OFFICES)],
    )  # fmt: skip
    all_schools = []
    for o, office in enumerate(offices):
        count = schools // OFFICES + (1 if o < schools % OFFICES else 0)
        all_schools += units_bulk_create(
            actor=None, parent=office,
            specs=[UnitSpec(code=f"THCS-{o}-{n}", name=f"Trường THCS {o}-{n}", kind=kind.SCHOOL, school_level="thcs")
                   for n in range(count)],
        )  # fmt: skip
    year = current_school_year(all_schools[0])
    programme = sorted((k, v) for k, v in programme_of_year(year).items() if 6 <= k[0] <= 9)
    leader = User.objects.create(username="tt-tinh", full_name="Tổ Trưởng", account_type="teacher", unit=dept)
    now = timezone.now()
    for start in range(0, len(all_schools), 50):
        plans = [
            TeachingPlan(school=school, unit=school, level=PlanLevel.GROUP, school_year=year, subject=subject,
                         grade=grade, author=leader, status=Status.APPROVED, shared_with=school, created_at=now,
                         updated_at=now)
            for school in all_schools[start : start + 50]
            for (grade, subject), _p in programme
        ]  # fmt: skip
        TeachingPlan.objects.bulk_create(plans, batch_size=2000)
        periods_of = dict(programme)
        lessons = [
            PlanLesson(plan=plan, position=position, title=f"Bài {position}", periods=periods, week=week,
                       mode=LessonMode.LMS if position % 10 == 0 else LessonMode.DIRECT)
            for plan in plans
            for position, (week, periods) in enumerate(programme_rows(periods_of[(plan.grade, plan.subject)]), 1)
        ]  # fmt: skip
        PlanLesson.objects.bulk_create(lessons, batch_size=5000)
    return dept


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schools", type=int, default=500)
    args = parser.parse_args()
    with scratch_database():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from reports.models import UnitStat
        from reports.services import stats_recompute
        from reports.tasks import share_recompute
        from teaching.models import PlanLesson, TeachingPlan
        from units.models import Unit
        from units.periods import current_periods

        started = time.perf_counter()
        dept = build(args.schools)
        print(f"engine {engine()}; built {args.schools} schools, {TeachingPlan.objects.count()} plans, "
              f"{PlanLesson.objects.count()} lessons in {time.perf_counter() - started:.1f} s")  # fmt: skip
        periods = current_periods()[:3]  # all time, the school year, the semester
        started = time.perf_counter()
        stats_recompute(periods=periods, share=False)
        print(f"snapshots without the share (not part of the target): {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            rows = share_recompute(dept.pk)
        seconds = time.perf_counter() - started
        own = UnitStat.objects.get(unit=dept, period_kind="all")
        print(f"province share recompute: {seconds:.1f} s for {args.schools} schools ({rows} rows updated, "
              f"{len(queries)} queries, {len(queries) / max(1, args.schools):.1f} a school), one worker; "
              f"target < 60 s")  # fmt: skip
        print(f"  the Department: {own.secondary_planned_rate}% planned online "
              f"({own.secondary_planned} of {own.secondary_programme} periods)")  # fmt: skip

        # The 2,000-student school of bench_teaching_share.py, alone: one school's task.
        import bench_teaching_share

        Unit.objects.filter(kind=Unit.Kind.MINISTRY).update(code="BGDDT-0")  # its build makes its own Ministry
        office, school, _year = bench_teaching_share.build(1)
        stats_recompute(unit=office, periods=periods, share=False)
        from reports.tasks import share_recompute_school

        today = periods[0].end.isoformat()
        share_recompute_school([school.pk], today)  # warm the programme's cache
        times = []
        for _ in range(5):
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                share_recompute_school([school.pk], today)
            times.append(time.perf_counter() - started)
        stat = UnitStat.objects.get(unit=school, period_kind="all")
        print(f"2,000-student school ({TeachingPlan.objects.filter(school=school).count()} plans, "
              f"{PlanLesson.objects.filter(plan__school=school).count()} lessons): best {min(times) * 1000:.0f} ms, "
              f"worst {max(times) * 1000:.0f} ms, {len(queries)} queries; target < 2 s "
              f"({stat.share_planned_rate}% planned online)")  # fmt: skip


if __name__ == "__main__":
    main()

"""Grade book: recomputing every average and result (issue #16, "Speed and scale").

Targets: a 2,000-student school (12 subjects × ~6 columns × 2 semesters ≈ 250–400k marks) under 2 s; a
province of 500,000 students (≈60 million marks) under 5 minutes in Celery with peak memory under 1 GB.

The province path (`gradebook.tasks.recompute_results`) goes school by school, each school streamed in
student order, so memory depends on one school, not on the province. This script builds `--schools`
schools of `--students` students each (bulk inserts), times the one-school recompute, then the task over
all of them, and prints seconds, queries, marks/s, the peak resident memory and the extrapolation to
500,000 students. Usage: python bench/bench_gradebook_recompute.py [--students 2000] [--schools 3]
"""

import argparse
import os
import resource
import time
from decimal import Decimal

from _setup import engine, scratch_database


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_school(parent, number: int, students: int, year: str) -> tuple:
    """A THCS school with classes of 45 (grades 6–9) and every column of every subject filled."""
    import random

    from accounts.models import User
    from gradebook.models import Mark, SubjectRule
    from units.models import Unit
    from units.services import unit_create

    rng = random.Random(number)
    school = unit_create(
        actor=None,
        parent=parent,
        code=f"BGB{number}",
        name=f"THCS Bench {number}",
        kind=Unit.Kind.SCHOOL,
        school_level="thcs",
    )
    rules: dict[int, list] = {}
    for rule in SubjectRule.objects.filter(school_year=year, regulation="tt22_2021", grade__in=[6, 7, 8, 9]):
        rules.setdefault(rule.grade, []).append(rule)
    classes = []
    for index in range((students + 44) // 45):
        grade = 6 + index % 4
        classes.append(
            unit_create(
                actor=None,
                parent=school,
                code=f"BGB{number}C{index}",
                name=f"{grade}A{index}",
                kind=Unit.Kind.CLASS,
                grade=grade,
            )
        )
    users = [
        User(
            username=f"bgb{number}s{n}",
            full_name=f"Học sinh {n}",
            name_folded=f"hoc sinh {n}",
            name_sort=f"hoc sinh {n}",
            unit=school,
            account_type="student",
            password="!",
        )
        for n in range(students)
    ]
    User.objects.bulk_create(users, batch_size=5000)
    ids = list(User.objects.filter(username__startswith=f"bgb{number}s").values_list("pk", flat=True))
    marks, count = [], 0
    for n, student_id in enumerate(ids):
        school_class = classes[n // 45]
        for rule in rules[school_class.grade]:
            for semester in (1, 2):
                columns = [("tx", i) for i in range(1, rule.regular_count + 1)] + [("gk", 1), ("ck", 1)]
                for kind, index in columns:
                    if rule.by_comment:
                        value, level = None, "D" if rng.random() < 0.95 else "CD"
                    else:
                        value, level = Decimal(rng.randint(30, 100)) / 10, ""
                    marks.append(
                        Mark(
                            student_id=student_id,
                            school=school,
                            school_class=school_class,
                            school_year=year,
                            semester=semester,
                            subject=rule.subject,
                            kind=kind,
                            index=index,
                            value=value,
                            level=level,
                        )
                    )
        if len(marks) >= 20000:
            Mark.objects.bulk_create(marks, batch_size=5000)
            count += len(marks)
            marks = []
    Mark.objects.bulk_create(marks, batch_size=5000)
    return school, count + len(marks)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=2000, help="students per school")
    parser.add_argument("--schools", type=int, default=3, help="schools in the province path")
    args = parser.parse_args()

    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from gradebook import services
    from gradebook.models import StudentResult, SubjectResult
    from gradebook.tasks import recompute_results
    from units.models import Unit
    from units.services import unit_create

    with scratch_database():
        print(f"database: {engine()}")
        year = "2026-2027"
        services.subject_rules_ensure(school_year=year)
        ministry = unit_create(actor=None, parent=None, code="BGDDT", name="Bộ", kind=Unit.Kind.MINISTRY)
        dept = unit_create(actor=None, parent=ministry, code="SBENCH", name="Sở Bench", kind=Unit.Kind.DEPARTMENT)
        office = unit_create(actor=None, parent=dept, code="PBENCH", name="Phòng Bench", kind=Unit.Kind.OFFICE)
        total_marks, schools = 0, []
        start = time.perf_counter()
        for number in range(args.schools):
            school, marks = build_school(office, number, args.students, year)
            schools.append(school)
            total_marks += marks
        print(
            f"built {args.schools} schools × {args.students:,} students, {total_marks:,} marks "
            f"in {time.perf_counter() - start:.0f} s"
        )
        rss_before = peak_mb()
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            students = services.results_recompute(school=schools[0], school_year=year)
            seconds = time.perf_counter() - start
        per_school = total_marks // args.schools
        print(
            f"one school: {students:,} students, {per_school:,} marks recomputed in {seconds:.2f} s "
            f"({per_school / seconds:,.0f} marks/s), {len(queries)} queries"
        )
        start = time.perf_counter()
        if os.environ.get("BENCH_PROFILE"):  # where the time goes, for tuning
            import cProfile
            import pstats

            profile = cProfile.Profile()
            profile.runcall(services.results_recompute, school=schools[0], school_year=year)
            pstats.Stats(profile).sort_stats("tottime").print_stats(25)
        else:
            services.results_recompute(school=schools[0], school_year=year)
        print(f"  again (idempotent upsert): {time.perf_counter() - start:.2f} s")
        start = time.perf_counter()
        students = recompute_results(dept.pk, year)
        seconds = time.perf_counter() - start
        rate = total_marks / seconds
        print(
            f"province path (task, school by school): {students:,} students, {total_marks:,} marks in "
            f"{seconds:.2f} s ({rate:,.0f} marks/s); peak RSS {peak_mb():.0f} MB (before recompute {rss_before:.0f} MB)"
        )
        print(
            f"  results: {SubjectResult.objects.count():,} subject rows, {StudentResult.objects.count():,} student rows"
        )
        marks_per_student = total_marks / (args.schools * args.students)
        province = 500_000 * marks_per_student
        print(
            f"  extrapolated to 500,000 students ({province / 1e6:.0f} M marks at {marks_per_student:.0f}/student): "
            f"{province / rate / 60:.1f} min at this rate on one worker; memory bounded by one school"
        )


if __name__ == "__main__":
    main()

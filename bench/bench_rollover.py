"""The year-end rollover of a 2,000-student THCS school (issue #15): preview and apply, seconds and
queries. Target: under 10 s, at a fixed number of queries whatever the number of classes.

    python bench/bench_rollover.py [--classes 48] [--students 2000]
"""

import argparse
import time

from _setup import engine, scratch_database


def build_school(classes: int, students: int):
    from accounts.models import User, name_fields
    from units.models import Role, Unit
    from units.services import UnitSpec, role_assignments_bulk_create, unit_create, units_bulk_create

    ministry = unit_create(actor=None, parent=None, code="BGDDT", name="Bộ GDĐT", kind="ministry")
    dept = unit_create(actor=None, parent=ministry, code="S-BENCH", name="Sở GDĐT Bench", kind="department")
    office = unit_create(actor=None, parent=dept, code="P-BENCH", name="Phòng GDĐT Bench", kind="office")
    school = unit_create(
        actor=None, parent=office, code="THCS-BENCH", name="Trường THCS Bench", kind="school", school_level="thcs"
    )
    specs = [
        UnitSpec(
            code=f"BENCH-{6 + i % 4}A{i // 4 + 1}", name=f"{6 + i % 4}A{i // 4 + 1}", kind="class", grade=6 + i % 4
        )
        for i in range(classes)
    ]
    units = units_bulk_create(actor=None, parent=school, specs=specs)
    users = [
        User(username=f"hs{i:05d}", unit=school, account_type="student", password="!", **name_fields(f"Học Sinh {i}"))
        for i in range(students)
    ]
    User.objects.bulk_create(users, batch_size=1000)
    ids = list(User.objects.filter(unit=school).order_by("pk").values_list("pk", flat=True))
    role_assignments_bulk_create(rows=[(pk, units[i % len(units)], Role.STUDENT) for i, pk in enumerate(ids)])
    return Unit.objects.get(pk=school.pk), ids


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--classes", type=int, default=48)
    parser.add_argument("--students", type=int, default=2000)
    args = parser.parse_args()

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.services.rollover import leaver_candidates, rollover_apply, rollover_preview

    with scratch_database():
        print(f"database: {engine()}")
        school, _ids = build_school(args.classes, args.students)
        print(f"school: {args.classes} classes, {args.students} students")
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as preview_queries:
            plan = rollover_preview(school=school)
            candidates = list(leaver_candidates(school=school))
        preview_s = time.perf_counter() - start
        plan.intake = [f"6B{n}" for n in range(1, 13)]
        plan.leaver_ids = [row["pk"] for row in candidates[:40]]
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as apply_queries:
            rollover = rollover_apply(actor=None, school=school, plan=plan)
        apply_s = time.perf_counter() - start
        print(f"preview: {preview_s:.2f} s, {len(preview_queries)} queries ({len(candidates)} leaver candidates)")
        print(f"apply:   {apply_s:.2f} s, {len(apply_queries)} queries — {rollover.summary}")
        print(f"target under 10 s: {'met' if preview_s + apply_s < 10 else 'MISSED'}")


if __name__ == "__main__":
    main()

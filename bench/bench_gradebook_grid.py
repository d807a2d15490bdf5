"""The grade book's grid (issue #16): saving one mark, opening a subject's grid and the class book.

A school with a class of 45 students and its grade's first 12 subjects, every cell of semester 1 filled
(marks, or Đạt for a comment subject), one teacher assigned to all of them. Through the whole Django
stack (test Client): 200 saves of one cell (POST to gradebook:cell_save, each with the version it read),
then GET of the maths grid and of the class book. Prints p50/p95 ms and the queries of each.
Targets: a save p95 under 50 ms at a fixed number of queries; the class of 45 × 12 opens under 300 ms.
Usage: python bench/bench_gradebook_grid.py [--saves 200] [--requests 40]
"""

import argparse
import statistics
import time
from decimal import Decimal

from _setup import engine, page_timings, scratch_database

STUDENTS = 45
SUBJECTS = 12


def build():
    from accounts.models import User
    from gradebook import selectors, services
    from gradebook.models import Level, Mark, MarkKind
    from units.models import Role, Unit
    from units.services import role_assign, role_assignments_bulk_create, unit_create

    kind = Unit.Kind
    ministry = unit_create(actor=None, parent=None, code="BGDDT", name="Bộ Giáo dục và Đào tạo", kind=kind.MINISTRY)
    dept = unit_create(actor=None, parent=ministry, code="SGD-HN", name="Sở GDĐT Hà Nam", kind=kind.DEPARTMENT)
    office = unit_create(actor=None, parent=dept, code="PGD-PL", name="Phòng GDĐT Phủ Lý", kind=kind.OFFICE)
    school = unit_create(
        actor=None, parent=office, code="THCS-TP", name="Trường THCS Trần Phú", kind=kind.SCHOOL, school_level="thcs"
    )
    group = unit_create(actor=None, parent=school, code="TO-KHTN", name="Tổ Khoa học tự nhiên", kind=kind.GROUP)
    klass = unit_create(actor=None, parent=school, code="6A1", name="6A1", kind=kind.CLASS, grade=6)
    principal = User.objects.create(
        username="bench-ht", full_name="Lê Hiệu Trưởng", account_type="teacher", unit=school
    )
    role_assign(actor=None, user=principal, unit=school, role=Role.PRINCIPAL)
    teacher = User.objects.create(username="bench-gv", full_name="Nguyễn Văn An", account_type="teacher", unit=school)
    role_assign(actor=None, user=teacher, unit=group, role=Role.TEACHER)
    students = [
        User.objects.create(username=f"hs{n:02d}", full_name=f"Học Sinh {n:02d}", account_type="student", unit=school)
        for n in range(STUDENTS)
    ]
    role_assignments_bulk_create(rows=[(u.pk, klass, Role.STUDENT) for u in students])
    year = services.current_school_year(school)
    services.subject_rules_ensure(school_year=year)
    rules = selectors.rules_for_grade(school_year=year, regulation=services.regulation_for(klass), grade=6)[:SUBJECTS]
    marks = []
    for rule in rules:
        services.assignment_set(actor=principal, school_class=klass, subject=rule.subject, semester=1, teacher=teacher)
        columns = [(MarkKind.REGULAR, n) for n in range(1, rule.regular_count + 1)]
        columns += [(MarkKind.MIDTERM, 1), (MarkKind.END_OF_TERM, 1)]
        for s, student in enumerate(students):
            for c, (kind_, index) in enumerate(columns):
                value = None if rule.by_comment else Decimal(5 + (s + c) % 5) + Decimal("0.5")
                marks.append(
                    Mark(
                        student=student,
                        school=school,
                        school_class=klass,
                        school_year=year,
                        semester=1,
                        subject=rule.subject,
                        kind=kind_,
                        index=index,
                        value=value,
                        level=Level.PASSED if rule.by_comment else "",
                        entered_by=teacher,
                    )
                )
    Mark.objects.bulk_create(marks, batch_size=2000)
    maths = next(rule for rule in rules if not rule.by_comment)
    return klass, students, maths, len(rules), len(marks)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--saves", type=int, default=200)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    with scratch_database():
        from django.db import connection
        from django.template import Template
        from django.test import Client, utils
        from django.test.utils import CaptureQueriesContext
        from django.urls import reverse

        from accounts.models import User

        start = time.perf_counter()
        klass, students, maths, subjects, marks = build()
        print(f"engine {engine()}: class of {len(students)} × {subjects} subjects, {marks} marks "
              f"built in {time.perf_counter() - start:.1f} s")  # fmt: skip
        kwargs = {"class_id": klass.pk, "semester": 1, "subject": maths.subject}
        Template._render = utils._TestState.saved_data.template_render
        client = Client()
        client.force_login(User.objects.get(username="bench-gv"))
        save_url = reverse("gradebook:cell_save", kwargs=kwargs)
        versions = {}
        times, queries = [], []
        for n in range(args.saves + 5):
            student = students[n % len(students)]
            key = (student.pk, n // len(students) % maths.regular_count + 1)
            data = {"student": student.pk, "kind": "tx", "index": key[1], "version": versions.get(key, 1),
                    "value": f"{n % 10},{n % 7}"}  # fmt: skip
            with CaptureQueriesContext(connection) as captured:
                began = time.perf_counter()
                response = client.post(save_url, data)
                elapsed = (time.perf_counter() - began) * 1000
            assert response.status_code == 200, response.content
            versions[key] = response.json()["version"]
            if n >= 5:  # the first saves warm up the process (rules read once)
                times.append(elapsed)
                queries.append(len(captured))
        times.sort()
        p95 = times[max(int(len(times) * 0.95) - 1, 0)]
        print(f"save one mark ({args.saves} saves): p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, "
              f"queries {min(queries)}–{max(queries)}")  # fmt: skip
        for name, url in (
            ("grid (45 students, one subject)", reverse("gradebook:grid", kwargs=kwargs)),
            (
                "class book (45 × 12 subjects)",
                reverse("gradebook:class_book", kwargs={"class_id": klass.pk, "semester": 1}),
            ),
        ):
            p50, p95, count = page_timings(url, "bench-gv", args.requests)
            print(f"{name}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, {count} queries")


if __name__ == "__main__":
    main()

"""Issuing parent accounts with the students' import (issue #17): the same file with and without the
optional parent columns, so the figure is what the parents add. Both imports' times are printed.

Target: issuing 45,000 parent accounts with the students' import adds under 60 s. By default 45,000
students with one parent each (45,000 parent accounts); `--siblings` makes one family in ten have two
children in the file (the same phone number), as schools have.

    .venv/bin/python bench/bench_parent_issue.py [--students 45000] [--siblings]
"""

import argparse
import io
import time

from _setup import after_bulk_load, engine, page_timings, scratch_database
from bench_import import GRADES, build_school, issue
from openpyxl import Workbook


def workbook(n: int, first_id: int, *, parents: bool, siblings: bool = False) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("HS")
    header = ["Họ và tên", "Ngày sinh", "Giới tính", "Mã định danh", "Lớp / Tổ chuyên môn"]
    if parents:
        header += ["Họ tên phụ huynh", "SĐT phụ huynh", "Quan hệ"]
    sheet.append(header)
    for i in range(n):
        grade = GRADES[i % 4]
        born = f"{1 + i % 28:02d}/0{1 + i % 9}/20{19 - grade:02d}"
        row = [f"Nguyễn Văn Học {i}", born, "Nam" if i % 2 else "Nữ", f"{first_id + i}", f"{grade}A{1 + (i // 4) % 10}"]
        if parents:
            family = i - 1 if siblings and i % 20 == 1 else i  # with siblings: one family in ten has two here
            row += [f"Trần Thị Mẹ {family}", f"09{family:08d}", "Mẹ"]
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def home_page(*, school_code: str) -> None:
    """The home page of a parent with two children, each in a course with assignments due, handed in and
    missing, some marks and an absence: p50/p95 and its queries."""
    from datetime import timedelta

    from django.db.models import Count
    from django.utils import timezone

    from accounts.models import Guardianship, User
    from courses.models import Assignment, Course, Enrolment, Submission
    from gradebook.models import Absence, Mark
    from units.models import Unit
    from units.periods import semester_of

    parent = (
        User.objects.filter(unit__code=school_code, account_type="parent")
        .annotate(n=Count("guardianships"))
        .order_by("-n", "id")
        .first()
    )
    children = [g.child for g in Guardianship.objects.filter(parent=parent)]
    if len(children) < 2:  # one parent each: give this one a second child, as a mother of two
        other = Guardianship.objects.exclude(parent=parent).filter(parent__unit__code=school_code).first()
        Guardianship.objects.create(parent=parent, child=other.child, relation="mother")
        children.append(other.child)
    school = Unit.objects.get(code=school_code)
    semester = semester_of(timezone.localdate(), school)
    now = timezone.now()
    for n, child in enumerate(children):
        course = Course.objects.create(
            unit=school, title=f"Toán {n}", purpose="<p>x</p>", status="published", published_at=now,
            audience_unit=school,
        )  # fmt: skip
        Enrolment.objects.create(course=course, user=child, enrolled_by=child)
        for days in (-20, -10, -3, 2, 5, 9):
            a = Assignment.objects.create(course=course, title=f"Bài {days}", due_at=now + timedelta(days=days))
            if days in (-20, -3):
                Submission.objects.create(assignment=a, learner=child, submitted_by=child)
        for index in (1, 2, 3):
            Mark.objects.create(
                student=child, school=school, school_class_id=school.pk, school_year=f"{semester.first_year}-"
                f"{semester.first_year + 1}", semester=semester.number, subject="Toán", kind="tx", index=index, value=8,
            )  # fmt: skip
        Absence.objects.create(
            student=child, school=school, school_class_id=school.pk, school_year=f"{semester.first_year}-"
            f"{semester.first_year + 1}", day=timezone.localdate(), recorded_by=child,
        )  # fmt: skip
    User.objects.filter(pk=parent.pk).update(must_change_password=False)  # past the first login
    from units.models import RoleAssignment

    # What autovacuum does after a load: without statistics the planner scans the fresh tables.
    after_bulk_load(User, Guardianship, RoleAssignment, Unit, Course, Enrolment, Assignment, Submission, Mark, Absence)
    p50, p95, queries = page_timings("/", parent.username)
    print(f"  parent home page ({len(children)} children): p50 {p50:.1f} ms, p95 {p95:.1f} ms, {queries} queries")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=45_000)
    parser.add_argument("--siblings", action="store_true", help="one family in ten with two children")
    args = parser.parse_args()
    n = args.students
    with scratch_database():
        from accounts.models import Guardianship, User

        print(f"database: {engine()}")
        plain = issue(build_school("BENCHPH0"), workbook(n, 5_000_000_000, parents=False))
        print(f"{n:,} students, no parent column: " + ", ".join(f"{k} {v:.2f} s" for k, v in plain.items()))
        print(f"  import without parents: {plain['total']:.2f} s")
        content = workbook(n, 6_000_000_000, parents=True, siblings=args.siblings)
        # The parents' own step, timed inside the import (the difference of two imports is noisy).
        import accounts.services.parents as parents_module

        inner, spent = parents_module.import_parents_create, []

        def timed(**kwargs):
            begin = time.perf_counter()
            try:
                return inner(**kwargs)
            finally:
                spent.append(time.perf_counter() - begin)

        parents_module.import_parents_create = timed
        start = time.perf_counter()
        with_parents = issue(build_school("BENCHPH1"), content)
        elapsed = time.perf_counter() - start
        parents = User.objects.filter(account_type="parent").count()
        links = Guardianship.objects.count()
        print(f"{n:,} students with their parents: " + ", ".join(f"{k} {v:.2f} s" for k, v in with_parents.items()))
        print(f"  parent accounts issued: {parents:,}; links: {links:,}; wall time {elapsed:.2f} s")
        print(f"  import with parents: {with_parents['total']:.2f} s")
        added = with_parents["total"] - plain["total"]
        print(f"  the parents' step inside the import (accounts, credentials, links, audit): {sum(spent):.2f} s")
        home_page(school_code="BENCHPH1")
        print(f"  the parents add {added:.2f} s ({added / max(parents, 1) * 1000:.2f} ms per parent account); "
              f"target: under 60 s for 45,000 parents")  # fmt: skip


if __name__ == "__main__":
    main()

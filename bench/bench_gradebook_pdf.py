"""The A3 class book of issue #16: a class of 45 students with every subject of grade 6 (12 or more) filled
for both semesters, with conduct and absences; seconds to assemble and print it (target < 3 s) and its pages.
Usage: python bench/bench_gradebook_pdf.py [--runs 3]
"""

import argparse
import io
import random
import statistics
import time
from datetime import date, timedelta
from decimal import Decimal

from _setup import engine, scratch_database

STUDENTS = 45
SUBJECTS = 12


def build():
    from accounts.models import User
    from gradebook.models import Absence, Conduct, Mark, SubjectRule
    from gradebook.services import current_school_year, regulation_for, subject_rules_ensure
    from units.models import Unit
    from units.services import role_assign, unit_create

    K = Unit.Kind
    ministry = unit_create(actor=None, parent=None, code="B", name="Bộ Giáo dục và Đào tạo", kind=K.MINISTRY)
    dept = unit_create(actor=None, parent=ministry, code="S", name="Sở GDĐT Hà Nam", kind=K.DEPARTMENT)
    office = unit_create(actor=None, parent=dept, code="P", name="Phòng GDĐT Phủ Lý", kind=K.OFFICE)
    school = unit_create(actor=None, parent=office, code="T", name="Trường THCS Lê Hồng Phong", kind=K.SCHOOL,
                         school_level="thcs")  # fmt: skip
    school_class = unit_create(actor=None, parent=school, code="T-6A1", name="6A1", kind=K.CLASS, grade=6)
    year = current_school_year(school_class)
    subject_rules_ensure(school_year=year)
    rules = list(
        SubjectRule.objects.filter(school_year=year, regulation=regulation_for(school_class), grade=6).order_by("id")
    )
    given = ["Anh", "Bình", "Chi", "Dũng", "Hà", "Hương", "Khánh", "Linh", "Minh", "Ngọc", "Phúc", "Quỳnh", "Trâm"]
    students = []
    for n in range(STUDENTS):
        student = User.objects.create(
            username=f"hs{n:02d}",
            full_name=f"Nguyễn Thị {given[n % len(given)]} {n}",
            date_of_birth=date(2014, 1, 1) + timedelta(days=7 * n),
            national_id=f"0012140{n:05d}",
            account_type="student",
        )
        role_assign(actor=None, user=student, unit=school_class, role="student")
        students.append(student)
    rng = random.Random(16)
    marks, extras = [], []
    for student in students:
        for rule in rules:
            for semester in (1, 2):
                base = {
                    "student": student, "school": school, "school_class": school_class, "school_year": year,
                    "semester": semester, "subject": rule.subject,
                }  # fmt: skip
                if rule.by_comment:
                    marks.append(Mark(**base, kind="ck", index=1, level="D"))
                    continue
                for index in range(1, rule.regular_count + 1):
                    marks.append(Mark(**base, kind="tx", index=index, value=Decimal(rng.randint(40, 100)) / 10))
                marks.append(Mark(**base, kind="gk", index=1, value=Decimal(rng.randint(40, 100)) / 10))
                marks.append(Mark(**base, kind="ck", index=1, value=Decimal(rng.randint(40, 100)) / 10))
        for semester in (1, 2):  # the year's conduct is derived from the semesters'
            extras.append(Conduct(student=student, school=school, school_class=school_class, school_year=year,
                                  semester=semester, rating=rng.choice("TKD"), set_by=student))  # fmt: skip
    Mark.objects.bulk_create(marks)
    Conduct.objects.bulk_create(extras)
    Absence.objects.bulk_create(
        Absence(student=students[n], school=school, school_class=school_class, school_year=year,
                day=date(2026, 10, 1) + timedelta(days=n), with_permission=n % 2 == 0, recorded_by=students[n])
        for n in range(0, STUDENTS, 3)
    )  # fmt: skip
    return school_class, year, len(rules), len(marks)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with scratch_database():
        from pypdf import PdfReader

        from gradebook import printing
        from gradebook.book import class_book_data

        school_class, year, subjects, marks = build()
        print(f"{engine()}: a class of {STUDENTS} students, {subjects} subjects, {marks:,} marks, 2 semesters")
        assert subjects >= SUBJECTS, subjects
        times, content = [], b""
        for _run in range(args.runs):
            started = time.perf_counter()
            content = printing.class_book_pdf(class_book_data(school_class, year))
            times.append(time.perf_counter() - started)
        pages = len(PdfReader(io.BytesIO(content)).pages)
        first, rest = times[0], statistics.median(times[1:] or times)
        print(f"A3 PDF: first {first:.2f} s (loads pango and the fonts), then median {rest:.2f} s (target < 3 s)")
        print(f"{pages} pages, {len(content) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()

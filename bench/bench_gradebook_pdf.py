"""The A3 class book of issue #16: a class of 45 students with every subject of grade 6 (12 or more) filled
for both semesters, with conduct and absences; seconds to assemble its data (`class_book_data`) and to render
it (`printing.class_book_pdf`: template and WeasyPrint) in one process and in `pdf_processes()` processes
(setting GRADEBOOK_PDF_PROCESSES, at most the CPUs), with their CPU seconds, the total of assembling and the
parallel render (target < 3 s), the pages and sizes, the load average; then
the school's semester summary (`summary.semester_summary`) over --classes such classes, with its queries.
Best and median of --runs, after one warm-up run (it loads pango and the fonts).
Usage: python bench/bench_gradebook_pdf.py [--runs 5] [--classes 10]
"""

import argparse
import io
import os
import random
import statistics
import time
from datetime import date, timedelta
from decimal import Decimal

from _setup import engine, scratch_database

STUDENTS = 45
SUBJECTS = 12


def build_school():
    from units.models import Unit
    from units.services import unit_create

    K = Unit.Kind
    ministry = unit_create(actor=None, parent=None, code="B", name="Bộ Giáo dục và Đào tạo", kind=K.MINISTRY)
    dept = unit_create(actor=None, parent=ministry, code="S", name="Sở GDĐT Hà Nam", kind=K.DEPARTMENT)
    office = unit_create(actor=None, parent=dept, code="P", name="Phòng GDĐT Phủ Lý", kind=K.OFFICE)
    school = unit_create(actor=None, parent=office, code="T", name="Trường THCS Lê Hồng Phong", kind=K.SCHOOL,
                         school_level="thcs")  # fmt: skip
    return school


def build_class(school, number: int):
    from accounts.models import User
    from gradebook.models import Absence, Conduct, Mark, SubjectRule
    from gradebook.services import current_school_year, regulation_for, subject_rules_ensure
    from units.models import Unit
    from units.services import role_assign, unit_create

    name = f"6A{number}"
    school_class = unit_create(actor=None, parent=school, code=f"T-{name}", name=name, kind=Unit.Kind.CLASS, grade=6)
    year = current_school_year(school_class)
    subject_rules_ensure(school_year=year)
    rules = list(
        SubjectRule.objects.filter(school_year=year, regulation=regulation_for(school_class), grade=6).order_by("id")
    )
    given = ["Anh", "Bình", "Chi", "Dũng", "Hà", "Hương", "Khánh", "Linh", "Minh", "Ngọc", "Phúc", "Quỳnh", "Trâm"]
    students = []
    for n in range(STUDENTS):
        student = User.objects.create(
            username=f"hs{number}-{n:02d}",
            full_name=f"Nguyễn Thị {given[n % len(given)]} {n}",
            date_of_birth=date(2014, 1, 1) + timedelta(days=7 * n),
            national_id=f"00121{number:02d}{n:05d}",
            account_type="student",
        )
        role_assign(actor=None, user=student, unit=school_class, role="student")
        students.append(student)
    rng = random.Random(16 + number)
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


def _cpu_with_children() -> float:
    """CPU seconds of this process and of its children that have ended (the PDF workers)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _figures(times: list[float]) -> str:
    return f"best {min(times):.2f} s, median {statistics.median(times):.2f} s"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--classes", type=int, default=10)
    args = parser.parse_args()
    with scratch_database():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        from pypdf import PdfReader

        from gradebook import printing
        from gradebook.book import class_book_data
        from gradebook.summary import semester_summary

        school = build_school()
        school_class, year, subjects, marks = build_class(school, 1)
        print(f"{engine()}: a class of {STUDENTS} students, {subjects} subjects, {marks:,} marks, 2 semesters")
        assert subjects >= SUBJECTS, subjects
        processes = printing.pdf_processes()
        started = time.perf_counter()
        printing.class_book_pdf(class_book_data(school_class, year), processes=1)
        print(f"warm-up (loads pango and the fonts): {time.perf_counter() - started:.2f} s")
        assemble, single, single_cpu, parallel, parallel_cpu, heaviest = [], [], [], [], [], []
        for _run in range(args.runs):
            started = time.perf_counter()
            book = class_book_data(school_class, year)
            assemble.append(time.perf_counter() - started)
            cpu_started, started = time.process_time(), time.perf_counter()
            whole = printing.class_book_pdf(book, processes=1)
            single.append(time.perf_counter() - started)
            single_cpu.append(time.process_time() - cpu_started)
            cpu_started, started = _cpu_with_children(), time.perf_counter()
            joined = printing.class_book_pdf(book, processes=processes)
            parallel.append(time.perf_counter() - started)
            parallel_cpu.append(_cpu_with_children() - cpu_started)
            # What the parallel render would take with a free CPU per part: its heaviest part, printed here.
            html = printing.render_to_string(printing.CLASS_BOOK, {"book": book})
            chunks, parts_seconds = printing.html_chunks(html, processes), []
            for chunk in chunks:
                started = time.process_time()
                printing.html_pdf(chunk)
                parts_seconds.append(time.process_time() - started)
            heaviest.append(max(parts_seconds))
        pages, joined_pages = len(PdfReader(io.BytesIO(whole)).pages), len(PdfReader(io.BytesIO(joined)).pages)
        assert pages == joined_pages, (pages, joined_pages)
        print(f"A3 PDF, {pages} pages, over {args.runs} runs: assemble {_figures(assemble)}")
        print(f"  render in 1 process: {_figures(single)} (CPU {_figures(single_cpu)}); {len(whole) / 1024:.0f} KiB")
        print(f"  render in {processes} processes ({len(chunks)} parts, joined by pypdf): {_figures(parallel)} "
              f"(CPU of all the processes {_figures(parallel_cpu)}); {len(joined) / 1024:.0f} KiB")  # fmt: skip
        print(f"  CPU seconds of the heaviest part alone (the parallel render on free CPUs): {_figures(heaviest)}")
        totals = [a + r for a, r in zip(assemble, parallel, strict=True)]
        print(f"  total (assemble + parallel render): {_figures(totals)} (target < 3 s)")
        # Other processes share the CPUs (other benchmarks, tests): the wall clock depends on them.
        print(f"  CPUs {os.cpu_count()}, load average (uptime) {' '.join(f'{n:.2f}' for n in os.getloadavg())}")

        for number in range(2, args.classes + 1):
            build_class(school, number)
        times = []
        for _run in range(args.runs):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                table = semester_summary(school=school, school_year=year, semester=1)
                times.append(time.perf_counter() - started)
        students = sum(row.students for row in table.rows)
        print(f"school summary of {len(table.rows)} classes ({students} students): {_figures(times)}", end="")
        print(f", {len(queries)} queries")


if __name__ == "__main__":
    main()

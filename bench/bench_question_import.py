"""Importing questions from the xlsx template, end to end: read, clean, KaTeX check of every formula
(one node process), duplicate search, preview rows, then the bulk creation of the drafts.

Target (issue #6): 5,000 questions under 30 s. The file mixes the five types and every row carries
LaTeX formulas; a few hundred rows repeat earlier ones (duplicates inside the file) and a few hundred
are already in the bank, so the duplicate paths are measured too.
"""

import io
import time

from _setup import engine, scratch_database
from openpyxl import Workbook

N = 5000
TOPICS = ("Phân số", "Số thập phân", "Số nguyên", "Hình học phẳng", "Thống kê", "Xác suất")
LEVELS = ("Nhận biết", "Thông hiểu", "Vận dụng", "Vận dụng cao")


def row(i: int) -> list:
    kind = i % 5
    topic, level = TOPICS[i % len(TOPICS)], LEVELS[i % 4]
    n = i % 97 + 2
    stem = f"Câu {i}: Cho \\(x = \\frac{{{n}}}{{{n + 1}}}\\). Tính \\(\\sqrt{{x^2 + {i}}}\\) và $x^{{{n}}}$."
    head = ["", "Toán", 6 + i % 4, topic, level, stem]
    if kind == 0:
        opts = [f"\\(\\frac{{{n + k}}}{{{n + 1}}}\\)" for k in range(4)]
        return ["Một lựa chọn", *head[1:], *opts, "", "", "A", "", f"Vì \\({n} + 0 = {n}\\).", ""]
    if kind == 1:
        opts = [f"\\({n} \\cdot {k}\\)" for k in range(1, 5)]
        return ["Nhiều lựa chọn", *head[1:], *opts, "", "", "A,C", "", "", ""]
    if kind == 2:
        opts = [f"{c}) \\(x {op} {k}\\)" for c, op, k in zip("abcd", ("<", ">", "\\le", "\\ge"), range(4), strict=True)]
        return ["Đúng sai", *head[1:], *opts, "", "", "Đ,S,Đ,S", "", "", ""]
    if kind == 3:
        return ["Trả lời ngắn", *head[1:], "", "", "", "", "", "", f"{n},5", "0,01", "", ""]
    return ["Tự luận", *head[1:], "", "", "", "", "", "", "", "", "", f"Đúng \\(\\Delta = {n}\\): 1 điểm."]


def workbook(n: int) -> bytes:
    from materials.services.question_io.xlsx import HEADER

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Cau hoi")
    sheet.append(HEADER)
    for i in range(n):
        # One row in twenty repeats an earlier one: a duplicate inside the file.
        sheet.append(row(i - 7 if i % 20 == 19 else i))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def setup():
    from accounts.models import User
    from units.models import Role, RoleAssignment
    from units.services import unit_create

    ministry = unit_create(actor=None, parent=None, code="BGDDT", name="Bộ GDĐT", kind="ministry")
    dept = unit_create(actor=None, parent=ministry, code="QB-S", name="Sở GDĐT Bench", kind="department")
    office = unit_create(actor=None, parent=dept, code="QB-P", name="Phòng GDĐT Bench", kind="office")
    school = unit_create(
        actor=None, parent=office, code="QB", name="Trường THCS Bench", kind="school", school_level="thcs"
    )
    group = unit_create(actor=None, parent=school, code="QB-T", name="Tổ Toán", kind="group")
    teacher = User.objects.create_user("bench.teacher", password=None, full_name="Giáo viên Bench")
    RoleAssignment.objects.create(user=teacher, unit=group, role=Role.TEACHER)
    return teacher, group


def bank_questions(teacher, group, count: int) -> None:
    """Questions already in the bank: the file's rows 1, 6, 11… (every fifth is single choice)."""
    from materials.models import Question
    from materials.services.question_io.xlsx import _Cell, _row_entry
    from materials.services.question_rules import clean_question, fingerprint, search_text

    class Plain:
        def __init__(self, value):
            self.value, self.data_type = value, "s"

    from materials.services.question_io.xlsx import COLUMNS

    made = []
    for i in range(0, count * 5, 5):
        cells = {key: _Cell(Plain(v)) for (key, *_rest), v in zip(COLUMNS, row(i), strict=True)}
        data = clean_question(**_row_entry(i, cells).fields, check_math=False)
        made.append(
            Question(
                **data, author=teacher, unit=group, search_text=search_text(data),
                fingerprint=fingerprint(type=data["type"], stem=data["stem"], options=data["options"]),
            )
        )  # fmt: skip
    Question.objects.bulk_create(made)


def main() -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from materials.models import Question
    from materials.services.question_io.importing import (
        question_import_apply,
        question_import_confirm,
        question_import_run,
        question_import_start,
    )

    with scratch_database():
        print(f"database: {engine()}")
        teacher, group = setup()
        bank_questions(teacher, group, 200)
        content = workbook(N)
        print(f"{N:,} questions, file {len(content) / 1_048_576:.1f} MB")
        before = Question.objects.count()
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            batch = question_import_start(
                actor=teacher, unit=group, format="xlsx", upload=SimpleUploadedFile("bench.xlsx", content)
            )
            batch = question_import_run(batch=batch)
            checked = time.perf_counter()
            assert batch.status == "ready", batch.message
            assert batch.error_rows == 0, list(batch.rows.filter(action="error").values_list("errors", flat=True)[:3])
            batch = question_import_apply(batch=question_import_confirm(actor=teacher, batch=batch))
            done = time.perf_counter()
        assert batch.status == "done", batch.message
        created = Question.objects.count() - before
        assert created == batch.created_rows
        total = done - start
        print(f"  check (parse, clean, KaTeX, duplicates, preview rows): {checked - start:.2f} s")
        print(f"  create: {done - checked:.2f} s")
        print(f"  total: {total:.2f} s ({N / total:,.0f} rows/s) — target < 30 s: {'OK' if total < 30 else 'MISSED'}")
        print(f"  created {created:,}, duplicates {batch.duplicate_rows:,}, with problems {batch.error_rows:,}")
        print(f"  queries: {len(queries.captured_queries)}")


if __name__ == "__main__":
    main()

"""Issuing parent accounts with the students' import (issue #17): the same file with and without the
optional parent columns, so the figure is what the parents add.

Target: issuing 45,000 parent accounts with the students' import adds under 60 s. Every student gets a
parent; one family in ten has two children in the file (the same phone number), so N students bring
0.95 N parents: the default 47,400 students bring 45,030 parent accounts.

    .venv/bin/python bench/bench_parents.py [--students 47400]
"""

import argparse
import io
import time

from _setup import engine, scratch_database
from bench_import import GRADES, build_school, issue
from openpyxl import Workbook


def workbook(n: int, first_id: int, *, parents: bool) -> bytes:
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
            family = i - 1 if i % 20 == 1 else i  # one family in ten has two children here
            row += [f"Trần Thị Mẹ {family}", f"09{family:08d}", "Mẹ"]
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=47_400)
    args = parser.parse_args()
    n = args.students
    with scratch_database():
        from accounts.models import Guardianship, User

        print(f"database: {engine()}")
        plain = issue(build_school("BENCHPH0"), workbook(n, 5_000_000_000, parents=False))
        print(f"{n:,} students, no parent column: " + ", ".join(f"{k} {v:.2f} s" for k, v in plain.items()))
        content = workbook(n, 6_000_000_000, parents=True)
        start = time.perf_counter()
        with_parents = issue(build_school("BENCHPH1"), content)
        elapsed = time.perf_counter() - start
        parents = User.objects.filter(account_type="parent").count()
        links = Guardianship.objects.count()
        print(f"{n:,} students with their parents: " + ", ".join(f"{k} {v:.2f} s" for k, v in with_parents.items()))
        print(f"  parent accounts issued: {parents:,}; links: {links:,}; wall time {elapsed:.2f} s")
        added = with_parents["total"] - plain["total"]
        print(f"  the parents add {added:.2f} s ({added / max(parents, 1) * 1000:.2f} ms per parent account); "
              f"target: under 60 s for 45,000 parents")  # fmt: skip


if __name__ == "__main__":
    main()

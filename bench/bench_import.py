"""Issuing students from a spreadsheet, end to end: parse, check, write, credentials sheet.

Targets (issue #3): 2,000 students under 10 s; 45,000 (a province's intake) under 2 minutes in the
background with peak memory under 1 GB. Also the naive path for comparison: one create_user per row
with Django's default password hasher (measured on a sample and extrapolated).
"""

import io
import resource
import secrets
import time

from _setup import engine, scratch_database
from openpyxl import Workbook

GRADES = (6, 7, 8, 9)


def workbook(n: int, first_id: int) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("HS")
    sheet.append(["Họ và tên", "Ngày sinh", "Giới tính", "Mã định danh", "Lớp / Tổ chuyên môn", "Email", "Điện thoại"])
    for i in range(n):
        grade = GRADES[i % 4]
        born = f"{1 + i % 28:02d}/0{1 + i % 9}/20{19 - grade:02d}"
        gender = "Nam" if i % 2 else "Nữ"
        sheet.append([f"Nguyễn Văn Học {i}", born, gender, f"{first_id + i}", f"{grade}A{1 + (i // 4) % 10}", "", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def build_school(code: str):
    from accounts.models import AccountQuota
    from units.models import Unit
    from units.services import UnitSpec, unit_create, units_bulk_create

    ministry = Unit.objects.filter(kind="ministry").first() or unit_create(
        actor=None, parent=None, code="BGDDT", name="Bộ GDĐT", kind="ministry"
    )
    dept = unit_create(actor=None, parent=ministry, code=f"{code}-S", name="Sở GDĐT Bench", kind="department")
    office = unit_create(actor=None, parent=dept, code=f"{code}-P", name="Phòng GDĐT Bench", kind="office")
    school = unit_create(
        actor=None, parent=office, code=code, name=f"Trường THCS {code}", kind="school", school_level="thcs"
    )
    units_bulk_create(
        actor=None,
        parent=school,
        specs=[
            UnitSpec(code=f"{code}-{g}A{n}", name=f"{g}A{n}", kind="class", grade=g)
            for g in GRADES
            for n in range(1, 11)
        ],
    )
    AccountQuota.objects.create(school=school, teachers=100, students=100_000)
    return school


def issue(school, content: bytes) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.services.credentials import sheet_load
    from accounts.services.issuing import import_apply, import_confirm, import_start, import_validate
    from truonghoc.xlsx import xlsx_bytes

    timings = {}
    start = time.perf_counter()
    batch = import_start(
        actor=None, school=school, account_type="student", upload=SimpleUploadedFile("hs.xlsx", content)
    )
    batch = import_validate(batch=batch, content=content)
    assert batch.status == "ready", (
        batch.message,
        list(batch.rows.filter(action="error").values_list("errors", flat=True)[:3]),
    )
    timings["parse + check"] = time.perf_counter() - start
    mark = time.perf_counter()
    batch = import_apply(actor=None, batch=import_confirm(actor=None, batch=batch))
    assert batch.status == "done", batch.message
    timings["write"] = time.perf_counter() - mark
    mark = time.perf_counter()
    rows = sheet_load(batch=batch)
    xlsx_bytes(title="bench", header=["#", "name", "class", "user", "code"],
               rows=([n, r["full_name"], r["unit"], r["username"], r["code"]] for n, r in enumerate(rows)))  # fmt: skip
    timings["credentials sheet"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - start
    return timings


def naive_seconds_per_account(sample: int = 20) -> float:
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from django.test import override_settings

    from accounts.models import User

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"]):
        start = time.perf_counter()
        for i in range(sample):
            User.objects.create_user(f"naive{i}", password=secrets.token_urlsafe(8), full_name=f"Naive {i}")
        elapsed = time.perf_counter() - start
    print(f"  (default hasher: PBKDF2, {PBKDF2PasswordHasher.iterations:,} iterations)")
    return elapsed / sample


def main() -> None:
    with scratch_database():
        print(f"database: {engine()}")
        small = workbook(2000, 3_000_000_000)
        school = build_school("BENCH2K")
        t = issue(school, small)
        print("2,000 students: " + ", ".join(f"{k} {v:.2f} s" for k, v in t.items()))
        per_naive = naive_seconds_per_account()
        naive_total = per_naive * 2000
        print(f"naive path (create_user per row, default hasher): {per_naive * 1000:.0f} ms/account")
        print(f"  ≈{naive_total:.0f} s for 2,000 students; ratio ≈ {naive_total / t['total']:.0f}× slower than ours")

        big = workbook(45_000, 4_000_000_000)
        school = build_school("BENCH45K")
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        t = issue(school, big)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print("45,000 students: " + ", ".join(f"{k} {v:.2f} s" for k, v in t.items()))
        print(f"  peak memory (process max RSS): {rss:.0f} MB (it was {rss_before:.0f} MB before this import)")
        print(f"  file size: {len(big) / 1_048_576:.1f} MB")


if __name__ == "__main__":
    main()

"""Units from a spreadsheet (issue #15 points 3 and 8): check + write, end to end through the import engine.

Targets: a Department loads 141 schools with their groups and classes (about 2,000 units) in under 10 s;
the Ministry loads a country — 63 Departments, 700 Offices, 45,000 schools — from one file in under
2 minutes and 1 GB (peak memory: the process's max RSS, read with resource.getrusage).
Also: loading the same file a second time (nothing changes, nothing is duplicated) and the queries spent.
"""

import io
import os
import resource
import time

from _setup import engine, scratch_database
from openpyxl import Workbook

HEADER = ["Mã đơn vị", "Tên đơn vị", "Cấp học / loại đơn vị", "Loại hình", "Mã đơn vị cấp trên", "Địa chỉ",
          "Số giáo viên", "Số học sinh"]  # fmt: skip
GROUPS = ("Tổ Toán – Tin", "Tổ Ngữ văn", "Tổ Khoa học tự nhiên", "Tổ Ngoại ngữ")


def workbook(rows) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Don vi")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def province_rows(prefix: str, schools: int = 141, offices: int = 10):
    """A Department's file: its Offices, 141 schools (every tenth a THPT under the Department), and
    each school's 4 groups and 9 to 10 classes: about 2,000 units."""
    for o in range(offices):
        yield [f"{prefix}P{o:02d}", f"Phòng GDĐT Huyện {o}", "Phòng", "", "", "", "", ""]
    for s in range(schools):
        code = f"{prefix}T{s:04d}"
        if s % 10 == 0:
            yield [code, f"Trường THPT số {s}", "THPT", "Công lập", "", f"Xã {s}", "60", "1200"]
            grades = (10, 11, 12)
        else:
            yield [code, f"Trường THCS số {s}", "THCS", "Công lập", f"{prefix}P{s % offices:02d}", "", "35", "600"]
            grades = (6, 7, 8, 9)
        for g, group in enumerate(GROUPS):
            yield [f"{code}-G{g}", group, "Tổ", "", code, "", "", ""]
        for grade in grades:
            for n in range(1, 3 + (grade % 2)):
                yield [f"{code}-{grade}A{n}", f"{grade}A{n}", "Lớp", "", code, "", "", ""]


def country_rows(departments: int = 63, offices: int = 700, schools: int = 45_000):
    for d in range(departments):
        yield [f"S{d:02d}", f"Sở GDĐT Tỉnh {d}", "Sở", "", "", "", "", ""]
    for o in range(offices):
        yield [f"P{o:03d}", f"Phòng GDĐT Huyện {o}", "Phòng", "", f"S{o % departments:02d}", "", "", ""]
    levels = ("Tiểu học", "THCS", "Tiểu học", "THCS", "THPT", "TH&THCS", "GDTX")
    for s in range(schools):
        level = levels[s % len(levels)]
        parent = f"S{s % departments:02d}" if level in ("THPT", "GDTX") else f"P{s % offices:03d}"
        yield [f"{100000 + s}", f"Trường {level} số {s}", level, "Công lập", parent, f"Xã {s}", "30", "500"]


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def load(under, content: bytes) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from units.importing import unit_import_apply, unit_import_confirm, unit_import_start, unit_import_validate

    figures = {}
    start = time.perf_counter()
    cpu = cpu_seconds()
    with CaptureQueriesContext(connection) as check_queries:
        batch = unit_import_start(actor=None, under=under, upload=SimpleUploadedFile("units.xlsx", content))
        batch = unit_import_validate(batch=batch, content=content)
    figures["check s"] = time.perf_counter() - start
    assert batch.error_rows == 0, list(batch.rows.filter(action="error").values_list("line", "errors")[:3])
    figures["check queries"] = len(check_queries)
    if batch.status == "ready":
        mark = time.perf_counter()
        with CaptureQueriesContext(connection) as write_queries:
            batch = unit_import_apply(actor=None, batch=unit_import_confirm(actor=None, batch=batch))
        assert batch.status == "done", batch.message
        figures["write s"] = time.perf_counter() - mark
        figures["write queries"] = len(write_queries)
    figures["total s"] = time.perf_counter() - start
    # On a shared machine the wall time counts the other processes' turns too; the CPU time of this
    # process (SQLite runs inside it) is what the import itself costs.
    figures["cpu s"] = cpu_seconds() - cpu
    figures["created"], figures["updated"], figures["unchanged"] = (
        batch.new_rows,
        batch.updated_rows,
        batch.unchanged_rows,
    )
    return figures


def show(label: str, figures: dict) -> None:
    print(
        f"{label}: " + ", ".join(f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v:,}" for k, v in figures.items())
    )


def main() -> None:
    from units.models import Unit
    from units.services import unit_create

    with scratch_database():
        print(f"database: {engine()}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        ministry = unit_create(actor=None, parent=None, code="BGDDT", name="Bộ GDĐT", kind="ministry")
        dept = unit_create(actor=None, parent=ministry, code="BENCH-SO", name="Sở GDĐT Bench", kind="department")
        content = workbook(province_rows("B"))
        rows = sum(1 for _ in province_rows("B"))
        show(f"a Department's province ({rows:,} units, {len(content) / 1024:.0f} KB)", load(dept, content))
        show("  the same file again", load(dept, content))

        content = workbook(country_rows())
        rows = sum(1 for _ in country_rows())
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        figures = load(ministry, content)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        show(f"the Ministry's country ({rows:,} units, {len(content) / 1_048_576:.1f} MB)", figures)
        print(f"  peak memory: process max RSS {rss:.0f} MB (it was {rss_before:.0f} MB before this file)")
        print(f"  units in the tree: {Unit.objects.count():,}")


if __name__ == "__main__":
    main()
